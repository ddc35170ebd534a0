/**
 * BIDS-Motion output, checked against the BIDS specification's text (bids-standard/bids-specification, master
 * of July 2026, the rules unchanged since v1.9.0 where noted), not against what the writer happens to write:
 *
 *  [motion.md]   src/modality-specific-files/motion.md
 *  [files]       src/schema/rules/files/raw/motion.yaml, channels.yaml, events.yaml; rules/files/common/tables.yaml
 *  [entities]    src/schema/rules/entities.yaml (entity order in file names)
 *  [formats]     src/schema/objects/formats.yaml (label, index, number, datetime, participant_relative)
 *  [columns]     src/schema/objects/columns.yaml; rules/tabular_data/motion.yaml, events.yaml, modality_agnostic.yaml
 *  [sidecar]     src/schema/rules/sidecars/motion.yaml; src/schema/objects/metadata.yaml (field types)
 *  [dataset]     src/schema/rules/json/dataset.yaml
 *  [tsv]         src/common-principles.md, "Tabular files"
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.js';
import { BidsMotionWriter, bidsLabel, channelKind, float32Text, participantLabels, type BidsChannel, type BidsRecording } from './bids-motion.js';

// [formats]
const LABEL = '[0-9a-zA-Z+]+';
const INDEX = '[0-9]+';
const NUMBER = /^ *[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)? *$/;
const DATETIME = /^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:2[0-3]|[01][0-9]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]{1,6})?(?:Z|[+-](?:2[0-3]|[01][0-9]):[0-5][0-9])?$/;
const PARTICIPANT_RELATIVE = /^(?!\/)(?!sub-)[0-9a-zA-Z+/_\-.]+$/;
// [columns] participant_id
const PARTICIPANT_ID = /^sub-[0-9a-zA-Z+]+$/;
// [files] + [entities]: sub, ses, task (required), tracksys (required for motion and channels), acq, run, suffix.
const MOTION_NAME = new RegExp(`^sub-(${LABEL})(?:_ses-(${LABEL}))?_task-(${LABEL})_tracksys-(${LABEL})(?:_acq-${LABEL})?(?:_run-(${INDEX}))?_(motion|channels|events)\\.(tsv|json)$`);
// [columns] motionChannels initial_columns, then the columns it defines (additional_columns: allowed_if_defined).
const CHANNELS_INITIAL = ['name', 'component', 'type', 'tracked_point', 'units'];
const CHANNELS_DEFINED = new Set([...CHANNELS_INITIAL, 'placement', 'reference_frame', 'description', 'sampling_frequency', 'status', 'status_description']);
// [motion.md] restricted keywords for component and type (n/a: "Channels that have no corresponding spatial axis").
const COMPONENTS = new Set(['x', 'y', 'z', 'quat_x', 'quat_y', 'quat_z', 'quat_w', 'n/a']);
const MOTION_TYPES = new Set(['ACCEL', 'ANGACCEL', 'GYRO', 'JNTANG', 'LATENCY', 'MAGN', 'MISC', 'ORNT', 'POS', 'VEL']);
// [sidecar] motionRecommended channel counts; [metadata] each `type: integer, minimum: 0`.
const COUNT_FIELDS = ['ACCELChannelCount', 'ANGACCELChannelCount', 'GYROChannelCount', 'JNTANGChannelCount', 'LATENCYChannelCount', 'MAGNChannelCount', 'MISCChannelCount', 'ORNTChannelCount', 'POSChannelCount', 'VELChannelCount', 'MotionChannelCount'];
// [metadata] DatasetType enum.
const DATASET_TYPES = ['raw', 'derivative', 'study'];

const roots: string[] = [];
function newRoot(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'fs-bids-'));
  roots.push(root);
  return path.join(root, 'dataset');
}
afterAll(() => { for (const r of roots) rmSync(r, { recursive: true, force: true }); });

/** Every file under root, relative, sorted. */
function walk(root: string, rel = ''): string[] {
  return readdirSync(path.join(root, rel)).flatMap((name) => {
    const p = path.posix.join(rel, name);
    return statSync(path.join(root, p)).isDirectory() ? walk(root, p) : [p];
  }).sort();
}

