/**
 * Names that come from user text — upload file names, archive entry names, file stems and column headers
 * that become stream names, labels — and the rules that make them bounded and safe. One place, pure, so
 * every path that turns user text into a name applies the same rules:
 *
 * - text is NFC-normalised (macOS sends `über` decomposed, NFD; Windows and Linux composed, NFC), so the
 *   same name compares equal whichever device sent it;
 * - control characters (C0, C1, DEL), bidirectional overrides and isolates (the "RTL override" trick that
 *   makes `evil‮vsc.exe` read as `evilexe.csv`), line and paragraph separators, the byte-order mark and
 *   unpaired surrogates are removed;
 * - every name has a hard bound, in UTF-8 bytes for file names (what file systems and object stores count)
 *   and in characters for stream names.
 *
 * None of these names is ever a path or an object key (keys are built from ids, see storage/keys.ts); the
 * bounds exist so that a hostile or merely long name cannot break anything that stores or shows it.
 */

/** Longest upload file name kept, in UTF-8 bytes (file systems allow 255; the rest is room for `(1)` suffixes). */
export const FILENAME_MAX_BYTES = 200;
/** Longest extension kept apart from the stem when a file name is shortened (`.parquet`, `.segments`). */
const EXTENSION_MAX_CHARS = 16;
/** Longest stream name: the samples route and the object keys accept `[a-z0-9_]{1,64}`. */
export const STREAM_NAME_MAX = 64;
/** A valid stream name. */
export const STREAM_NAME = /^[a-z0-9_]{1,64}$/;
/** Longest label for people (an archive entry name in a warning, a stream's source file), in characters. */
export const LABEL_MAX_CHARS = 200;
/** Hex digits of the hash that keeps shortened names apart. */
const HASH_DIGITS = 8;

// C0 and C1 controls and DEL; bidi embeddings, overrides, isolates and marks; line/paragraph separators; BOM.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const utf8 = new TextEncoder();

/** UTF-8 length of a string. */
export function utf8Bytes(s: string): number {
  return utf8.encode(s).length;
}

/**
 * User text made fit to show and store: NFC, without control or bidi-control characters, unpaired
 * surrogates replaced by U+FFFD, runs of white space collapsed to one space, trimmed. Not bounded.
 */
export function cleanText(raw: string): string {
  return raw
    .replace(LONE_SURROGATE, '\ufffd')
    .normalize('NFC')
    .replace(INVISIBLE, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}

/** The longest prefix of `s` (whole grapheme clusters: an emoji or a letter with its accents is never cut) within `fits`. */
function prefixWhile(s: string, fits: (prefix: string) => boolean): string {
  let out = '';
  for (const { segment } of graphemes(s)) {
    if (!fits(out + segment)) break;
    out += segment;
  }
  return out;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
function graphemes(s: string): Iterable<{ segment: string }> {
  return segmenter.segment(s);
}

/**
 * A label for people (an archive entry name shown in a warning, a stream's source file, a column name):
 * {@link cleanText}, then at most `maxChars` characters, a shortened label ending in `…`.
 */
export function cleanLabel(raw: string, maxChars = LABEL_MAX_CHARS): string {
  const s = cleanText(raw);
  if (s.length <= maxChars) return s;
  return `${prefixWhile(s, (p) => p.length <= maxChars - 1)}…`;
}

/**
 * An upload's file name as it is kept and shown: the last segment of whatever path the client sent
 * (`C:\Users\a\walk.csv` → `walk.csv`; never a path), {@link cleanText}, at most {@link FILENAME_MAX_BYTES}
 * UTF-8 bytes — a long name keeps its extension and loses the end of its stem, whole characters only.
 * `upload` when nothing is left (empty, only dots, only controls).
 */
export function cleanFilename(raw: string): string {
  const segments = cleanText(raw).split(/[/\\]/).map((s) => s.trim());
  let name = segments.filter((s) => s !== '').at(-1) ?? '';
  if (/^\.*$/.test(name)) name = '';
  if (name === '') return 'upload';
  if (utf8Bytes(name) <= FILENAME_MAX_BYTES) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= EXTENSION_MAX_CHARS + 1 && !/\s/.test(name.slice(dot)) ? name.slice(dot) : '';
  const budget = FILENAME_MAX_BYTES - utf8Bytes(ext);
  const stem = prefixWhile(name.slice(0, name.length - ext.length), (p) => utf8Bytes(p) <= budget).trimEnd();
  return `${stem || 'upload'}${ext}`;
}

/** A file name's stem: the last path segment without its extension (`data/Gyro.csv` → `Gyro`). */
export function fileStem(filename: string): string {
  const base = filename.split(/[/\\]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** FNV-1a (32-bit) as 8 hex digits: short, stable across runs and platforms, enough to keep names apart. */
function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (const b of utf8.encode(s)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(HASH_DIGITS, '0');
}

/** Letters folded to `[a-z0-9_]`: accents dropped (`über` → `uber`), anything else a single `_`. */
function slug(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * A stream name from any text, deterministic. A valid name (`[a-z0-9_]{1,64}`) is kept as it is
 * (`changed: false`). Anything else becomes a readable prefix of its letters and digits plus `_` and an
 * 8-digit hash of the whole input (`Über Sensor‮` → `uber_sensor_1c2e…`), at most {@link STREAM_NAME_MAX}
 * characters, `stream_<hash>` when no letter survives; `changed: true` so the caller can warn. Two
 * different inputs give different names (up to a hash collision, which callers that need unique names
 * resolve like any other clash).
 */
export function streamName(raw: string): { name: string; changed: boolean } {
  if (STREAM_NAME.test(raw)) return { name: raw, changed: false };
  const hash = shortHash(raw);
  const prefix = slug(raw).slice(0, STREAM_NAME_MAX - HASH_DIGITS - 1).replace(/_+$/, '') || 'stream';
  return { name: `${prefix}_${hash}`, changed: true };
}

/**
 * `base` with `suffix` appended (`accelerometer` + `_2`), shortening `base` so the result is still a valid
 * stream name. `base` must be a valid stream name and `suffix` of `[a-z0-9_]`, shorter than the bound.
 */
export function suffixedStreamName(base: string, suffix: string): string {
  const room = STREAM_NAME_MAX - suffix.length;
  return `${base.length <= room ? base : base.slice(0, room)}${suffix}`;
}

const ATTR_CHAR = /[A-Za-z0-9!#$&+^_`|~.-]/;

/**
 * A `Content-Disposition: attachment` header for a file name (RFC 6266): `filename*=UTF-8''…` with the name
 * percent-encoded as RFC 8187 (formerly 5987) says, after an ASCII `filename="…"` fallback for old clients
 * (non-ASCII letters folded to their base letter, anything else `_`, quotes and backslashes never inside).
 */
export function contentDispositionAttachment(filename: string): string {
  const name = cleanFilename(filename);
  const fallback = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]|["\\%]/g, '_');
  let encoded = '';
  for (const b of utf8.encode(name)) {
    const ch = String.fromCharCode(b);
    encoded += b < 0x80 && ATTR_CHAR.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
