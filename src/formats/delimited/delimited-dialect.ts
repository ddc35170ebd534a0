/**
 * Dialect of a delimited text file, decided from its first bytes (≤ 64 KiB): the delimiter (comma, semicolon,
 * tab, pipe or runs of white space), the decimal mark, a UTF-8 BOM, a preamble before the table (ActiGraph,
 * `#` comments), whether the first table line is a header, and the first data rows as strings for the
 * column inference. String work on the head only; the rest of the file is parsed byte by byte.
 */

export const COMMA = 44;
export const SEMICOLON = 59;
export const TAB = 9;
export const PIPE = 124;
export const SPACE = 32;

/** Rows of the head kept for inference. */
const MAX_HEAD_ROWS = 2000;

export interface Dialect {
  /** The delimiter byte; SPACE with `whitespace` for runs of spaces and tabs. */
  delimiter: number;
  whitespace: boolean;
  /** `1,5` means 1.5 (only when the delimiter is not a comma). */
  decimalComma: boolean;
  /** The file starts with a UTF-8 byte-order mark. */
  bom: boolean;
  /** Header names (quotes removed, trimmed), or null when the first table line is data. */
  header: string[] | null;
  /** Lines before the table (comments, a device preamble), for rate hints and a warning. */
  preamble: string[];
  /** Physical lines before the first data line (preamble, blank lines, header). */
  skipLines: number;
  /** Fields per row. */
  fieldCount: number;
  /** The head's complete data rows, split into trimmed, unquoted fields. */
  rows: string[][];
  /** The physical line number (1-based) of each row in `rows`. */
  rowLines: number[];
}