/** [tsv]: UTF-8, rows end in a line break, cells split on true tabs, every row as wide as the first. */
function readTsv(file: string, header = true): { columns: string[]; rows: string[][] } {
  const bytes = readFileSync(file);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  expect(text.endsWith('\n') || text === '').toBe(true);
  expect(text).not.toContain('\r');
  const lines = text === '' ? [] : text.slice(0, -1).split('\n').map((l) => l.split('\t'));
  const width = lines[0]?.length ?? 0;
  for (const l of lines) expect(l.length).toBe(width);
  if (!header) return { columns: [], rows: lines };
  const columns = lines[0] ?? [];
  for (const c of columns) expect(c).not.toBe('');
  expect(new Set(columns).size).toBe(columns.length);
  return { columns, rows: lines.slice(1) };
}

const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

/** An RFC 4180-quoted cell ("…" with "" for a quote) read back; an unquoted one as it is. */
const unquote = (cell: string): string => (cell.startsWith('"') && cell.endsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell);
/** The exact-text cells: the body of a JSON string (the writer's documented rule). */
const decodeExact = (cell: string): string => (cell === 'n/a' ? '' : (JSON.parse(`"${cell}"`) as string));

const IMU: BidsChannel[] = [
  ...['x', 'y', 'z'].map((channel) => ({ stream: 'accelerometer', channel, sensor: 'accelerometer', unit: 'm/s^2' })),
  ...['x', 'y', 'z'].map((channel) => ({ stream: 'gyroscope', channel, sensor: 'gyroscope', unit: 'rad/s' })),
];

const HOSTILE = [
  'walk\tfast',
  'line one\nline two\r\nthree',
  'say "hi"',
  '"starts with a quote',
  '中国人 🚶‍♀️ Zoë',
  'left\u202Etxt.exe\u202C right\u200F',
  'n/a',
  'back\\slash',
  '\u0000nul\u0007bell\u0085nel\u2028sep',
];

function recordings(): BidsRecording[] {
  return [
    {
      participant: 'P-001', session: '2024-05-01', recordingId: 'rec_b', task: 'free living', trackingSystem: 'watch', rateHz: 50,
      startTime: '2024-05-01T08:00:00.123456789Z', channels: IMU,
      events: HOSTILE.map((label, i) => ({ onsetS: 10 - i, durationS: i * 0.5, label, source: i % 2 ? 'detector:"walk"' : 'person\tA', annotationId: `ann_${i}` })),
      device: { manufacturer: 'Apple', model: 'Watch Series 9', placement: 'left wrist' },
    },
    {
      participant: 'P-001', session: '2024-05-01', recordingId: 'rec_a', task: 'free living', trackingSystem: 'watch', rateHz: 50,
      startTime: '2024-05-01T07:00:00+02:00', channels: IMU, events: [],
    },
    {
      participant: 'Zoë 2', session: '2024-05-02', recordingId: 'rec_c', task: 'free living', trackingSystem: 'Pixel 7', rateHz: 100,
      startTime: null, channels: IMU, events: [{ onsetS: 0.25, durationS: 0, label: 'tap', source: 'import', annotationId: 'ann_z' }],
    },
  ];
}

/** Deterministic samples: row k of channel c, with every 7th row of rec_b missing and one NaN. */
function block(rec: BidsRecording, from: number, count: number): { values: Float32Array[]; missing: Uint8Array } {
  const values = rec.channels.map((_, c) => Float32Array.from({ length: count }, (_, i) => Math.sin((from + i) / 10 + c) * 9.80665 + c / 3));
  const missing = Uint8Array.from({ length: count }, (_, i) => (rec.recordingId === 'rec_b' && (from + i) % 7 === 3 ? 1 : 0));
  if (rec.recordingId === 'rec_c' && from === 0) values[2]![5] = Number.NaN;
  return { values, missing };
}

