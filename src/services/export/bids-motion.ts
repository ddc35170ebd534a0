/**
 * The dataset export as BIDS-Motion (the BIDS extension for motion data, BEP029, part of BIDS since 1.9.0):
 *
 *   dataset_description.json, README.md, participants.tsv + participants.json
 *   sub-<sub>/[ses-<ses>/]sub-<sub>[_ses-<ses>]_scans.tsv                     one row per motion.tsv, acq_time
 *   sub-<sub>/[ses-<ses>/]motion/<stem>_motion.tsv                           no header; columns = channels.tsv rows
 *                                   <stem>_motion.json, <stem>_channels.tsv, <stem>_events.tsv + <stem>_events.json
 *   <stem> = sub-<sub>[_ses-<ses>]_task-<task>_tracksys-<tracksys>[_run-<n>]
 *
 * Names. Labels are `[0-9a-zA-Z]` (BIDS allows `+` too; we never make one): the text with its accents dropped and
 * everything else removed, or `x<hash>` when nothing is left. Participants whose labels would be equal (ignoring
 * case, as macOS and Windows folders do) are told apart by a hash of their code, the first in code order keeping
 * the plain label; the code itself is kept in participants.tsv. Recordings whose entities (sub, ses, task,
 * tracksys) are equal get `_run-1`, `_run-2`, … in recordingId order. Because those names depend on every
 * recording, a recording is written to `.staging/` under the root and moved into place by `finish()`: the dataset
 * is the same whatever order the recordings come in.
 *
 * Cells. TSV is tab-separated, UTF-8, one line per row, `n/a` for a missing value (common-principles.md, "Tabular
 * files"). Samples are the shortest text that reads back to the same float32 (`float32Text`); a missing row or a
 * non-finite value is `n/a`. Text that people see (trial_type, units, channel names, placement) is cleaned
 * (domain/names.ts `cleanText`: no control or bidi characters, white space runs as one space); one with a double
 * quote is quoted with its quotes doubled, as the specification asks of strings holding tabs (RFC 4180). Text
 * kept exactly (an event's `label`, `source`, `annotation_id`, a participant's code) is written as the body of a
 * JSON string — `\t`, `\n`, `\"`, `\\`, `\uXXXX` for other control, bidi and invisible characters — so that
 * `JSON.parse('"' + cell + '"')` gives the text back; an empty text is `n/a`, the text "n/a" is `n\u002fa`.
 *
 * Nothing depends on the time of the run: the same recordings and samples give the same bytes.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import path from 'node:path';
import { AppError } from '../../lib/errors.js';
import { cleanText } from '../../domain/names.js';

/** The BIDS version the files follow (motion arrived in 1.9.0; `MISCChannelCount` is that version's name). */
export const BIDS_VERSION = '1.9.0';
/** Session label of a recording without one, in a dataset where others have one (BIDS: all or none). */
export const NO_SESSION_LABEL = 'none';
const STAGING = '.staging';
/** Longest label kept from a text before a hash takes over the tail. */
const LABEL_MAX = 48;
/** Bytes of motion.tsv gathered before a write (a few rows per channel; the stream buffers at most this much). */
const CHUNK_CHARS = 1 << 16;

export interface BidsChannel { stream: string; channel: string; sensor: string; unit: string }

export interface BidsRecording {
  /** The participant's code (any text). */
  participant: string;
  /** What the session label is made from (e.g. the recording's local date), or null for no ses- level. */
  session: string | null;
  recordingId: string;
  task: string;
  /** The device's name (`watch`, `Pixel 7`): the tracksys label and TrackingSystemName. */
  trackingSystem: string;
  /** The one sampling rate of motion.tsv. */
  rateHz: number;
  /** ISO 8601 time of the first sample (scans.tsv acq_time), or null. */
  startTime: string | null;
  /** motion.tsv's columns, in order. */
  channels: BidsChannel[];
  /** Onsets in seconds from the first sample of motion.tsv. */
  events: { onsetS: number; durationS: number; label: string; source: string; annotationId: string }[];
  device?: { manufacturer?: string; model?: string; placement?: string };
}

