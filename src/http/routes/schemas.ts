import { z } from 'zod';

/** Shared schema pieces used by several routers. */
export const Id = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[A-Za-z0-9_-]{1,64}$`), `must be a ${prefix}_… id`);

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

export const Label = z.object({
  name: z.string().min(1).max(64).regex(/^[\p{L}\p{N} _.:-]+$/u, 'letters, digits, space, _ . : - only'),
  hotkey: z.string().length(1).optional(),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a #rrggbb colour').optional(),
});

export const Study = z.object({
  id: z.string(), slug: z.string(), name: z.string(), labels: z.array(Label),
  settings: z.object({
    quality: z.record(z.string(), z.number()).optional(), detectors: z.record(z.string(), z.unknown()).optional(),
    edgeImpulseHmacKeySet: z.boolean(),
  }),
  createdAt: z.string(),
}).meta({ id: 'Study' });

export const Stream = z.object({
  name: z.string(), kind: z.enum(['imu', 'audio', 'other']), sensor: z.string(), channels: z.array(z.string()), unit: z.string(),
  sampleRateHz: z.number().nullable(), measuredRateHz: z.number().nullable(), samples: z.number(), startS: z.number(), durationS: z.number(),
  originalUnit: z.string().optional().describe('the unit in the file before conversion (g, deg/s, mg)'),
  frame: z.enum(['ios', 'android', 'sensor-logger-standardized', 'device', 'unknown']).optional().describe('source coordinate frame, never silently flipped'),
  range: z.number().optional().describe('measuring range (±) in unit'),
  sourceFile: z.string().optional().describe('member file of a multi-file upload'),
}).meta({ id: 'Stream' });

export const Check = z.object({
  name: z.string(), stream: z.string().optional(), status: z.enum(['ok', 'warn', 'bad']), value: z.number().optional(),
  threshold: z.number().optional(), unit: z.string().optional(), message: z.string(),
});

export const Recording = z.object({
  id: z.string(), studyId: z.string(), participantId: z.string(), uploadId: z.string(),
  status: z.enum(['queued', 'processing', 'ready', 'rejected', 'failed']),
  stage: z.enum(['validate', 'segment', 'annotate']).optional(),
  format: z.string().nullable(), device: z.record(z.string(), z.unknown()).optional(), startTime: z.string().nullable(),
  timezone: z.string().optional(), session: z.record(z.string(), z.unknown()).optional(), durationS: z.number().nullable(), streams: z.array(Stream),
  quality: z.object({ status: z.enum(['ok', 'warn', 'bad']), checks: z.array(Check) }).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  warnings: z.array(z.object({ code: z.string(), message: z.string() })),
  pipelineVersion: z.string().nullable(), createdAt: z.string(), updatedAt: z.string(),
}).meta({ id: 'Recording' });

export const Annotation = z.object({
  id: z.string(), recordingId: z.string(), startS: z.number(), endS: z.number(), label: z.string(),
  source: z.enum(['auto', 'human', 'import']), status: z.enum(['proposed', 'accepted', 'rejected']),
  confidence: z.number().optional(), detector: z.string().optional(), detectorVersion: z.string().optional(),
  annotatorId: z.string().optional(), createdAt: z.string(), updatedAt: z.string(),
}).meta({ id: 'Annotation' });

export const Upload = z.object({
  id: z.string(), filename: z.string(), bytes: z.number(), sha256: z.string(), receivedAt: z.string(),
}).meta({ id: 'Upload' });

export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
