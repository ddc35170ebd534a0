/**
 * A study built from the real fixtures in test/fixtures, with the figures their READMEs give, for tests that
 * check what the platform makes of them against those figures rather than against its own output.
 */
import { buildZip } from '../../src/formats/archive/zip-writer.test-support.js';
import { call, fixture, upload, waitForRecording, type Harness } from './harness.js';

/** MotionSense trials of subject 1 (motionsense-coremotion/README.md): activity from the folder, rows at 50 Hz. */
export const MOTIONSENSE = {
  dws_1: { activity: 'downstairs', rows: 1751 },
  ups_12: { activity: 'upstairs', rows: 1066 },
  wlk_15: { activity: 'walking', rows: 1333 },
  jog_16: { activity: 'jogging', rows: 1567 },
} as const;
export type MotionSenseTrial = keyof typeof MOTIONSENSE;
/** MotionSense README: 50 Hz, no time column, row n at n / 50 s. */
export const MOTIONSENSE_RATE_HZ = 50;

/**
 * Axivity AX3 (ggirread-wearables/README.md): 145 data blocks × 120 samples; its samples span 175.98 s
 * (GGIRread's 17,599 rows on a 100 Hz grid); block 1's device wall clock, read as UTC, is 1551178507.215 s.
 */
export const AX3 = { samples: 17_400, spanS: 175.98, block1LocalNs: 1_551_178_507_215_000_000n } as const;

/** pyAudioAnalysis count.wav (pyaudioanalysis-speech/README.md): 93,888 frames at 16 kHz, 5.868 s. */
export const COUNT_WAV = { frames: 93_888, rateHz: 16_000, durationS: 5.868 } as const;

/** A MotionSense CSV: the column names of its header (the first unnamed: the row index) and its rows of numbers. */
export interface CsvTable { header: string[]; rows: number[][] }

/** A MotionSense trial's CSV, parsed by plain splitting (the file is simple comma-separated numbers). */
export function motionSenseCsv(trial: MotionSenseTrial): CsvTable {
  const lines = fixture(`motionsense-coremotion/${trial}/sub_1.csv`).toString('utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const [head, ...body] = lines;
  return { header: head!.split(','), rows: body.map((l) => l.split(',').map(Number)) };
}

/** The trial's CSV inside a ZIP under its MotionSense folder (`dws_1/sub_1.csv`): the folder names the activity. */
export function motionSenseZip(trial: MotionSenseTrial): Uint8Array {
  return buildZip([{ name: `${trial}/sub_1.csv`, data: fixture(`motionsense-coremotion/${trial}/sub_1.csv`), method: 'deflate' }]);
}

/** A pyAudioAnalysis WAV with its `.segments` sidecar in one ZIP: the labels arrive as imported annotations. */
export function speechZip(name: 'count' | 'count2'): Uint8Array {
  return buildZip([
    { name: `${name}.wav`, data: fixture(`pyaudioanalysis-speech/${name}.wav`), method: 'deflate' },
    { name: `${name}.segments`, data: fixture(`pyaudioanalysis-speech/${name}.segments`) },
  ]);
}

/** A `.segments` file read by splitting lines at tabs (start, end, label). */
export function segmentsOf(name: 'count' | 'count2'): { startS: number; endS: number; label: string }[] {
  return fixture(`pyaudioanalysis-speech/${name}.segments`).toString('utf8').split('\n').filter((l) => l.trim() !== '').map((l) => {
    const [a, b, label] = l.split('\t');
    return { startS: Number(a), endS: Number(b), label: label!.trim() };
  });
}

/** Uploads with optional metadata and waits until the recording is ready. */
export async function ingestWith(h: Harness, token: string, bytes: Uint8Array, filename: string, metadata?: unknown): Promise<any> {
  const up = await upload(h, token, bytes, filename, metadata === undefined ? {} : { metadata });
  if (up.status !== 201) throw new Error(`upload ${filename}: ${up.status} ${JSON.stringify(up.json)}`);
  const rec = await waitForRecording(h, token, up.json.recording.id, { timeoutMs: 120_000 });
  if (rec.status !== 'ready') throw new Error(`${filename}: ${rec.status} ${JSON.stringify(rec.error)}`);
  return rec;
}

/** A new participant of the study and its token. */
export async function addParticipant(h: Harness, studyId: string, code: string): Promise<{ id: string; token: string }> {
  const p = await call(h, h.adminToken, 'POST', `/v1/studies/${studyId}/participants`, { code });
  if (p.status !== 201) throw new Error(`participant ${code}: ${p.status} ${JSON.stringify(p.json)}`);
  return { id: p.json.participant.id, token: p.json.token };
}

/**
 * The windows the export should cut from a stream of `lastSampleS` seconds (first sample at 0): 2 s windows
 * every 1 s whose `perWindow` grid points (start … start + (perWindow − 1) / rate) all lie on samples.
 */
export function expectedWindowStarts(lastSampleS: number, opts: { windowS: number; hopS: number; rateHz: number }): number[] {
  const span = (opts.windowS * opts.rateHz - 1) / opts.rateHz;
  const out: number[] = [];
  for (let k = 0; k * opts.hopS + span <= lastSampleS + 1e-9; k++) out.push(k * opts.hopS);
  return out;
}
