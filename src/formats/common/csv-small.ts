import { closingQuote, COMMA, QUOTE } from './csv-fields.js';

const LF = 10;
const SPACE = 32;
const TAB = 9;

/**
 * The row parser of whole small CSV tables: the side files of exports (Sensor Logger's Metadata.csv and
 * Annotation.csv, a ZIP member's header line), which callers cap before passing them in; this holds the
 * whole text. Rules: quoted fields with `""` escapes and newlines inside, CRLF, a UTF-8 BOM, blank lines
 * dropped, rows of any width, the last line without a newline; it never throws (a quote left open runs to
 * the end of the text), so sniffing a member cannot fail on it.
 *
 * Kept rather than a CSV library (csv-parse/sync was weighed): it applies the field rules of the sample hot
 * loops (csv-fields.ts: a quote opens a field only at its start — here after spaces — and `closingQuote`
 * finds its end, `""` escaped), so a side file and the sensor CSVs beside it read their quotes alike; and
 * csv-parse throws on a quote left open and, unless relaxed, on text after a closing quote, where a damaged
 * side file must still give its readable rows. Not a hot path: a few KiB per export.
 */
export function parseSmallCsv(text: string): string[][] {
  const b = new TextEncoder().encode(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const dec = new TextDecoder('utf-8', { ignoreBOM: true });
  const e = b.length;
  const rows: string[][] = [];
  let row: string[] = [];
  const endRow = (): void => {
    if (!(row.length === 1 && row[0]!.trim() === '')) rows.push(row);
    row = [];
  };
  let p = 0;
  while (p < e) {
    let value = '';
    let q = p;
    while (q < e && (b[q] === SPACE || b[q] === TAB)) q++;
    if (q < e && b[q] === QUOTE) {
      const close = closingQuote(b, q, e);
      value = dec.decode(b.subarray(q + 1, close)).replaceAll('""', '"');
      p = Math.min(close + 1, e);
    }
    // After a closing quote, or in an unquoted field, the bytes up to the next comma or newline are text.
    let z = p;
    while (z < e && b[z] !== COMMA && b[z] !== LF) z++;
    value += dec.decode(b.subarray(p, z));
    if (z < e && b[z] === COMMA) {
      row.push(value);
      p = z + 1;
      if (p === e) {
        row.push('');
        endRow();
      }
      continue;
    }
    row.push(value.endsWith('\r') ? value.slice(0, -1) : value);
    endRow();
    p = z + 1;
  }
  return rows;
}

/** Index of the first header cell matching one of `names` (case- and space-insensitive), or -1. */
export function columnIndex(header: readonly string[], ...names: string[]): number {
  const norm = (s: string): string => s.trim().toLowerCase().replace(/[\s_]+/g, ' ');
  const wanted = names.map(norm);
  return header.findIndex((h) => wanted.includes(norm(h)));
}
