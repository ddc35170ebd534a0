/**
 * The device and session facts of a recording: what the file says (kept verbatim, bounded) beside what the
 * uploading app declared, and where the two disagree.
 */
import type { RecordingMetadata } from './stream.js';

type Scalar = string | number | boolean | null;

/** Per value and per map: a file's header cannot make the recording's row large. */
const MAX_TEXT = 1000;
const MAX_ENTRIES = 200;

function boundedMap(m: Record<string, Scalar> | undefined): Record<string, Scalar> | undefined {
  if (m === undefined) return undefined;
  const out: Record<string, Scalar> = {};
  let n = 0;
  for (const [k, v] of Object.entries(m)) {
    if (n++ >= MAX_ENTRIES) break;
    out[k.slice(0, 200)] = typeof v === 'string' ? v.slice(0, MAX_TEXT) : typeof v === 'number' && !Number.isFinite(v) ? null : v;
  }
  return out;
}

/** The metadata as stored: strings cut at 1,000 characters, maps at 200 entries, non-finite numbers null. */
export function boundedMetadata(m: RecordingMetadata): RecordingMetadata {
  const device = m.device === undefined ? undefined : (boundedMap(m.device) as RecordingMetadata['device']);
  const session = boundedMap(m.session);
  const fields = boundedMap(m.fields);
  return {
    ...(device !== undefined ? { device } : {}),
    ...(m.timezone !== undefined ? { timezone: m.timezone.slice(0, 64) } : {}),
    ...(session !== undefined ? { session } : {}),
    ...(fields !== undefined ? { fields } : {}),
  };
}

/** Later metadata events refine earlier ones; device, session and field maps merge. */
export function mergeMetadata(a: RecordingMetadata, b: RecordingMetadata): RecordingMetadata {
  return {
    ...a,
    ...b,
    ...(a.device || b.device ? { device: { ...a.device, ...b.device } } : {}),
    ...(a.session || b.session ? { session: { ...a.session, ...b.session } } : {}),
    ...(a.fields || b.fields ? { fields: { ...a.fields, ...b.fields } } : {}),
  };
}

/** What the uploading app declared (the upload's `metadata` part). */
export interface DeclaredMetadata {
  device?: Record<string, unknown> | null;
  timezone?: string | null;
}

export interface MetadataConflict {
  field: string;
  upload: string;
  file: string;
}

const norm = (v: string): string => v.trim().toLowerCase().replace(/\s+/g, ' ');
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/**
 * Fields both sides give with different values (`device.model`, `device.platform`, `device.app`,
 * `timezone`), compared without case or surrounding spaces; one side's "Pixel 7" inside the other's
 * "Google Pixel 7" is no conflict.
 */
export function metadataConflicts(declared: DeclaredMetadata, file: RecordingMetadata): MetadataConflict[] {
  const out: MetadataConflict[] = [];
  const pairs: [string, string | undefined | null, string | undefined | null][] = [
    ['device.model', text(declared.device?.model), file.device?.model],
    ['device.platform', text(declared.device?.platform), file.device?.platform],
    ['device.app', text(declared.device?.app), file.device?.app],
    ['timezone', declared.timezone, file.timezone],
  ];
  for (const [field, u, f] of pairs) {
    if (u === undefined || u === null || u === '' || f === undefined || f === null || f === '') continue;
    const a = norm(u);
    const b = norm(f);
    if (a === b || a.includes(b) || b.includes(a)) continue;
    out.push({ field, upload: u.slice(0, 200), file: f.slice(0, 200) });
  }
  return out;
}