export interface BidsRecordingWriter {
  /** Rows `k < count` of `values[c][k]` (channel c); `missing[k] !== 0` writes the row as `n/a`. One call at a time. */
  writeBlock(values: Float32Array[], missing: Uint8Array, count: number): Promise<void>;
  /**
   * Closes motion.tsv and writes the recording's sidecars. Its files are staged (paths relative to the root,
   * under `.staging/`): their names in the dataset are settled by `finish()`, which moves them there.
   */
  end(): Promise<{ files: string[] }>;
}

type ChannelType = 'ACCEL' | 'ANGACCEL' | 'GYRO' | 'JNTANG' | 'LATENCY' | 'MAGN' | 'MISC' | 'ORNT' | 'POS' | 'VEL';
const CHANNEL_TYPES: readonly ChannelType[] = ['ACCEL', 'ANGACCEL', 'GYRO', 'JNTANG', 'LATENCY', 'MAGN', 'MISC', 'ORNT', 'POS', 'VEL'];

interface Staged {
  rec: BidsRecording;
  dir: string;
  state: 'open' | 'ended';
  samples: number;
}

/** The staged files of a recording, by the suffix they take in the dataset. */
const STAGED_FILES = ['motion.tsv', 'motion.json', 'channels.tsv', 'events.tsv', 'events.json'] as const;

export class BidsMotionWriter {
  private readonly staged = new Map<string, Staged>();
  private done = false;

  /** `root` must not exist or be empty. */
  constructor(private readonly root: string, private readonly dataset: { name: string; studySlug: string; version?: string }) {
    if (cleanText(dataset.name) === '') throw new AppError('validation_failed', 'The BIDS dataset needs a name (dataset_description.json "Name").');
    if (existsSync(root) && readdirSync(root).length > 0) {
      throw new AppError('conflict', `The folder ${root} is not empty: a BIDS dataset is written into a new or empty folder.`);
    }
  }

  /** Starts a recording's files; returns a writer for its motion.tsv rows. */
  beginRecording(r: BidsRecording): BidsRecordingWriter {
    if (this.done) throw new AppError('conflict', 'The BIDS dataset is already finished: no recording can be added.');
    checkRecording(r);
    if (this.staged.has(r.recordingId)) throw new AppError('conflict', `Recording ${r.recordingId} is in the BIDS dataset twice.`);
    const dir = path.join(STAGING, createHash('sha256').update(r.recordingId).digest('hex').slice(0, 20));
    mkdirSync(path.join(this.root, dir), { recursive: true });
    const entry: Staged = { rec: r, dir, state: 'open', samples: 0 };
    this.staged.set(r.recordingId, entry);
    return new MotionTsv(path.join(this.root, dir), entry);
  }

