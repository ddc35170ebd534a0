/**
 * ZIP entry names: decoding (UTF-8 flag, else CP437 as the format says, with UTF-8 tried first because
 * macOS and most phone apps write UTF-8 without setting the flag) and the safety rules. An entry name is
 * only ever a label for people (StreamInfo.sourceFile, warnings) and a hint to member readers; it is never
 * used as a path or a storage key, but names that would escape a folder are still refused, because an
 * archive that carries them was made to attack whatever unpacks it.
 */

/** CP437 code points for bytes 0x80–0xFF (the IBM PC character set ZIP names default to). */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const utf8Loose = new TextDecoder('utf-8', { fatal: false });

/**
 * Longest entry name kept whole, in characters. The format allows 65,535 bytes, no file system makes a path
 * segment past 255 bytes, and a name is only a label: a longer one is shortened by {@link boundedEntryName}.
 */
export const ENTRY_NAME_MAX_CHARS = 512;
const KEEP_HEAD = 240;
const KEEP_TAIL = 240;

/** Decodes a raw entry name: UTF-8 when flagged (or valid UTF-8), else CP437; NFC; bounded (see {@link boundedEntryName}). */
export function decodeEntryName(raw: Uint8Array, utf8Flag: boolean): string {
  return boundedEntryName(decodeEntryNameBytes(raw, utf8Flag).normalize('NFC'));
}

function decodeEntryNameBytes(raw: Uint8Array, utf8Flag: boolean): string {
  if (utf8Flag) return utf8Loose.decode(raw);
  let ascii = true;
  for (const b of raw) {
    if (b >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return String.fromCharCode(...raw);
  try {
    return utf8Strict.decode(raw);
  } catch {
    let s = '';
    for (const b of raw) s += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80];
    return s;
  }
}

/**
 * A name of at most ~{@link ENTRY_NAME_MAX_CHARS} characters: a longer one keeps its beginning and its end
 * (folder, file name and extension, which member readers use as hints) around a `…`. What makes a name
 * unsafe is never cut away: when the part left out holds a backslash, a control character or a `..`
 * segment, that piece is kept too, so {@link unsafeNameReason} refuses the short name for the same reason.
 */
export function boundedEntryName(name: string): string {
  const cps = Array.from(name);
  if (cps.length <= ENTRY_NAME_MAX_CHARS) return name;
  const head = cps.slice(0, KEEP_HEAD).join('');
  const tail = cps.slice(cps.length - KEEP_TAIL).join('');
  const short = `${head}…${tail}`;
  const reason = unsafeNameReason(name);
  if (reason === null || unsafeNameReason(short) === reason) return short;
  // eslint-disable-next-line no-control-regex
  const evidence = /\\/.exec(name)?.[0] ?? /[\x00-\x1f\x7f]/.exec(name)?.[0] ?? '/../';
  return `${head}…${evidence}…${tail}`;
}

/** Why a name is unsafe (`../` segment, absolute, drive letter, backslash, control character), or null. */
export function unsafeNameReason(name: string): string | null {
  if (name.length === 0) return 'it is empty';
  if (name.includes('\\')) return 'it contains a backslash (a Windows path separator that can hide "..\\")';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) return 'it contains a control character';
  if (name.startsWith('/')) return 'it is an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'it starts with a drive letter';
  if (name.split('/').some((seg) => seg === '..')) return 'it has a ".." segment that climbs out of the folder';
  return null;
}

/** Directory entries (`folder/`). */
export function isDirectoryName(name: string): boolean {
  return name.endsWith('/');
}

/** The last path segment of an entry name (`2024-05-01_10-00-00/Accelerometer.csv` → `Accelerometer.csv`). */
export function baseName(name: string): string {
  const parts = name.split('/');
  return parts[parts.length - 1] ?? name;
}

/** Files that archivers and desktops add and that are never data: macOS resource forks, Finder and Explorer caches. */
export function isJunkName(name: string): boolean {
  if (name.startsWith('__MACOSX/') || name.includes('/__MACOSX/')) return true;
  const base = baseName(name);
  return base === '.DS_Store' || base.startsWith('._') || base === 'Thumbs.db' || base === 'desktop.ini' || base === '.localized';
}

const ARCHIVE_EXTENSIONS = ['.zip', '.gz', '.tgz', '.7z', '.tar', '.rar', '.bz2', '.xz', '.zst', '.lz4', '.lzma', '.z'];

/** A member whose name says it is itself an archive. */
export function isArchiveName(name: string): boolean {
  const lower = name.toLowerCase();
  return ARCHIVE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** A member whose first bytes are an archive's magic (ZIP, gzip, 7z, RAR, bzip2, xz, zstd, tar). */
export function archiveMagic(head: Uint8Array): string | null {
  const b = (i: number): number => head[i] ?? -1;
  if (b(0) === 0x50 && b(1) === 0x4b && (b(2) === 3 || b(2) === 5 || b(2) === 7)) return 'ZIP';
  if (b(0) === 0x1f && b(1) === 0x8b) return 'gzip';
  if (b(0) === 0x37 && b(1) === 0x7a && b(2) === 0xbc && b(3) === 0xaf && b(4) === 0x27 && b(5) === 0x1c) return '7z';
  if (b(0) === 0x52 && b(1) === 0x61 && b(2) === 0x72 && b(3) === 0x21) return 'RAR';
  if (b(0) === 0x42 && b(1) === 0x5a && b(2) === 0x68) return 'bzip2';
  if (b(0) === 0xfd && b(1) === 0x37 && b(2) === 0x7a && b(3) === 0x58 && b(4) === 0x5a) return 'xz';
  if (b(0) === 0x28 && b(1) === 0xb5 && b(2) === 0x2f && b(3) === 0xfd) return 'zstd';
  if (head.length >= 262 && String.fromCharCode(...head.subarray(257, 262)) === 'ustar') return 'tar';
  return null;
}
