import { AppError } from '../../lib/errors.js';

/**
 * Splits a byte stream into text lines (LF or CRLF, last line without a newline included, UTF-8 BOM
 * dropped), holding at most one line plus one incoming piece. For the small and medium text formats
 * (Empatica E4 CSVs) where a string per line is fast enough.
 */
export async function* textLines(source: AsyncIterable<Uint8Array>, maxLineBytes = 1 << 20, what = 'text file'): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let carry = '';
  let first = true;
  let line = 0;
  for await (const bytes of source) {
    let text = carry + decoder.decode(bytes, { stream: true });
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    let p = 0;
    for (;;) {
      const nl = text.indexOf('\n', p);
      if (nl < 0) break;
      line++;
      yield text.charCodeAt(nl - 1) === 13 && nl > p ? text.slice(p, nl - 1) : text.slice(p, nl);
      p = nl + 1;
    }
    carry = text.slice(p);
    if (carry.length > maxLineBytes) {
      throw new AppError('format_limits', `Line ${line + 1} is longer than ${maxLineBytes} characters; this is not a ${what}.`, { line: line + 1 });
    }
  }
  carry += decoder.decode();
  if (first && carry.charCodeAt(0) === 0xfeff) carry = carry.slice(1);
  if (carry.length > 0) yield carry.endsWith('\r') ? carry.slice(0, -1) : carry;
}