/** Splits one line by a delimiter, honouring double quotes (`""` inside); fields trimmed and unquoted. */
export function splitLine(line: string, delimiter: number, whitespace: boolean): string[] {
  if (whitespace) {
    const t = line.trim();
    return t === '' ? [] : t.split(/[ \t]+/).map(unquote);
  }
  const d = String.fromCharCode(delimiter);
  if (!line.includes('"')) return line.split(d).map((f) => f.trim());
  const out: string[] = [];
  let cur = '';
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (inQuotes) {
      if (c === '"' && line.charAt(i + 1) === '"') {
        cur += '"';
        i++;
      } else if (c === '"') inQuotes = false;
      else cur += c;
    } else if (c === '"' && cur.trim() === '') {
      inQuotes = true;
      cur = '';
    } else if (c === d) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

function unquote(f: string): string {
  return f.length >= 2 && f.startsWith('"') && f.endsWith('"') ? f.slice(1, -1).replace(/""/g, '"').trim() : f;
}

const NUMBER_DOT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NUMBER_COMMA = /^[+-]?(\d+,?\d*|,\d+)([eE][+-]?\d+)?$/;

/** The field as a number (decimal point, or comma when `decimalComma`); NaN when empty or not a number. */
export function toNumber(field: string, decimalComma: boolean): number {
  const f = field.trim();
  if (decimalComma ? NUMBER_COMMA.test(f) : NUMBER_DOT.test(f)) return Number(decimalComma ? f.replace(',', '.') : f);
  return Number.NaN;
}

/** `NaN`, `Infinity`, `-inf`: values a file wrote that are no number but take a number's place. */
const NON_FINITE_WORD = /^[+-]?(nan|inf|infinity)$/i;

function isNumberText(f: string, allowComma: boolean): boolean {
  return NUMBER_DOT.test(f) || (allowComma && NUMBER_COMMA.test(f)) || NON_FINITE_WORD.test(f);
}

/** True when the field is a number or a non-finite word (`NaN`, `Infinity`): a value of a numeric column. */
export function isValueText(field: string, decimalComma: boolean): boolean {
  const f = field.trim();
  return (decimalComma ? NUMBER_COMMA : NUMBER_DOT).test(f) || NON_FINITE_WORD.test(f);
}

interface Candidate {
  delimiter: number;
  whitespace: boolean;
}

const CANDIDATES: Candidate[] = [
  { delimiter: TAB, whitespace: false },
  { delimiter: SEMICOLON, whitespace: false },
  { delimiter: COMMA, whitespace: false },
  { delimiter: PIPE, whitespace: false },
  { delimiter: SPACE, whitespace: true },
];

function isComment(line: string): boolean {
  const t = line.trimStart();
  return t.startsWith('#') || t.startsWith('//') || t.startsWith('%');
}

interface Scored {
  c: Candidate;
  score: number;
  start: number;
  count: number;
}

/** Scores a candidate delimiter on the non-blank lines: consistency of the field count × share of numbers. */
function score(c: Candidate, lines: readonly string[]): Scored | null {
  const split = lines.map((l) => (l.trim() === '' || isComment(l) ? null : splitLine(l, c.delimiter, c.whitespace)));
  const counts = split.map((fs) => (fs === null ? -1 : fs.length));
  // ActiGraph pads its preamble lines with delimiters (`Serial Number: X,,,,,`): one filled field is not a row.
  const filled = split.map((fs) => (fs === null ? 0 : fs.filter((f) => f !== '').length));
  const tally = new Map<number, number>();
  for (const n of counts) if (n >= 2) tally.set(n, (tally.get(n) ?? 0) + 1);
  let count = 0;
  let best = 0;
  for (const [n, k] of tally) {
    if (k > best || (k === best && n > count)) {
      best = k;
      count = n;
    }
  }
  if (count < 2) return null;
  // The table starts at the first line from which the next few lines all have `count` fields.
  let start = -1;
  for (let i = 0; i < counts.length && start < 0; i++) {
    if (counts[i] !== count || (filled[i] ?? 0) < 2) continue;
    let ok = true;
    for (let j = i + 1, seen = 0; j < counts.length && seen < 5; j++) {
      if (counts[j] === -1) continue;
      seen++;
      if (counts[j] !== count) ok = false;
    }
    if (ok) start = i;
  }
  if (start < 0) return null;
  let consistent = 0;
  let total = 0;
  let numeric = 0;
  let fields = 0;
  for (let i = start; i < lines.length; i++) {
    if (counts[i] === -1) continue;
    total++;
    if (counts[i] === count) consistent++;
    if (i === start) continue;
    for (const f of split[i] ?? []) {
      if (f === '') continue;
      fields++;
      if (isNumberText(f, c.delimiter !== COMMA)) numeric++;
    }
  }
  if (total === 0 || consistent / total < 0.9) return null;
  return { c, score: (consistent / total) * (fields === 0 ? 0.5 : numeric / fields), start, count };
}

/**
 * Decides the dialect from the head of the file. `complete` says the head is the whole file (its last
 * line is then complete even without a newline). Returns null when the text is not a consistent table.
 */
export function detectDialect(head: Uint8Array, complete: boolean): Dialect | null {
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(bom ? 3 : 0));
  const all = text.split('\n');
  if (!complete) all.pop();
  if (all.length > 0 && all[all.length - 1] === '') all.pop();
  const lines = all.slice(0, MAX_HEAD_ROWS + 64).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  let best: Scored | null = null;
  for (const c of CANDIDATES) {
    const s = score(c, lines);
    if (s !== null && (best === null || s.score > best.score + 1e-9)) best = s;
  }
  if (best === null) return null;
  const { c, start, count } = best;
  const split = (l: string): string[] => splitLine(l, c.delimiter, c.whitespace);
  const first = split(lines[start] ?? '');
  let next: string[] = [];
  for (let i = start + 1; i < lines.length && next.length === 0; i++) {
    if ((lines[i] ?? '').trim() !== '') next = split(lines[i] ?? '');
  }
  const allowComma = c.delimiter !== COMMA;
  const words = (fs: string[]): number => fs.filter((f) => f !== '' && !isNumberText(f, allowComma)).length;
  const hasHeader = words(first) > 0 && (next.length === 0 || words(first) > words(next));
  const rows: string[][] = [];
  const rowLines: number[] = [];
  let dotNumbers = 0;
  let commaNumbers = 0;
  for (let i = hasHeader ? start + 1 : start; i < lines.length && rows.length < MAX_HEAD_ROWS; i++) {
    const l = lines[i] ?? '';
    if (l.trim() === '') continue;
    const fs = split(l);
    if (fs.length !== count) continue;
    rows.push(fs);
    rowLines.push(i + 1);
    for (const f of fs) {
      if (/^[+-]?\d*\.\d+/.test(f)) dotNumbers++;
      else if (/^[+-]?\d+,\d+([eE][+-]?\d+)?$/.test(f)) commaNumbers++;
    }
  }
  return {
    delimiter: c.delimiter,
    whitespace: c.whitespace,
    decimalComma: allowComma && commaNumbers > dotNumbers,
    bom,
    header: hasHeader ? first : null,
    preamble: lines.slice(0, start).filter((l) => l.trim() !== ''),
    skipLines: hasHeader ? start + 1 : start,
    fieldCount: count,
    rows,
    rowLines,
  };
}
