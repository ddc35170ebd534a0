/** Start times that audio files carry as text (BWF, GUANO, MP4 and Vorbis tags). */
import { parseIsoTime } from '../delimited/delimited-time.js';

/** Unix epoch ns of an ISO 8601 / RFC 3339 time, or null when it does not parse or is not a plausible recording date. */
export function epochNsFromIso(text: string): bigint | null {
  const parsed = parseIsoTime(text);
  if (parsed === null) return null;
  // MP4 writers put 1904-01-01 or 1970-01-01 when they have no clock; nothing before 1990 is a real recording.
  const year = new Date(Number(parsed.ns / 1_000_000n)).getUTCFullYear();
  return year < 1990 || year > 2200 ? null : parsed.ns;
}
