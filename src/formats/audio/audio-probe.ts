/**
 * What a probe of a compressed audio file says, in ffprobe's JSON vocabulary (`-show_streams -show_format`):
 * the port's answer (decoder.ts), validated here so that the science only ever sees a checked shape. Native
 * FLAC builds the same shape from its own metadata blocks (flac-metadata.ts), without any program.
 */
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';

const tags = z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).optional();

/** ffprobe's JSON answer, the fields the audio reader reads (every one optional: ffprobe omits what it does not know). */
export const probeSchema = z.object({
  streams: z
    .array(
      z.object({
        index: z.number(),
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        codec_long_name: z.string().optional(),
        profile: z.string().optional(),
        sample_fmt: z.string().optional(),
        sample_rate: z.coerce.number().optional(),
        channels: z.number().optional(),
        channel_layout: z.string().optional(),
        bits_per_raw_sample: z.coerce.number().optional(),
        duration: z.coerce.number().optional(),
        tags,
      }),
    )
    .default([]),
  format: z
    .object({
      format_name: z.string().optional(),
      duration: z.coerce.number().optional(),
      bit_rate: z.coerce.number().optional(),
      tags,
    })
    .optional(),
});

export type Probe = z.infer<typeof probeSchema>;
export type ProbeStream = Probe['streams'][number];

/**
 * Checks a prober's parsed JSON answer.
 * @throws AppError `processing_failed` when it has another shape (the program is not the ffprobe it claims to be).
 */
export function parseProbe(json: unknown): Probe {
  const parsed = probeSchema.safeParse(json);
  if (!parsed.success) throw new AppError('processing_failed', `ffprobe's answer has an unexpected shape: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  return parsed.data;
}
