import { AppError } from '../lib/errors.js';
import type { Principal } from '../domain/principal.js';
import { secondsToNs } from '../domain/stream.js';
import { openStreamWindow } from '../columnar/parquet-stream-reader.js';
import type { RecordingsService } from './recordings.service.js';
import { AudioWindowEncoder, planAudioWindow, wavHeader, WAV_HEADER_BYTES } from './audio-window.js';

/** The longest window one answer holds: 600 s at 48 kHz is 57.6 MB of 16-bit PCM. */
export const MAX_AUDIO_WINDOW_S = 600;
/** Rates a caller may ask for (browsers play all of them). */
export const AUDIO_RATE_MIN = 8000;
export const AUDIO_RATE_MAX = 48_000;

/** A WAV answer: its size is known before the first byte; `body` yields the bytes as they are asked for. */
export interface AudioWindow {
  stream: string;
  fromS: number;
  toS: number;
  rate: number;
  /** Samples in the WAV: round((toS − fromS) · rate). */
  samples: number;
  /** The whole file's size (header and data). */
  bytes: number;
  body: AsyncIterable<Buffer>;
}

/**
 * Audio of a recording by time range, for listening in the browser: the access rules and readiness of the
 * samples route, then the stored samples of the window streamed out as a 16-bit mono WAV.
 */
export class RecordingAudioService {
  constructor(
    private readonly recordings: RecordingsService,
  ) {}

  async window(p: Principal, recordingId: string, streamName: string, q: { fromS?: number | undefined; toS?: number | undefined; rate?: number | undefined }): Promise<AudioWindow> {
    const r = await this.recordings.get(p, recordingId);
    if (r.status !== 'ready' && r.streams.length === 0) {
      throw new AppError('recording_not_ready', `Recording ${recordingId} is ${r.status}: its audio is not available yet.`, { status: r.status });
    }
    const s = r.streams.find((x) => x.name === streamName);
    const audio = r.streams.filter((x) => x.kind === 'audio').map((x) => x.name);
    if (!s) throw new AppError('stream_not_found', `Recording ${recordingId} has no stream "${streamName}". Its streams: ${r.streams.map((x) => x.name).join(', ') || 'none'}.`);
    const inRate = s.sampleRateHz ?? s.measuredRateHz;
    if (s.kind !== 'audio' || !inRate || !(inRate > 0)) {
      throw new AppError('stream_not_audio', `Stream "${streamName}" of recording ${recordingId} is not audio. Its audio streams: ${audio.join(', ') || 'none'}.`, { audioStreams: audio });
    }
    const fromS = q.fromS ?? 0;
    // Without toS: to the recording's end, at most the longest window (an empty WAV when fromS is past the end).
    const toS = q.toS ?? Math.max(fromS, Math.min(r.durationS ?? s.startS + s.durationS, fromS + MAX_AUDIO_WINDOW_S));
    if (toS < fromS) throw new AppError('validation_failed', 'toS must not be before fromS.');
    if (toS - fromS > MAX_AUDIO_WINDOW_S) {
      throw new AppError('audio_window_too_long', `At most ${MAX_AUDIO_WINDOW_S} s of audio come in one answer; this window is ${+(toS - fromS).toFixed(3)} s. Ask for it in shorter pieces.`, { maxS: MAX_AUDIO_WINDOW_S });
    }
    // The stream's own rate by default (rounded: a WAV's rate is whole Hz), within what a caller may ask for.
    const rate = q.rate ?? Math.min(AUDIO_RATE_MAX, Math.max(AUDIO_RATE_MIN, Math.round(inRate)));
    const plan = planAudioWindow(inRate, rate, toS - fromS);
    const readFromNs = (r.originNs ?? 0n) + secondsToNs(fromS - plan.readBeforeS);
    const readToNs = readFromNs + secondsToNs(plan.readSpanS);
    // The footer is read now, so a missing object fails before any header is sent.
    const { pieces } = await openStreamWindow(await this.recordings.streamFile(s.objectKey), readFromNs, readToNs);
    const encoder = new AudioWindowEncoder(plan);
    async function* body(): AsyncGenerator<Buffer> {
      yield wavHeader(rate, plan.samples);
      for await (const piece of pieces) yield* encoder.piece(piece.count, piece.index, piece.relNs, piece.values);
      yield* encoder.finish();
      if (encoder.samplesWritten !== plan.samples) throw new Error(`audio window: ${encoder.samplesWritten} samples written, ${plan.samples} announced`);
    }
    return { stream: streamName, fromS, toS, rate, samples: plan.samples, bytes: WAV_HEADER_BYTES + plan.samples * 2, body: body() };
  }
}
