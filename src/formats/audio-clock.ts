/** Start times that audio files carry as text (BWF, GUANO, MP4 and Vorbis tags). */

/** Unix epoch ns of an ISO 8601 / RFC 3339 time, or null when it does not parse or is not a plausible recording date. */
export function epochNsFromIso(text: string): bigint | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim());
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (!Number.isFinite(ms)) return null;
  let offsetMin = 0;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    offsetMin = (digits.startsWith('-') ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  const year = Number(y);
  // MP4 writers put 1904-01-01 or 1970-01-01 when they have no clock; nothing before 1990 is a real recording.
  if (year < 1990 || year > 2200) return null;
  const fracNs = frac === undefined ? 0n : BigInt(frac.padEnd(9, '0'));
  return BigInt(ms - offsetMin * 60_000) * 1_000_000n + fracNs;
}
