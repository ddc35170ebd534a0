import type { ReaderEvent } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { peekHead } from '../common/byte-source.js';
import { isCoreMotionHeader } from './core-motion-columns.js';
import { COMMA, detectDialect, SEMICOLON, splitLine, TAB, toNumber } from './delimited-dialect.js';
import { readWithPlan } from './delimited-engine.js';
import { planDelimited } from './delimited-generic-plan.js';
import { MAX_COLUMNS } from './delimited-plan.js';
import type { FormatReader, SniffInput } from '../types.js';

/**
 * Any delimited text of sensor samples: CSV, TSV, semicolon (with decimal comma), white-space separated; with
 * or without a header (quoted, with units such as `"Time (s)"`), BOM, CRLF, a preamble. Covers phyphox
 * exports, `timestamp;x;y;z` loggers, UCI-HAR-style raw text and research CSVs. The dialect and the meaning
 * of each column are decided from the first 64 KiB (see delimited-generic-plan.ts); the rest streams
 * through a byte-level row parser. What cannot be decided is rejected with `csv_ambiguous`, naming the column.
 */

const HEAD_BYTES = 64 * 1024;
const LF = 10;

function decodeHead(head: Uint8Array, max = HEAD_BYTES): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, max));
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Most delimiters of one kind on a line (to spot a header of absurd width before it ends). */
function maxDelimiters(b: Uint8Array): number {
  let c = 0;
  let s = 0;
  let t = 0;
  for (const x of b) {
    if (x === COMMA) c++;
    else if (x === SEMICOLON) s++;
    else if (x === TAB) t++;
  }
  return Math.max(c, s, t);
}

/** Text: no NUL, under 1 % other control bytes. */
function isText(head: Uint8Array): boolean {
  let control = 0;
  for (const x of head) {
    if (x === 0) return false;
    if (x < 32 && x !== 9 && x !== 10 && x !== 13) control++;
  }
  return control <= head.length / 100;
}

/** Files other text readers own, so this one never claims them whatever the registry order. */
function belongsToAnotherReader(text: string): boolean {
  const lines = text.split('\n', 3).map((l) => l.replace(/\r$/, ''));
  const first = lines[0] ?? '';
  const delim = [COMMA, SEMICOLON, TAB].map((d) => ({ d, n: first.split(String.fromCharCode(d)).length })).sort((a, b) => b.n - a.n)[0]?.d ?? COMMA;
  const names = splitLine(first, delim, false);
  const lower = names.map((n) => n.toLowerCase());
  // Sensor Logger per-sensor CSV
  if (lower.includes('time') && lower.includes('seconds_elapsed')) return true;
  // Core Motion device-motion log
  if (isCoreMotionHeader(names)) return true;
  // Empatica E4: start time row and rate row, each one value repeated per column (or `<start>, IBI`)
  const sameNumber = (l: string): number | null => {
    const fs = l.split(',').map((f) => f.trim());
    const v = Number(fs[0]);
    return fs.length >= 1 && fs.length <= 3 && fs[0] !== '' && Number.isFinite(v) && fs.every((f) => Number(f) === v) ? v : null;
  };
  const start = sameNumber(first);
  const rate = sameNumber(lines[1] ?? '');
  if (start !== null && start > 1e8 && rate !== null && rate > 0 && rate <= 1000) return true;
  if (/^\s*\d{9,10}(\.\d+)?\s*,\s*IBI\s*$/i.test(first)) return true;
  return false;
}

function sniffGenericDelimited(input: SniffInput): boolean {
  const { head } = input;
  if (head.length === 0 || !isText(head)) return false;
  const text = decodeHead(head, 8192);
  if (/^\s*[{[<]/.test(text)) return false;
  if (belongsToAnotherReader(text)) return false;
  const complete = head.length < HEAD_BYTES;
  // A first line longer than the head with a thousand delimiters is a table too wide to read: claim it so the
  // reader can say so (format_limits) instead of "unrecognised".
  if (!complete && head.indexOf(LF) < 0) return maxDelimiters(head) >= 1000;
  const dialect = detectDialect(head, complete);
  if (dialect === null || dialect.rows.length === 0) return false;
  let numericColumns = 0;
  for (let i = 0; i < dialect.fieldCount; i++) {
    const values = dialect.rows.map((r) => r[i] ?? '').filter((v) => v !== '');
    if (values.length > 0 && values.filter((v) => Number.isFinite(toNumber(v, dialect.decimalComma))).length >= values.length / 2) numericColumns++;
  }
  return numericColumns >= 2;
}

async function* readGenericDelimited(source: AsyncIterable<Uint8Array>, filename: string, size: number): AsyncGenerator<ReaderEvent> {
  const peeked = await peekHead(source, HEAD_BYTES);
  const { head } = peeked;
  if (head.length === 0) throw new AppError('file_empty', 'The file is empty.');
  const complete = head.length < HEAD_BYTES || size <= head.length;
  if (!complete && head.indexOf(LF) < 0) {
    const n = maxDelimiters(head) + 1;
    if (n > MAX_COLUMNS) {
      throw new AppError('format_limits', `Line 1 has more than ${n} columns in its first 64 KiB; FieldSense reads at most ${MAX_COLUMNS} columns from one file.`, { line: 1 });
    }
    throw new AppError('format_limits', 'Line 1 is longer than 64 KiB; a header or row of a sensor table is far shorter, so this is not a table FieldSense can read.', { line: 1 });
  }
  if (!isText(head)) throw new AppError('csv_invalid', 'The file is not text: its first 64 KiB hold binary bytes.');
  const dialect = detectDialect(head, complete);
  if (dialect === null) {
    throw new AppError('csv_invalid', 'The first lines are not a table: no delimiter (comma, semicolon, tab, spaces) gives the same number of fields on every line.');
  }
  yield* readWithPlan(peeked.source, planDelimited(dialect, filename));
}

/** Any delimited text table of sensor samples (must be tried after every more specific text reader). */
export const genericDelimitedReader: FormatReader = {
  name: 'generic-delimited',
  description: 'Delimited text (CSV/TSV/semicolon/space-separated, e.g. phyphox, timestamp;x;y;z loggers, UCI-HAR raw text) with a time column or a stated rate',
  sniff: sniffGenericDelimited,
  read: (source, ctx) => readGenericDelimited(source, ctx.filename, ctx.size),
};