/** Rows written per recording, in blocks of uneven sizes (one of them past the writer's 64 KiB text chunk). */
const BLOCKS: Record<string, number[]> = { rec_a: [1], rec_b: [5000, 37, 1200], rec_c: [250] };

async function writeDataset(root: string, order: number[]): Promise<{ files: string[]; ended: string[][] }> {
  const w = new BidsMotionWriter(root, { name: 'Walk "study" \u202E', studySlug: 'walk', version: 'sha256:ab12' });
  const recs = recordings();
  const ended: string[][] = [];
  for (const i of order) {
    const rec = recs[i]!;
    const out = w.beginRecording(rec);
    let from = 0;
    for (const n of BLOCKS[rec.recordingId]!) {
      const { values, missing } = block(rec, from, n);
      await out.writeBlock(values, missing, n);
      from += n;
    }
    ended.push((await out.end()).files);
  }
  return { ...(await w.finish()), ended };
}

describe('BidsMotionWriter', () => {
  const root = newRoot();
  let files: string[] = [];
  let ended: string[][] = [];
  beforeAll(async () => {
    ({ files, ended } = await writeDataset(root, [0, 1, 2]));
  });
  const motionDir = 'sub-P001/ses-20240501/motion';
  const stem = (run: number): string => `sub-P001_ses-20240501_task-freeliving_tracksys-watch_run-${run}`;

  it('lists every file it wrote, sorted, and leaves nothing else (the staging folder is gone)', () => {
    expect(files).toEqual(walk(root));
    expect([...files].sort()).toEqual(files);
    expect(files.some((f) => f.startsWith('.staging'))).toBe(false);
    expect(ended.flat().every((f) => f.startsWith('.staging/'))).toBe(true);
  });

  it('writes the files BIDS-Motion names, with the entities in order and valid labels ([files], [entities], [formats])', () => {
    for (const f of ['dataset_description.json', 'participants.tsv', 'participants.json', 'README.md']) expect(files).toContain(f);
    const data = files.filter((f) => f.includes('/motion/'));
    for (const f of data) {
      const [sub, ses, dir, name] = f.split('/');
      expect(dir).toBe('motion');
      const m = MOTION_NAME.exec(name!);
      expect(m, name).not.toBeNull();
      expect(`sub-${m![1]}`).toBe(sub);
      expect(`ses-${m![2]}`).toBe(ses);
    }
    // Each tracking system's motion.tsv comes with its motion.json and channels.tsv [motion.md]; events carry tracksys.
    const stems = new Set(data.map((f) => f.replace(/_(motion|channels|events)\.(tsv|json)$/, '')));
    expect([...stems].sort()).toEqual([
      `${motionDir}/${stem(1)}`,
      `${motionDir}/${stem(2)}`,
      'sub-Zoe2/ses-20240502/motion/sub-Zoe2_ses-20240502_task-freeliving_tracksys-Pixel7',
    ]);
    for (const s of stems) {
      for (const suffix of ['_motion.tsv', '_motion.json', '_channels.tsv', '_events.tsv', '_events.json']) expect(files).toContain(s + suffix);
    }
  });

  it('numbers two recordings of one participant, device and session run-1, run-2 in recordingId order', () => {
    // rec_a (1 row) sorts before rec_b (6237 rows)
    expect(readTsv(path.join(root, motionDir, `${stem(1)}_motion.tsv`), false).rows).toHaveLength(1);
    expect(readTsv(path.join(root, motionDir, `${stem(2)}_motion.tsv`), false).rows).toHaveLength(6237);
  });

  it('dataset_description.json has the required Name and BIDSVersion and a valid DatasetType ([dataset])', () => {
    const d = readJson(path.join(root, 'dataset_description.json'));
    expect(d.Name).toBe('Walk "study" \u202E');
    expect(d.BIDSVersion).toMatch(/^1\.(9|1[0-9])\.[0-9]+$/);
    expect(DATASET_TYPES).toContain(d.DatasetType);
    expect(d.GeneratedBy).toEqual([{ Name: 'FieldSense', Description: expect.stringContaining('sha256:ab12') as unknown }]);
    // An RTL override reaches no reader unseen: it is escaped in the JSON text, and JSON gives it back.
    expect(readFileSync(path.join(root, 'dataset_description.json'), 'utf8')).toContain('\\u202e');
  });

  it('participants.tsv: participant_id first, one row per participant, the code kept exactly ([columns])', () => {
    const { columns, rows } = readTsv(path.join(root, 'participants.tsv'));
    expect(columns[0]).toBe('participant_id');
    for (const r of rows) expect(r[0]).toMatch(PARTICIPANT_ID);
    expect(rows.map((r) => [r[0], decodeExact(r[1]!)])).toEqual([['sub-P001', 'P-001'], ['sub-Zoe2', 'Zoë 2']]);
    const dict = readJson(path.join(root, 'participants.json'));
    for (const c of columns) expect(dict[c]).toHaveProperty('Description');
  });

  it('scans.tsv: filename first, one row per motion.tsv, relative to the scans file, acq_time a BIDS datetime ([columns], [formats])', () => {
    const scans = files.filter((f) => f.endsWith('_scans.tsv'));
    expect(scans).toEqual(['sub-P001/ses-20240501/sub-P001_ses-20240501_scans.tsv', 'sub-Zoe2/ses-20240502/sub-Zoe2_ses-20240502_scans.tsv']);
    const listed: string[] = [];
    for (const s of scans) {
      const { columns, rows } = readTsv(path.join(root, s));
      expect(columns).toEqual(['filename', 'acq_time']);
      for (const [filename, acq] of rows) {
        expect(filename).toMatch(PARTICIPANT_RELATIVE);
        expect(statSync(path.join(root, path.dirname(s), filename!)).isFile()).toBe(true);
        if (acq !== 'n/a') expect(acq).toMatch(DATETIME);
        listed.push(path.posix.join(path.dirname(s), filename!));
      }
    }
    expect(listed.sort()).toEqual(files.filter((f) => f.endsWith('_motion.tsv')));
    const p001 = readTsv(path.join(root, scans[0]!)).rows;
    expect(p001).toEqual([
      [`motion/${stem(1)}_motion.tsv`, '2024-05-01T07:00:00.000000+02:00'],
      [`motion/${stem(2)}_motion.tsv`, '2024-05-01T08:00:00.123456Z'],
    ]);
  });

  it('channels.tsv: the required columns in the required order, defined extras only, restricted keywords ([columns], [motion.md])', () => {
    for (const f of files.filter((x) => x.endsWith('_channels.tsv'))) {
      const { columns, rows } = readTsv(path.join(root, f));
      expect(columns.slice(0, 5)).toEqual(CHANNELS_INITIAL);
      for (const c of columns) expect(CHANNELS_DEFINED.has(c), c).toBe(true);
      const col = (name: string): number => columns.indexOf(name);
      for (const r of rows) {
        expect(COMPONENTS.has(r[col('component')]!)).toBe(true);
        expect(MOTION_TYPES.has(r[col('type')]!)).toBe(true);
        // ACCEL, GYRO, MAGN: "Column component for the axis MUST be added (x, y, or z)".
        if (['ACCEL', 'GYRO', 'MAGN'].includes(r[col('type')]!)) expect(['x', 'y', 'z']).toContain(r[col('component')]);
      }
      expect(rows.map((r) => [r[col('name')], r[col('component')], r[col('type')], r[col('units')]])).toEqual([
        ['accelerometer_x', 'x', 'ACCEL', 'm/s^2'], ['accelerometer_y', 'y', 'ACCEL', 'm/s^2'], ['accelerometer_z', 'z', 'ACCEL', 'm/s^2'],
        ['gyroscope_x', 'x', 'GYRO', 'rad/s'], ['gyroscope_y', 'y', 'GYRO', 'rad/s'], ['gyroscope_z', 'z', 'GYRO', 'rad/s'],
      ]);
    }
    const watch = readTsv(path.join(root, motionDir, `${stem(2)}_channels.tsv`));
    expect(new Set(watch.rows.map((r) => r[watch.columns.indexOf('placement')]))).toEqual(new Set(['left wrist']));
  });

  it('motion.json: SamplingFrequency and TaskName (required), integer channel counts that match channels.tsv ([sidecar])', () => {
    for (const f of files.filter((x) => x.endsWith('_motion.json'))) {
      const j = readJson(path.join(root, f));
      expect(typeof j.SamplingFrequency).toBe('number');
      expect(typeof j.TaskName).toBe('string');
      expect(typeof j.TrackingSystemName).toBe('string');
      for (const k of COUNT_FIELDS) expect(Number.isInteger(j[k]) && (j[k] as number) >= 0, k).toBe(true);
      const { columns, rows } = readTsv(path.join(root, f.replace(/_motion\.json$/, '_channels.tsv')));
      expect(j.MotionChannelCount).toBe(rows.length);
      for (const t of MOTION_TYPES) expect(j[`${t}ChannelCount`]).toBe(rows.filter((r) => r[columns.indexOf('type')] === t).length);
    }
    const b = readJson(path.join(root, motionDir, `${stem(2)}_motion.json`));
    expect(b).toMatchObject({ TaskName: 'free living', SamplingFrequency: 50, TrackingSystemName: 'watch', Manufacturer: 'Apple', ManufacturersModelName: 'Watch Series 9', ACCELChannelCount: 3, GYROChannelCount: 3, MotionChannelCount: 6, RecordingDuration: 6237 / 50 });
  });

  it('motion.tsv: no header, as many columns as channels.tsv has rows, numbers or n/a, the samples read back exactly ([motion.md], [tsv])', () => {
    for (const f of files.filter((x) => x.endsWith('_motion.tsv'))) {
      const { rows } = readTsv(path.join(root, f), false);
      const channels = readTsv(path.join(root, f.replace(/_motion\.tsv$/, '_channels.tsv'))).rows;
      for (const r of rows) {
        expect(r).toHaveLength(channels.length);
        for (const cell of r) expect(cell === 'n/a' || NUMBER.test(cell), cell).toBe(true);
      }
    }
    const recs = recordings();
    for (const [rec, file] of [[recs[0]!, `${motionDir}/${stem(2)}_motion.tsv`], [recs[2]!, files.find((f) => f.startsWith('sub-Zoe2') && f.endsWith('_motion.tsv'))!]] as const) {
      const { rows } = readTsv(path.join(root, file), false);
      const total = BLOCKS[rec.recordingId]!.reduce((a, b) => a + b, 0);
      expect(rows).toHaveLength(total);
      const { values, missing } = block(rec, 0, total);
      rows.forEach((r, k) => {
        if (missing[k]) expect(r).toEqual(Array(6).fill('n/a'));
        else r.forEach((cell, c) => (Number.isNaN(values[c]![k]) ? expect(cell).toBe('n/a') : expect(Math.fround(Number(cell))).toBe(values[c]![k])));
      });
    }
    const b = readTsv(path.join(root, motionDir, `${stem(2)}_motion.tsv`), false).rows;
    expect(b[3]).toEqual(['n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a']);
    expect(b.filter((r) => r[0] === 'n/a')).toHaveLength(Math.floor((6237 - 4) / 7) + 1);
  });

  it('events.tsv: onset and duration first, numbers, sorted onsets; hostile labels stay in their cell and read back ([columns], [tsv])', () => {
    const f = path.join(root, motionDir, `${stem(2)}_events.tsv`);
    const { columns, rows } = readTsv(f);
    // No character a reader might take for a line break (NEL, LS, PS) or that reorders text (bidi controls), in any cell.
    // eslint-disable-next-line no-control-regex -- the test looks for control characters
    expect(readFileSync(f, 'utf8')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/);
    expect(columns.slice(0, 2)).toEqual(['onset', 'duration']);
    expect(rows).toHaveLength(HOSTILE.length);
    const onsets = rows.map((r) => Number(r[0]));
    expect(onsets).toEqual([...onsets].sort((a, b) => a - b));
    for (const r of rows) {
      expect(r[0]).toMatch(NUMBER);
      expect(r[1]).toMatch(NUMBER);
      expect(Number(r[1])).toBeGreaterThanOrEqual(0);
    }
    const col = (name: string): number => columns.indexOf(name);
    const byId = new Map(rows.map((r) => [decodeExact(r[col('annotation_id')]!), r]));
    HOSTILE.forEach((label, i) => {
      const r = byId.get(`ann_${i}`)!;
      expect(Number(r[0])).toBe(10 - i);
      expect(decodeExact(r[col('label')]!)).toBe(label);
      expect(decodeExact(r[col('source')]!)).toBe(i % 2 ? 'detector:"walk"' : 'person\tA');
      const shown = unquote(r[col('trial_type')]!);
      // eslint-disable-next-line no-control-regex -- the test looks for control characters
      expect(shown).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2028\u2029]/);
    });
    expect(unquote(byId.get('ann_0')![col('trial_type')]!)).toBe('walk fast');
    expect(unquote(byId.get('ann_2')![col('trial_type')]!)).toBe('say "hi"');
    expect(byId.get('ann_3')![col('trial_type')]).toBe('"""starts with a quote"');
    expect(unquote(byId.get('ann_4')![col('trial_type')]!)).toBe('中国人 🚶‍♀️ Zoë');
    // The label "n/a" is not BIDS's missing value.
    expect(byId.get('ann_6')![col('label')]).not.toBe('n/a');
    const dict = readJson(f.replace(/\.tsv$/, '.json'));
    for (const c of columns) expect(dict[c]).toHaveProperty('Description');
    expect(readTsv(path.join(root, motionDir, `${stem(1)}_events.tsv`))).toEqual({ columns, rows: [] });
  });

  it('writes the same bytes again, whatever order the recordings come in', async () => {
    const again = newRoot();
    const second = await writeDataset(again, [2, 0, 1]);
    expect(second.files).toEqual(files);
    for (const f of files) expect(readFileSync(path.join(again, f)).equals(readFileSync(path.join(root, f))), f).toBe(true);
  });
});

