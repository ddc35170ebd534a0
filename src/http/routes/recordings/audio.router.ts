import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import { z } from 'zod';
import type { OpenApiRegistry } from '../../openapi.js';
import { route } from '../../route.js';
import { principal } from '../../middleware/auth.js';
import { locals } from '../../middleware/request-context.js';
import { Id } from '../schemas.js';
import { AUDIO_RATE_MAX, AUDIO_RATE_MIN, MAX_AUDIO_WINDOW_S, type RecordingAudioService } from '../../../services/recording-audio.service.js';

const Params = z.object({ recordingId: Id('rec'), name: z.string().regex(/^[a-z0-9_]{1,64}$/) });
const Query = z.object({
  fromS: z.coerce.number().min(0).optional().describe('Start of the window, seconds from the recording\'s start (default 0)'),
  toS: z.coerce.number().min(0).optional().describe(`End of the window, seconds from the recording's start (default: the recording's end, at most ${MAX_AUDIO_WINDOW_S} s after fromS); at most ${MAX_AUDIO_WINDOW_S} s after fromS`),
  rate: z.coerce.number().int().min(AUDIO_RATE_MIN).max(AUDIO_RATE_MAX).optional()
    .describe('Sample rate of the answer, Hz (default: the stream\'s own, within 8000–48000); a lower one is low-pass filtered first (no aliasing)'),
});
const Wav = z.string().meta({ format: 'binary' });

function isPrematureClose(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'ERR_STREAM_PREMATURE_CLOSE';
}

/** Audio of a recording by time range, as WAV the browser plays: a 24-hour recording is heard a window at a time. */
export function recordingAudioRouter(audio: RecordingAudioService, registry: OpenApiRegistry): Router {
  const r = Router();
  route(r, registry, {
    operationId: 'getRecordingAudio', method: 'get', path: '/v1/recordings/:recordingId/streams/:name/audio', tags: ['recordings'], auth: 'any',
    summary: `Audio of one stream between two positions as a 16-bit mono WAV (channels averaged), at most ${MAX_AUDIO_WINDOW_S} s; sample k is at fromS + k/rate, gaps are silence`,
    params: Params, query: Query,
    responses: {
      200: {
        description: 'RIFF WAVE, 16-bit PCM, mono, round((toS − fromS) · rate) samples; Content-Length is exact', schema: Wav, contentType: 'audio/wav',
        headers: { 'Content-Length': { description: 'Bytes of the whole file: 44 + 2 · samples', schema: z.int().min(44) } },
      },
      400: { description: 'The request is not valid, or toS is before fromS (validation_failed)' },
      404: { description: 'No such recording that this token may see (not_found), or no such stream in it (stream_not_found): the message lists its streams' },
      409: { description: 'The recording is not ready, so it has no samples yet (recording_not_ready); details.status says what it is' },
      422: { description: `The stream is not audio (stream_not_audio; details.audioStreams lists those that are), or the window is longer than ${MAX_AUDIO_WINDOW_S} s (audio_window_too_long)` },
    },
  }, async ({ params, query }, _req, res) => {
    const w = await audio.window(principal(res), params.recordingId, params.name, query);
    res.status(200);
    res.setHeader('Content-Type', 'audio/wav');
    res.setHeader('Content-Length', String(w.bytes));
    // The same window can change when the recording is reprocessed: the browser keeps it only as a Blob.
    res.setHeader('Cache-Control', 'private, no-store');
    try {
      await pipeline(Readable.from(w.body, { objectMode: false }), res);
    } catch (err) {
      // The client hung up (playback moved on): the generator is closed, nothing to report.
      if (res.destroyed && isPrematureClose(err)) {
        locals(res).log.debug('audio closed by the client');
        return;
      }
      throw err;
    }
  });
  return r;
}
