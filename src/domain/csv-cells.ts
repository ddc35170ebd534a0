/**
 * Cells of the CSV files FieldSense writes (RFC 4180), safe to open in a spreadsheet.
 *
 * Text that a spreadsheet would take for a formula — a leading `=`, `+`, `-`, `@`, tab or carriage return (OWASP's
 * CSV injection list) — gets a leading apostrophe, which spreadsheets show as text and which any program reading
 * the file can strip. Only text cells are escaped: numbers are written as numbers (a negative value keeps its
 * minus). A cell holding a comma, a double quote, a line break or leading/trailing spaces is quoted, with its
 * quotes doubled. Everything else, Unicode included (right-to-left marks, emoji), is kept as it is.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text value as a CSV cell: neutralised if it would start a formula, quoted if it must be. */
export function csvText(value: string | null): string {
  if (value === null) return '';
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** A number as a CSV cell: the shortest text that reads back to the same value; empty for NaN and null. */
export function csvNumber(value: number | bigint | null): string {
  if (value === null) return '';
  if (typeof value === 'bigint') return value.toString();
  return Number.isFinite(value) ? String(value) : '';
}

/** One CSV line (without its line break). */
export function csvLine(cells: readonly string[]): string {
  return cells.join(',');
}