describe('BidsMotionWriter without sessions', () => {
  it('has no ses- level when no recording has a session, and quaternion and Euler channels get their BIDS kinds', async () => {
    const root = newRoot();
    const w = new BidsMotionWriter(root, { name: 'n', studySlug: 's' });
    const channels: BidsChannel[] = [
      ...['x', 'y', 'z', 'w'].map((channel) => ({ stream: 'attitude_quaternion', channel, sensor: 'orientation', unit: '1' })),
      { stream: 'attitude', channel: 'roll', sensor: 'orientation', unit: 'rad' },
      { stream: 'magnetometer', channel: 'x', sensor: 'magnetometer', unit: 'uT' },
    ];
    const out = w.beginRecording({ participant: '7', session: null, recordingId: 'r', task: 'walk', trackingSystem: 'phone', rateHz: 10, startTime: null, channels, events: [] });
    await out.writeBlock(channels.map(() => new Float32Array([0.1, -0])), new Uint8Array(2), 2);
    await out.end();
    const { files } = await w.finish();
    expect(files).toContain('sub-7/sub-7_scans.tsv');
    expect(files).toContain('sub-7/motion/sub-7_task-walk_tracksys-phone_motion.tsv');
    expect(readFileSync(path.join(root, 'sub-7/motion/sub-7_task-walk_tracksys-phone_motion.tsv'), 'utf8')).toBe('0.1\t0.1\t0.1\t0.1\t0.1\t0.1\n0\t0\t0\t0\t0\t0\n');
    const { rows } = readTsv(path.join(root, 'sub-7/motion/sub-7_task-walk_tracksys-phone_channels.tsv'));
    // [motion.md]: quaternion components quat_x … quat_w with units n/a; MAGN needs its axis.
    expect(rows.map((r) => r.slice(1, 3).concat(r[4]!))).toEqual([
      ['quat_x', 'ORNT', 'n/a'], ['quat_y', 'ORNT', 'n/a'], ['quat_z', 'ORNT', 'n/a'], ['quat_w', 'ORNT', 'n/a'],
      ['n/a', 'MISC', 'rad'], ['x', 'MAGN', 'uT'],
    ]);
    expect(readJson(path.join(root, 'sub-7/motion/sub-7_task-walk_tracksys-phone_motion.json'))).toMatchObject({ ORNTChannelCount: 4, MISCChannelCount: 1, MAGNChannelCount: 1, MotionChannelCount: 6 });
  });
});