  /** Writes dataset_description.json, participants.tsv/json, README, and every scans.tsv; returns all files (relative paths, sorted). */
  async finish(): Promise<{ files: string[] }> {
    if (this.done) throw new AppError('conflict', 'The BIDS dataset is already finished.');
    const open = [...this.staged.values()].filter((s) => s.state !== 'ended').map((s) => s.rec.recordingId);
    if (open.length > 0) throw new AppError('conflict', `Recording(s) ${open.sort().join(', ')} were begun and never ended: call end() on each before finish().`);
    this.done = true;
    const files: string[] = [];
    const put = async (rel: string, text: string): Promise<void> => {
      await mkdir(path.dirname(path.join(this.root, rel)), { recursive: true });
      await writeFile(path.join(this.root, rel), text);
      files.push(rel);
    };
    const placed = placeRecordings([...this.staged.values()]);
    const scans = new Map<string, string[][]>();
    for (const p of placed) {
      await mkdir(path.join(this.root, p.folder, 'motion'), { recursive: true });
      for (const suffix of STAGED_FILES) {
        const rel = path.posix.join(p.folder, 'motion', `${p.stem}_${suffix}`);
        await rename(path.join(this.root, p.staged.dir, suffix), path.join(this.root, rel));
        files.push(rel);
      }
      const key = `${p.folder}/${p.folder.replaceAll('/', '_')}_scans.tsv`;
      const rows = scans.get(key) ?? [];
      rows.push([`motion/${p.stem}_motion.tsv`, acqTime(p.staged.rec.startTime)]);
      scans.set(key, rows);
    }
    for (const [rel, rows] of scans) await put(rel, tsv(['filename', 'acq_time'], rows.sort((a, b) => cmp(a[0] ?? '', b[0] ?? ''))));
    const participants = new Map(placed.map((p) => [p.sub, p.staged.rec.participant]));
    const prow = [...participants].sort((a, b) => cmp(a[0], b[0])).map(([sub, code]) => [`sub-${sub}`, exactCell(code)]);
    await put('participants.tsv', tsv(['participant_id', 'participant_code'], prow));
    await put('participants.json', json({
      participant_id: { Description: 'The participant\'s label in this dataset (letters and digits made from participant_code).' },
      participant_code: { Description: `The participant's code in the study, exactly: ${EXACT_RULE}` },
    }));
    const what = `Dataset export of the FieldSense study "${this.dataset.studySlug}"${this.dataset.version ? `, dataset version ${this.dataset.version}` : ''}.`;
    await put('dataset_description.json', json({
      Name: this.dataset.name,
      BIDSVersion: BIDS_VERSION,
      DatasetType: 'raw',
      GeneratedBy: [{ Name: 'FieldSense', Description: what }],
    }));
    await put('README.md', readme(this.dataset.name, what, placed.length, participants.size));
    await rm(path.join(this.root, STAGING), { recursive: true, force: true });
    return { files: files.sort(cmp) };
  }
}

/** motion.tsv of one recording, streamed: at most CHUNK_CHARS of text waits in memory, and writes wait for drain. */
class MotionTsv implements BidsRecordingWriter {
  private readonly out: WriteStream;
  private error: Error | null = null;
  private busy = false;

  constructor(private readonly dir: string, private readonly entry: Staged) {
    this.out = createWriteStream(path.join(dir, 'motion.tsv'));
    this.out.on('error', (e) => { this.error = e; });
  }

  async writeBlock(values: Float32Array[], missing: Uint8Array, count: number): Promise<void> {
    const nc = this.entry.rec.channels.length;
    if (this.entry.state !== 'open') throw new AppError('conflict', `Recording ${this.entry.rec.recordingId} has ended: no more rows.`);
    if (this.busy) throw new AppError('conflict', 'writeBlock was called before the previous block was written: await each call.');
    if (!Number.isInteger(count) || count < 0 || missing.length < count || values.length !== nc || values.some((v) => v.length < count)) {
      throw new AppError('validation_failed', `A block of recording ${this.entry.rec.recordingId} must have ${nc} channel arrays and a missing mask, each at least ${count} long.`);
    }
    this.busy = true;
    try {
      let text = '';
      for (let k = 0; k < count; k++) {
        if (missing[k] !== 0) {
          text += 'n/a' + '\tn/a'.repeat(nc - 1) + '\n';
        } else {
          let row = float32Text(values[0]![k]!);
          for (let c = 1; c < nc; c++) row += '\t' + float32Text(values[c]![k]!);
          text += row + '\n';
        }
        if (text.length >= CHUNK_CHARS) { await this.write(text); text = ''; }
      }
      if (text.length > 0) await this.write(text);
      this.entry.samples += count;
    } finally {
      this.busy = false;
    }
  }

