/**
 * A plain CSV parser for the small side files of exports (Sensor Logger's Metadata.csv and Annotation.csv,
 * Empatica's tags.csv): quoted fields with `""` escapes and newlines, CRLF, a UTF-8 BOM, blank lines, and a
 * last line without a newline. Callers cap the bytes they pass in; this holds the whole text.
 */
export function parseSmallCsv(text: string): string[][] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endRow = (): void => {
    row.push(field);
    field = '';
    if (!(row.length === 1 && row[0]!.trim() === '')) rows.push(row);
    row = [];
  };
  while (i < s.length) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      if (field.endsWith('\r')) field = field.slice(0, -1);
      endRow();
    } else {
      field += c;
    }
    i++;
  }
  if (field.endsWith('\r')) field = field.slice(0, -1);
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** Index of the first header cell matching one of `names` (case- and space-insensitive), or -1. */
export function columnIndex(header: readonly string[], ...names: string[]): number {
  const norm = (s: string): string => s.trim().toLowerCase().replace(/[\s_]+/g, ' ');
  const wanted = names.map(norm);
  return header.findIndex((h) => wanted.includes(norm(h)));
}