describe('bad input', () => {
  const rec = (over: Partial<BidsRecording>): BidsRecording => ({ participant: 'p', session: null, recordingId: 'r1', task: 't', trackingSystem: 'd', rateHz: 10, startTime: null, channels: IMU, events: [], ...over });
  const code = (f: () => unknown): string => {
    try { f(); } catch (e) { return e instanceof AppError ? e.code : `not an AppError: ${String(e)}`; }
    return 'no error';
  };

  it('refuses recordings BIDS cannot hold, with validation_failed', () => {
    const w = new BidsMotionWriter(newRoot(), { name: 'n', studySlug: 's' });
    expect(code(() => w.beginRecording(rec({ rateHz: 0 })))).toBe('validation_failed');
    expect(code(() => w.beginRecording(rec({ channels: [] })))).toBe('validation_failed');
    expect(code(() => w.beginRecording(rec({ task: ' \t' })))).toBe('validation_failed');
    expect(code(() => w.beginRecording(rec({ startTime: '1 May 2024' })))).toBe('validation_failed');
    expect(code(() => w.beginRecording(rec({ channels: [IMU[0]!, IMU[0]!] })))).toBe('validation_failed');
    expect(code(() => w.beginRecording(rec({ events: [{ onsetS: 1, durationS: -1, label: 'a', source: 's', annotationId: 'a' }] })))).toBe('validation_failed');
    expect(code(() => new BidsMotionWriter(newRoot(), { name: '', studySlug: 's' }))).toBe('validation_failed');
  });

  it('refuses a second copy of a recording, a block of the wrong shape, and finishing with a recording open', async () => {
    const root = newRoot();
    const w = new BidsMotionWriter(root, { name: 'n', studySlug: 's' });
    const out = w.beginRecording(rec({}));
    expect(code(() => w.beginRecording(rec({})))).toBe('conflict');
    await expect(out.writeBlock([new Float32Array(3)], new Uint8Array(3), 3)).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(out.writeBlock(IMU.map(() => new Float32Array(2)), new Uint8Array(2), 3)).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(w.finish()).rejects.toMatchObject({ code: 'conflict' });
    await out.end();
    await expect(out.writeBlock(IMU.map(() => new Float32Array(1)), new Uint8Array(1), 1)).rejects.toMatchObject({ code: 'conflict' });
    await w.finish();
    expect(code(() => new BidsMotionWriter(root, { name: 'n', studySlug: 's' }))).toBe('conflict');
  });
});