  async end(): Promise<{ files: string[] }> {
    if (this.entry.state !== 'open' || this.busy) throw new AppError('conflict', `Recording ${this.entry.rec.recordingId} has ended or is still writing a block.`);
    this.entry.state = 'ended';
    this.out.end();
    await finished(this.out);
    if (this.error) throw this.error;
    const r = this.entry.rec;
    const sidecars = {
      'motion.json': json(motionJson(r, this.entry.samples)),
      'channels.tsv': channelsTsv(r),
      'events.tsv': eventsTsv(r.events),
      'events.json': json(EVENTS_JSON),
    };
    for (const [name, text] of Object.entries(sidecars)) await writeFile(path.join(this.dir, name), text);
    return { files: STAGED_FILES.map((f) => path.posix.join(this.entry.dir.split(path.sep).join('/'), f)) };
  }

  private async write(text: string): Promise<void> {
    if (this.error) throw this.error;
    if (!this.out.write(text)) await once(this.out, 'drain');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------------------------

interface Placed { staged: Staged; sub: string; folder: string; stem: string }

function hash8(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** A BIDS label (`[0-9a-zA-Z]+`) made from any text; deterministic, never empty. */
export function bidsLabel(text: string): string {
  const base = text.normalize('NFKD').replace(/[^0-9A-Za-z]/g, '');
  if (base === '') return `x${hash8(text)}`;
  return base.length <= LABEL_MAX ? base : `${base.slice(0, LABEL_MAX - 9)}x${hash8(text)}`;
}

/** Participant code → label, unique even ignoring case; independent of the order codes come in. */
export function participantLabels(codes: Iterable<string>): Map<string, string> {
  const groups = new Map<string, string[]>();
  for (const code of [...new Set(codes)].sort(cmp)) {
    const key = bidsLabel(code).toLowerCase();
    groups.set(key, [...(groups.get(key) ?? []), code]);
  }
  const out = new Map<string, string>();
  const seen = new Set<string>();
  for (const members of groups.values()) {
    members.forEach((code, i) => out.set(code, i === 0 ? bidsLabel(code) : `${bidsLabel(code)}x${hash8(code)}`));
  }
  for (const [code, label] of out) {
    if (seen.has(label.toLowerCase())) throw new AppError('conflict', `Participant code "${cleanText(code)}" gives the BIDS label ${label}, which another participant already has: rename one of them.`);
    seen.add(label.toLowerCase());
  }
  return out;
}

function placeRecordings(staged: Staged[]): Placed[] {
  const subs = participantLabels(staged.map((s) => s.rec.participant));
  const withSessions = staged.some((s) => s.rec.session !== null);
  const groups = new Map<string, { staged: Staged; entities: { sub: string; ses: string | null; task: string; tracksys: string } }[]>();
  for (const s of [...staged].sort((a, b) => cmp(a.rec.recordingId, b.rec.recordingId))) {
    const entities = {
      sub: subs.get(s.rec.participant)!,
      ses: withSessions ? (s.rec.session === null ? NO_SESSION_LABEL : bidsLabel(s.rec.session)) : null,
      task: bidsLabel(s.rec.task),
      tracksys: bidsLabel(s.rec.trackingSystem),
    };
    const key = [entities.sub, entities.ses ?? '', entities.task, entities.tracksys].join('/').toLowerCase();
    groups.set(key, [...(groups.get(key) ?? []), { staged: s, entities }]);
  }
  const placed: Placed[] = [];
  for (const members of groups.values()) {
    members.forEach(({ staged: s, entities: e }, i) => {
      const ses = e.ses === null ? [] : [`ses-${e.ses}`];
      const run = members.length > 1 ? [`run-${i + 1}`] : [];
      placed.push({
        staged: s,
        sub: e.sub,
        folder: [`sub-${e.sub}`, ...ses].join('/'),
        stem: [`sub-${e.sub}`, ...ses, `task-${e.task}`, `tracksys-${e.tracksys}`, ...run].join('_'),
      });
    });
  }
  return placed.sort((a, b) => cmp(`${a.folder}/${a.stem}`, `${b.folder}/${b.stem}`));
}

// ---------------------------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------------------------

function motionJson(r: BidsRecording, samples: number): Record<string, unknown> {
  const types = r.channels.map(channelKind);
  const count = (t: ChannelType): number => types.filter((k) => k.type === t).length;
  return {
    TaskName: r.task,
    SamplingFrequency: r.rateHz,
    TrackingSystemName: r.trackingSystem,
    ...(r.device?.manufacturer ? { Manufacturer: r.device.manufacturer } : {}),
    ...(r.device?.model ? { ManufacturersModelName: r.device.model } : {}),
    RecordingDuration: samples / r.rateHz,
    MotionChannelCount: r.channels.length,
    ...Object.fromEntries(CHANNEL_TYPES.map((t) => [`${t}ChannelCount`, count(t)])),
    TrackedPointsCount: 1,
    MissingValues: 'n/a',
  };
}

function channelsTsv(r: BidsRecording): string {
  const point = bidsLabel(r.trackingSystem);
  const placement = r.device?.placement ? textCell(r.device.placement) : 'n/a';
  const rows = r.channels.map((ch) => {
    const { type, component, units } = channelKind(ch);
    return [textCell(`${ch.stream}_${ch.channel}`), component, type, point, units, placement, textCell(`${ch.sensor} ${ch.channel} (stream ${ch.stream})`)];
  });
  return tsv(['name', 'component', 'type', 'tracked_point', 'units', 'placement', 'description'], rows);
}

const EXACT_RULE = 'the body of a JSON string (\\t, \\n, \\", \\\\ and \\uXXXX escapes for control, bidirectional and invisible characters): JSON.parse(\'"\' + value + \'"\') gives the text back; n/a is an empty text.';

const EVENTS_JSON = {
  onset: { Description: 'Start of the annotation, in seconds from the first sample of the motion.tsv file.', Units: 's' },
  duration: { Description: 'Length of the annotation in seconds (0: an instant).', Units: 's' },
  trial_type: { LongName: 'Label', Description: 'The annotation\'s label made fit to show: control and bidirectional characters removed, white space runs as one space.' },
  label: { Description: `The annotation's label exactly, as ${EXACT_RULE}` },
  source: { Description: `Who or what made the annotation (a person, a detector, a label file), as ${EXACT_RULE}` },
  annotation_id: { Description: `The annotation's id in the study, as ${EXACT_RULE}` },
};

function eventsTsv(events: BidsRecording['events']): string {
  const sorted = [...events].sort((a, b) => a.onsetS - b.onsetS || a.durationS - b.durationS || cmp(a.annotationId, b.annotationId) || cmp(a.label, b.label) || cmp(a.source, b.source));
  const rows = sorted.map((e) => [String(e.onsetS), String(e.durationS), textCell(e.label), exactCell(e.label), exactCell(e.source), exactCell(e.annotationId)]);
  return tsv(['onset', 'duration', 'trial_type', 'label', 'source', 'annotation_id'], rows);
}

function readme(name: string, what: string, recordings: number, participants: number): string {
  return [
    `# ${cleanText(name)}`, '', what, '',
    `BIDS-Motion (BIDS ${BIDS_VERSION}): ${participants} participant(s), ${recordings} recording(s).`,
    'Each recording is one `*_motion.tsv` (no header row; its columns are the rows of `*_channels.tsv`) at the',
    'sampling rate of its `*_motion.json`, with its annotations in `*_events.tsv`; `acq_time` in `*_scans.tsv` is the',
    'time of its first sample. Samples are float32 values written as the shortest text that reads back to them;',
    '`n/a` marks a missing sample. participants.tsv keeps each participant\'s code beside its label.', '',
  ].join('\n');
}

/** scans.tsv acq_time: `YYYY-MM-DDThh:mm:ss.ffffff[Z|±hh:mm]` (six fraction digits throughout), or n/a. */
function acqTime(iso: string | null): string {
  if (iso === null) return 'n/a';
  const m = ISO_TIME.exec(iso);
  if (!m) throw new AppError('validation_failed', `Start time "${cleanText(iso)}" is not an ISO 8601 date-time such as 2024-05-01T08:30:00.000Z.`);
  return `${m[1]}.${(m[2] ?? '').padEnd(6, '0').slice(0, 6)}${m[3] ?? ''}`;
}
const ISO_TIME = /^([0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60))(?:[.,]([0-9]+))?(Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?$/;

// ---------------------------------------------------------------------------------------------------------------
// Channels
// ---------------------------------------------------------------------------------------------------------------

/** BIDS type, component and units of a channel (motion.md "Restricted keyword list for channel type/component"). */
export function channelKind(ch: BidsChannel): { type: ChannelType; component: string; units: string } {
  const sensor = ch.sensor.toLowerCase();
  const axis = /^(?:quat_?|q)?([xyzw])$/i.exec(ch.channel)?.[1]?.toLowerCase() ?? null;
  const units = unitCell(ch.unit);
  const spatial = axis !== null && axis !== 'w' ? axis : null;
  if (spatial !== null) {
    if (/accel|gravity/.test(sensor)) return { type: 'ACCEL', component: spatial, units };
    if (/gyro/.test(sensor)) return { type: 'GYRO', component: spatial, units };
    if (/magnet/.test(sensor)) return { type: 'MAGN', component: spatial, units };
  }
  // Quaternions (x, y, z, w of an orientation stream): BIDS writes their units as n/a.
  if (axis !== null && /orientation|rotation|attitude|quaternion/.test(sensor)) return { type: 'ORNT', component: `quat_${axis}`, units: 'n/a' };
  // Euler angles (roll, pitch, yaw) follow each platform's axis convention, so no axis is claimed for them.
  return { type: 'MISC', component: 'n/a', units };
}

function unitCell(unit: string): string {
  const u = cleanText(unit);
  if (u === '' || /^(unknown|mixed|n\/a)$/i.test(u)) return 'n/a';
  return u === 'degC' ? 'oC' : textCell(u); // CMIXF, as common-principles.md recommends
}

function checkRecording(r: BidsRecording): void {
  const id = cleanText(r.recordingId) || '(no id)';
  const bad = (what: string): never => { throw new AppError('validation_failed', `Recording ${id} cannot be written as BIDS: ${what}`); };
  if (r.recordingId === '') bad('it has no recordingId.');
  if (cleanText(r.participant) === '') bad('its participant code is empty.');
  if (cleanText(r.task) === '') bad('its task is empty (BIDS needs task-<label> on motion files).');
  if (cleanText(r.trackingSystem) === '') bad('its tracking system (device name) is empty.');
  if (!Number.isFinite(r.rateHz) || r.rateHz <= 0) bad(`its sampling rate ${r.rateHz} Hz is not a positive number.`);
  if (r.channels.length === 0) bad('it has no channels.');
  const names = r.channels.map((c) => textCell(`${c.stream}_${c.channel}`));
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) bad(`channel name ${dup} appears twice.`);
  acqTime(r.startTime);
  for (const e of r.events) {
    if (!Number.isFinite(e.onsetS) || !Number.isFinite(e.durationS) || e.durationS < 0) {
      bad(`annotation ${cleanText(e.annotationId)} has onset ${e.onsetS} s and duration ${e.durationS} s (finite, duration ≥ 0).`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Cells
// ---------------------------------------------------------------------------------------------------------------

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function tsv(header: string[], rows: string[][]): string {
  return [header, ...rows].map((r) => r.join('\t') + '\n').join('');
}

// Characters JSON.stringify leaves as they are but that must not reach a reader unseen: DEL and C1 controls, bidi
// marks, embeddings, overrides and isolates, line/paragraph separators, the byte-order mark (as domain/names.ts).
const HIDDEN = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/g;
const escapeHidden = (s: string): string => s.replace(HIDDEN, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Text kept exactly, as the body of a JSON string (see the header of this file). */
export function exactCell(text: string): string {
  if (text === '') return 'n/a';
  if (text === 'n/a') return 'n\\u002fa';
  return escapeHidden(JSON.stringify(text).slice(1, -1));
}

/** Text for people: cleaned; quoted (quotes doubled) when it holds a double quote; n/a when empty. */
export function textCell(text: string): string {
  const s = cleanText(text);
  if (s === '') return 'n/a';
  return s.includes('"') ? `"${s.replaceAll('"', '""')}"` : s;
}

function json(value: unknown): string {
  return escapeHidden(JSON.stringify(value, null, 2)) + '\n';
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------------------------

const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** t × 10^s as a double (exact t < 2^53: one rounding for |s| ≤ 22, a correctly rounded parse beyond). */
function scaled(t: number, s: number): number {
  if (s >= 0) return s <= 22 ? t * POW10[s]! : Number(`${t}e${s}`);
  return s >= -22 ? t / POW10[-s]! : Number(`${t}e${s}`);
}

/**
 * The nearest p-significant-digit decimal t × 10^(n−p) that reads back (as a double rounded to float32) to `a`,
 * or -1. The decimals that read back to `a` form an interval around it, so one exists iff the p-digit decimal
 * just below or just above `a` is one; t0 − 1 … t0 + 2 covers both whatever the rounding of the quotient.
 * Equally near ones: the larger, as Number.prototype.toPrecision picks.
 */
function nearestDigits(a: number, n: number, p: number): number {
  const s = n - p;
  const t0 = Math.floor(s >= 0 ? a / scaled(1, s) : a * scaled(1, -s));
  let best = -1;
  let bestErr = Infinity;
  for (let t = Math.max(1, t0 - 1); t <= t0 + 2; t++) {
    const x = scaled(t, s);
    if (Math.fround(x) !== a) continue;
    const err = Math.abs(x - a);
    if (err <= bestErr) { best = t; bestErr = err; }
  }
  return best;
}

/**
 * The shortest decimal text that reads back to the same float32 (JavaScript's Number-to-string layout: `0.1`,
 * `9.80665`, `1e-7`, `3.4028235e+38`); `n/a` for NaN and ±Infinity, `0` for ±0.
 *
 * Hand-written because motion.tsv is all of these (a day at 100 Hz × 6 channels is 52 million values); the plain
 * way — `toPrecision(p)` for p = 1, 2, … until one reads back — took ~1.45 µs a value, this ~0.5–0.7 µs
 * (2 million random float32 values in [-10, 10], Node 20); the unit test checks both agree on random bit patterns
 * and on runs of consecutive float32 values.
 */
export function float32Text(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  if (v === 0) return '0';
  const neg = v < 0;
  const a = Math.abs(v);
  let n = Math.floor(Math.log10(a)) + 1; // 10^(n-1) ≤ a < 10^n
  if (scaled(1, n - 1) > a) n--;
  else if (scaled(1, n) <= a) n++;
  // Nine significant digits always read back to a float32; find the fewest that do (it only gets easier with p).
  let lo = 1;
  let hi = 9;
  let t = nearestDigits(a, n, 9);
  while (lo < hi) {
    const p = (lo + hi) >> 1;
    const found = nearestDigits(a, n, p);
    if (found >= 0) { hi = p; t = found; } else lo = p + 1;
  }
  const all = String(t); // hi digits, or hi + 1 after a carry (99 → 100)
  const point = n - hi + all.length;
  return (neg ? '-' : '') + layout(all.replace(/(?<=.)0+$/, ''), point);
}

/** ECMAScript Number::toString's layout of digits `ds` (no trailing zeros) worth 0.ds × 10^n. */
function layout(ds: string, n: number): string {
  const k = ds.length;
  if (k <= n && n <= 21) return ds + '0'.repeat(n - k);
  if (0 < n && n <= 21) return `${ds.slice(0, n)}.${ds.slice(n)}`;
  if (-6 < n && n <= 0) return `0.${'0'.repeat(-n)}${ds}`;
  const e = n - 1;
  return `${k === 1 ? ds : `${ds[0]}.${ds.slice(1)}`}e${e < 0 ? '-' : '+'}${Math.abs(e)}`;
}
