/**
 * The one reader of HTTP `Range: bytes=…` headers (RFC 9110 §14), for every server of the project that
 * answers range requests: the API's downloads and the loopback server that lets ffmpeg seek in an upload.
 */

/** What to send for a `Range` header, against a representation of `size` bytes. */
export type RangeAnswer =
  /** No Range, one the server ignores (malformed, another unit, ranges that do not coalesce): 200, the whole. */
  | { kind: 'whole' }
  /** One range, `end` inclusive and within the representation: 206. */
  | { kind: 'partial'; start: number; end: number }
  /** Well formed but none of its ranges is in the representation: 416. */
  | { kind: 'unsatisfiable' };

/** Past these the header is a broken client or a denial of service: ignored, as RFC 9110 §14.2 allows. */
const MAX_HEADER_CHARS = 4096;
const MAX_RANGES = 64;

const INT_RANGE = /^(\d+)-(\d*)$/;
const SUFFIX_RANGE = /^-(\d+)$/;

/**
 * Resolves a `Range` header (`bytes=a-b`, `bytes=a-`, `bytes=-n`, or a list of them) against `size` bytes.
 * An end past the last byte is clamped to it; ranges past the end are dropped, and 416 when none is left.
 * Several ranges are answered as one when they overlap or touch (a single-part 206), else as the whole (200):
 * the server never sends multipart/byteranges.
 */
export function resolveRange(header: string | undefined, size: number): RangeAnswer {
  const whole = { kind: 'whole' } as const;
  if (header === undefined || header.length > MAX_HEADER_CHARS || size <= 0) return whole;
  const eq = header.indexOf('=');
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return whole;
  // A list element may be empty (RFC 9110 §5.6.1): `bytes=0-1,,5-` is two ranges.
  const specs = header.slice(eq + 1).split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (specs.length === 0 || specs.length > MAX_RANGES) return whole;
  const ranges: { start: number; end: number }[] = [];
  for (const spec of specs) {
    const int = INT_RANGE.exec(spec);
    if (int) {
      const first = Number(int[1]);
      const last = int[2] === '' ? Infinity : Number(int[2]);
      if (last < first) return whole; // an invalid range-spec makes the header one to ignore
      if (first < size) ranges.push({ start: first, end: Math.min(last, size - 1) });
      continue;
    }
    const suffix = SUFFIX_RANGE.exec(spec);
    if (!suffix) return whole;
    const n = Number(suffix[1]);
    if (n > 0) ranges.push({ start: Math.max(0, size - n), end: size - 1 });
  }
  if (ranges.length === 0) return { kind: 'unsatisfiable' };
  ranges.sort((a, b) => a.start - b.start);
  const one = { ...ranges[0]! };
  for (const r of ranges.slice(1)) {
    if (r.start > one.end + 1) return whole;
    one.end = Math.max(one.end, r.end);
  }
  return { kind: 'partial', ...one };
}