describe('labels', () => {
  it('makes letters-and-digits labels, never empty', () => {
    expect(bidsLabel('P-001')).toBe('P001');
    expect(bidsLabel('Zoë Ångström')).toBe('ZoeAngstrom');
    expect(bidsLabel('Pixel 7')).toBe('Pixel7');
    expect(bidsLabel('李雷')).toMatch(/^x[0-9a-f]{8}$/);
    expect(bidsLabel('李雷')).not.toBe(bidsLabel('韩梅梅'));
    expect(bidsLabel('a'.repeat(200))).toMatch(/^a{39}x[0-9a-f]{8}$/);
  });

  it('tells apart participants whose labels would match (even only by case), the same whatever the order', () => {
    const codes = ['P001', 'P-001', 'p001', 'P 002'];
    const a = participantLabels(codes);
    const b = participantLabels([...codes].reverse());
    expect([...a].sort()).toEqual([...b].sort());
    const labels = [...a.values()];
    expect(new Set(labels.map((l) => l.toLowerCase())).size).toBe(codes.length);
    for (const l of labels) expect(l).toMatch(new RegExp(`^${LABEL}$`));
    expect(a.get('P 002')).toBe('P002');
    expect(a.get('P-001')).toBe('P001'); // first of its group in code order ('-' < '0')
  });

  it('gives channels their BIDS type from the sensor', () => {
    expect(channelKind({ stream: 'gravity', channel: 'z', sensor: 'gravity', unit: 'm/s^2' })).toEqual({ type: 'ACCEL', component: 'z', units: 'm/s^2' });
    expect(channelKind({ stream: 'user_acceleration', channel: 'x', sensor: 'user_acceleration', unit: 'g' })).toEqual({ type: 'ACCEL', component: 'x', units: 'g' });
    expect(channelKind({ stream: 'temp', channel: 'value', sensor: 'temperature', unit: 'degC' })).toEqual({ type: 'MISC', component: 'n/a', units: 'oC' });
    expect(channelKind({ stream: 'accelerometer', channel: 'magnitude', sensor: 'accelerometer', unit: 'm/s^2' })).toEqual({ type: 'MISC', component: 'n/a', units: 'm/s^2' });
  });
});

