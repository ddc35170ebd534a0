import { LineSplitter, lineTooLong } from './line-splitter.js';

/**
 * Text lines of a byte stream: the one LineSplitter's lines (LF or CRLF, last line without a newline
 * included, a UTF-8 BOM dropped) decoded as UTF-8, for the small and medium text formats (Empatica E4 CSVs)
 * where a string per line is fast enough. A line longer than `maxLineBytes` is rejected (`format_limits`).
 */
export async function* textLines(source: AsyncIterable<Uint8Array>, maxLineBytes = 1 << 20, what = 'text file'): AsyncGenerator<string> {
  // The splitter drops the stream's BOM; a BOM-looking start of a later line is text, kept as it is.
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  const lines = new LineSplitter(source, { maxLine: maxLineBytes, bom: true });
  try {
    for (;;) {
      const line = await lines.next();
      if (line === null) return;
      if (lines.overlong) throw lineTooLong(lines.line, maxLineBytes, what);
      yield decoder.decode(line);
    }
  } finally {
    await lines.close();
  }
}
