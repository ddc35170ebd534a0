import { z } from 'zod';

/** Shared schema pieces used by several routers, and the response schemas the presenters answer. */
export const Id = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[A-Za-z0-9_-]{1,64}$`), `must be a ${prefix}_… id`);

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

export const Label = z.object({
  name: z.string().min(1).max(64).regex(/^[\p{L}\p{N} _.:-]+$/u, 'letters, digits, space, _ . : - only'),
  hotkey: z.string().length(1).optional(),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a #rrggbb colour').optional(),
}).meta({ id: 'Label' });

export const Study = z.object({
  id: z.string(), slug: z.string(), name: z.string(), labels: z.array(Label),
  settings: z.object({
    quality: z.record(z.string(), z.number()).optional(), detectors: z.record(z.string(), z.unknown()).optional(),
    timezone: z.string().optional(), edgeImpulseHmacKeySet: z.boolean(),
  }),
  createdAt: z.string(),
}).meta({ id: 'Study' });

export const Clock = z.enum(['utc', 'device-local', 'device-local-unknown-zone', 'relative']).describe(
  'utc: wall-clock UTC; device-local: the device\'s local clock, converted to UTC with `timezone`; device-local-unknown-zone: the '
  + 'local clock kept as it is (no zone known), labelled UTC; relative: no wall clock, times count from the recording\'s start',
);

const Device = z.object({
  kind: z.enum(['watch', 'phone', 'wearable', 'other']).optional(), model: z.string().optional(), manufacturer: z.string().optional(),
  platform: z.string().optional(), app: z.string().optional(), appVersion: z.string().optional(),
  serial: z.string().optional().describe('serial number or device id'), firmware: z.string().optional(), hardware: z.string().optional(),
}).catchall(z.unknown()).meta({ id: 'Device' });

const Scalars = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

export const FileMetadata = z.object({
  device: Device.optional(), timezone: z.string().optional().describe('the zone the file names'),
  session: Scalars.optional().describe('the recording session: Axivity session id, Sensor Logger recording time, …'),
  fields: Scalars.optional().describe('the rest of what the file\'s header says, verbatim (values cut at 1,000 characters)'),
}).meta({ id: 'FileMetadata' });

export const Stream = z.object({
  name: z.string(), kind: z.enum(['imu', 'audio', 'other']), sensor: z.string(), channels: z.array(z.string()), unit: z.string(),
  sampleRateHz: z.number().nullable(), measuredRateHz: z.number().nullable(), samples: z.number(), startS: z.number(), durationS: z.number(),
  originalUnit: z.string().optional().describe('the unit in the file before conversion (g, deg/s, mg)'),
  frame: z.enum(['ios', 'android', 'sensor-logger-standardized', 'device', 'unknown']).optional().describe('source coordinate frame, never silently flipped'),
  range: z.number().optional().describe('measuring range (±) in unit'),
  sourceFile: z.string().optional().describe('member file of a multi-file upload'),
  clock: Clock.optional().describe("what the stream's times are (the recording's clock)"),
}).meta({ id: 'Stream' });

export const Check = z.object({
  name: z.string(), stream: z.string().optional(), status: z.enum(['ok', 'warn', 'bad']), value: z.number().optional(),
  threshold: z.number().optional(), unit: z.string().optional(), message: z.string(),
}).meta({ id: 'QualityCheck' });

/** How far a recording is labelled and reviewed: what the work queue shows. */
export const Labelling = z.object({
  humanCount: z.number().int().describe('human annotations that are not rejected'),
  labelledS: z.number().describe('seconds covered by accepted human annotations: the union of their intervals, overlaps counted once'),
  proposedCount: z.number().int().describe('auto annotations (of the pipeline version shown) still proposed'),
  reviewedCount: z.number().int().describe('auto annotations (of the pipeline version shown) accepted or rejected'),
  annotators: z.array(z.object({ id: z.string(), name: z.string(), count: z.number().int().describe('their human annotations that are not rejected') }))
    .describe('who labelled it, most annotations first'),
}).meta({ id: 'Labelling' });

export const Recording = z.object({
  id: z.string(), studyId: z.string(), participantId: z.string(), participantCode: z.string().describe('the participant\'s code in the study (P001)'), uploadId: z.string(),
  status: z.enum(['queued', 'processing', 'ready', 'rejected', 'failed']),
  stage: z.enum(['validate', 'segment', 'annotate']).optional(),
  format: z.string().nullable().describe('the reader that read it: wav, sensor-logger-zip, axivity-cwa, …'),
  device: Device.optional().describe('the device: what the file says, over what the upload declared'),
  startTime: z.string().nullable().describe('the first sample, ISO 8601 UTC; null without a wall clock'),
  timezone: z.string().optional().describe('the recording\'s time zone: the file\'s, else the upload\'s metadata, else the study\'s settings.timezone'),
  timezoneSource: z.enum(['file', 'upload', 'study']).optional(),
  clock: Clock.optional(),
  session: Scalars.optional().describe('the recording session as the file gives it'),
  fileMetadata: FileMetadata.optional().describe('what the file itself says, verbatim'),
  uploadMetadata: z.object({ device: z.record(z.string(), z.unknown()).optional(), timezone: z.string().optional() }).optional()
    .describe('what the uploading app declared; where it disagrees with the file, a metadata_mismatch warning says so'),
  durationS: z.number().nullable(), streams: z.array(Stream),
  quality: z.object({ status: z.enum(['ok', 'warn', 'bad']), checks: z.array(Check) }).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  warnings: z.array(z.object({ code: z.string(), message: z.string(), count: z.number().optional() })),
  pipelineVersion: z.string().nullable(), createdAt: z.string(), updatedAt: z.string(),
  labelling: Labelling,
}).meta({ id: 'Recording' });

export const Annotation = z.object({
  id: z.string(), recordingId: z.string(), startS: z.number(), endS: z.number(), label: z.string(),
  source: z.enum(['auto', 'human', 'import']), status: z.enum(['proposed', 'accepted', 'rejected']),
  confidence: z.number().optional(), detector: z.string().optional(), detectorVersion: z.string().nullable().optional().describe('null when the detector did not say (imported annotations)'),
  annotatorId: z.string().optional().describe('the annotator who made it (human annotations made with an annotator token)'),
  annotatorName: z.string().optional().describe('that annotator\'s name'),
  adjudicated: z.boolean().describe('part of the reviewer\'s resolved layer (disagreements between annotators settled); exports can select it'),
  revision: z.number().int().min(1).describe('1 when created, one more with every change; send it back as If-Match: "<revision>" so that a change never silently overwrites another'),
  reviewerId: z.string().nullable().describe('the annotator who accepted or rejected it (null: not decided, or decided with the admin token)'),
  reviewedAt: z.string().nullable().describe('when it was accepted or rejected'),
  changedBy: z.object({ annotatorId: z.string(), name: z.string() }).nullable()
    .describe('the annotator whose write made this revision (its creation or latest change, at updatedAt); null when the admin token wrote it or the pipeline proposed it and nobody changed it since'),
  createdAt: z.string(), updatedAt: z.string(),
}).meta({ id: 'Annotation' });

/** Who a token belongs to. */
export const Whoami = z.object({
  kind: z.enum(['admin', 'annotator', 'participant']),
  name: z.string().optional().describe('the annotator\'s name, the participant\'s code, or Admin'),
  studyId: z.string().optional(), annotatorId: z.string().optional(), participantId: z.string().optional(),
}).meta({ id: 'Whoami' });

/** Two annotators' labels on one recording compared. */
export const Agreement = z.object({
  a: z.object({ id: z.string(), name: z.string() }), b: z.object({ id: z.string(), name: z.string() }),
  kappa: z.number().nullable().describe('Cohen\'s kappa over frames, with every label and unlabelled time as classes; null when undefined (both sides one class throughout, or no frames)'),
  frameS: z.number().describe('frame length, seconds'),
  toleranceS: z.number().describe('events of a label match one to one when their onsets differ by at most this many seconds'),
  labels: z.array(z.object({
    label: z.string(),
    eventF1: z.number().nullable().describe('event F1 of b against a (symmetric); null when neither has events of the label'),
    precision: z.number().nullable().describe('matched events / b\'s events'), recall: z.number().nullable().describe('matched events / a\'s events'),
    aCount: z.number().int().describe('a\'s events of the label (overlapping ones merged)'), bCount: z.number().int(),
  })),
  disagreements: z.array(z.object({
    startS: z.number(), endS: z.number(),
    a: z.string().nullable().describe('a\'s label there (null: unlabelled)'), b: z.string().nullable().describe('b\'s label there (null: unlabelled)'),
  })).describe('where the two frame label sequences differ, in time order, each stretch with one pair of labels; at most 500'),
  truncated: z.boolean().describe('true when there were more than 500 disagreements'),
}).meta({ id: 'Agreement' });

export const Upload = z.object({
  id: z.string(), filename: z.string(), bytes: z.number(), sha256: z.string(), receivedAt: z.string(),
}).meta({ id: 'Upload' });

/** An upload and its recording's status: what creating an upload and reading one back answer. */
export const UploadAnswer = z.object({ upload: Upload, recording: z.object({ id: z.string(), status: z.string() }) });

export const Participant = z.object({ id: z.string(), code: z.string(), studyId: z.string(), createdAt: z.string() }).meta({ id: 'Participant' });

/** A clock offset from a recording to one of the participant's overlapping recordings. */
export const Alignment = z.object({
  otherRecordingId: z.string(), offsetS: z.number().describe('add to the other recording\'s times to put them on this one\'s clock'),
  confidence: z.number(), peak: z.number(), overlapS: z.number(), method: z.string(), version: z.string(), createdAt: z.string(),
}).meta({ id: 'Alignment' });

/** A session or bout the pipeline found in a recording. */
export const Segment = z.object({ id: z.string(), kind: z.string(), startS: z.number(), endS: z.number(), stream: z.string().optional(), attributes: z.record(z.string(), z.unknown()) }).meta({ id: 'Segment' });

/** One set of a study's annotations measured against another: the report, and its Markdown and SVG renderings. */
export const Evaluation = z.object({ study: z.object({ id: z.string(), slug: z.string() }), recordings: z.number(), durationS: z.number(), report: z.record(z.string(), z.unknown()), perRecording: z.array(z.record(z.string(), z.unknown())), agreement: z.record(z.string(), z.unknown()).optional(), markdown: z.string(), svg: z.string() }).meta({ id: 'Evaluation' });

const pages = new Map<z.ZodType, z.ZodObject>();

/** One page of a list; the page of a named item is named too (`RecordingPage`), once. */
export function page<T extends z.ZodType>(item: T): z.ZodObject<{ items: z.ZodArray<T>; nextCursor: z.ZodNullable<z.ZodString> }> {
  type Page = z.ZodObject<{ items: z.ZodArray<T>; nextCursor: z.ZodNullable<z.ZodString> }>;
  const known = pages.get(item);
  if (known) return known as Page;
  const p = z.object({ items: z.array(item), nextCursor: z.string().nullable().describe('the cursor of the next page; null on the last one') });
  const id = z.globalRegistry.get(item)?.id;
  const named = id ? p.meta({ id: `${id}Page` }) : p;
  pages.set(item, named);
  return named;
}