describe('float32Text', () => {
  /** The plain definition: the fewest significant digits (toPrecision) that read back to the same float32. */
  function reference(v: number): string {
    if (!Number.isFinite(v)) return 'n/a';
    if (v === 0) return '0';
    for (let p = 1; p < 9; p++) {
      const s = v.toPrecision(p);
      if (Math.fround(Number(s)) === v) return String(Number(s));
    }
    return String(Number(v.toPrecision(9)));
  }
  const bits = new Uint32Array(1);
  const f32 = new Float32Array(bits.buffer);

  it('writes known values as their shortest text', () => {
    const cases: [number, string][] = [
      [0.1, '0.1'], [1 / 3, '0.33333334'], [9.80665, '9.80665'], [-2.5, '-2.5'], [16777216, '16777216'], [123456789, '123456790'],
      [1e-7, '1e-7'], [1e-6, '0.000001'], [1e21, '1e+21'], [3.4028234663852886e38, '3.4028235e+38'], [1.401298464324817e-45, '1e-45'],
      [2 ** -126, '1.1754944e-38'], [-0, '0'], [Number.NaN, 'n/a'], [Number.POSITIVE_INFINITY, 'n/a'],
    ];
    for (const [v, s] of cases) expect(float32Text(Math.fround(v)), String(v)).toBe(s);
  });

  it('agrees with the plain definition on random bit patterns and on runs of neighbouring float32 values', () => {
    let seed = 12345;
    const next = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed; };
    const mismatches: string[] = [];
    const check = (): void => {
      const v = f32[0]!;
      if (Number.isFinite(v) && float32Text(v) !== reference(v)) mismatches.push(`${v}: ${float32Text(v)} vs ${reference(v)}`);
    };
    for (let i = 0; i < 200_000; i++) { bits[0] = next(); check(); }
    // around 1 (ties such as 1.00390625), 10, the smallest subnormals, the largest finite value
    for (const start of [0x3f800000, 0x41200000, 0x00000001, 0x7f7f0000]) for (let b = start; b < start + 20_000; b++) { bits[0] = b; check(); }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});
