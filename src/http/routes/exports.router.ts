import { Router } from 'express';
import { z } from 'zod';
import { ErrorBody, type OpenApiRegistry } from '../openapi.js';
import { route } from '../route.js';
import { principal } from '../middleware/auth.js';
import { locals } from '../middleware/request-context.js';
import type { ExportJobsService, ExportStatus } from '../../services/export-jobs.service.js';
import { Id } from './schemas.js';

const tags = ['exports'];
const Params = z.object({ exportId: Id('dsx') });
const Names = z.array(z.string().min(1).max(200)).min(1).max(1000);

const CreateExport = z.object({
  studyId: Id('std'),
  shape: z.enum(['windows', 'events', 'recordings']).default('windows').describe('windows: fixed-length windows; events: one row per annotation with context; recordings: whole streams per recording'),
  format: z.enum(['parquet', 'csv', 'bids-motion']).default('parquet'),
  streams: Names.nullable().default(null).describe('stream names; null: the IMU streams every selected recording has'),
  windowS: z.number().positive().max(3600).default(2),
  hopS: z.number().positive().max(3600).default(1),
  rateHz: z.number().positive().max(10_000).default(50),
  contextS: z.number().min(0).max(3600).default(1).describe('seconds of context either side of an event (events shape)'),
  labelPolicy: z.enum(['majority', 'any', 'center']).default('majority'),
  minOverlap: z.number().min(0).max(1).default(0.5),
  background: z.string().min(1).max(200).nullable().default(null).describe('the class of windows no label covers; null leaves their label empty'),
  gaps: z.enum(['drop', 'flag']).default('drop'),
  split: z.string().regex(/^\d+(\/\d+){0,2}$/).default('70/15/15').describe('train/validation/test percentages, by participant'),
  seed: z.int().min(0).max(2 ** 31 - 1).default(7),
  stratify: z.enum(['none', 'device', 'label']).default('none'),
  annotations: z.enum(['accepted', 'human', 'adjudicated']).default('accepted'),
  labels: Names.nullable().default(null),
  select: z.object({
    participants: Names, devices: Names, quality: Names, pipelineVersions: Names,
    from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }), annotators: Names,
  }).partial().default({}),
  shardHours: z.number().positive().max(10_000).default(24).describe('hours of recording per shard (one job each)'),
  splitsFromExportId: Id('dsx').nullable().default(null).describe('an earlier finished export of the study whose participants keep their splits'),
  sinceExportId: Id('dsx').nullable().default(null).describe('an earlier finished export this one follows: only recordings added or changed since, with its parameters and splits'),
  audio: z.enum(['embed', 'samples']).default('embed').describe('audio streams as a Hugging Face Audio column (a 16-bit PCM WAV per row) or as float lists'),
  alignWith: z.string().min(1).max(200).nullable().default(null).describe('another device worn at the same time (kind or model): its streams join each row, placed with the stored clock offset'),
  alignStreams: Names.nullable().default(null).describe('that device\'s streams (default: the same names as streams)'),
  audioRateHz: z.int().min(1).max(192_000).optional().describe('the rate audio streams are resampled to (default: rateHz)'),
}).meta({ id: 'CreateExport' });

const Progress = z.object({
  shards: z.int(), shardsDone: z.int(), recordings: z.int(), recordingsDone: z.int(), hours: z.number(), hoursDone: z.number(),
  rows: z.int().describe('rows (windows, events or recordings) written so far'),
  fraction: z.number().describe('0 … 1, by recorded time done'),
  rowsPerSecond: z.number().nullable(), etaSeconds: z.number().nullable().describe('seconds left at the rate so far'),
});
const ExportJob = z.object({
  id: z.string(), studyId: z.string(), study: z.string().describe('the study\'s slug'),
  status: z.enum(['queued', 'running', 'finished', 'failed']),
  params: z.unknown().describe('the parameters as asked for'),
  location: z.string().describe('where the dataset is published: s3://<bucket>/exports/<id>'),
  version: z.string().nullable().describe('the dataset version hash (once finished)'),
  recordings: z.int(), windows: z.int().describe('rows written (once finished)'),
  error: z.string().nullable(), progress: Progress,
  manifestUrl: z.string(), cardUrl: z.string(),
  createdAt: z.string(), startedAt: z.string().nullable(), finishedAt: z.string().nullable(),
}).meta({ id: 'ExportJob' });

const Manifest = z.looseObject({
  format: z.literal('fieldsense-dataset/1'),
  version: z.string().describe('the dataset version: SHA-256 of the canonical JSON of everything else in it'),
  parameters: z.record(z.string(), z.unknown()),
  splits: z.record(z.string(), z.array(z.string())).describe('split → participant ids'),
  recordings: z.array(z.looseObject({ id: z.string(), participantId: z.string(), split: z.string(), sha256: z.string(), pipelineVersion: z.string() })),
  files: z.array(z.object({ path: z.string(), split: z.string(), windows: z.int(), bytes: z.int(), sha256: z.string() })),
}).meta({ id: 'DatasetManifest' });

function present(s: ExportStatus): z.input<typeof ExportJob> {
  return {
    ...s, status: s.status as 'queued', createdAt: s.createdAt.toISOString(), startedAt: s.startedAt?.toISOString() ?? null, finishedAt: s.finishedAt?.toISOString() ?? null,
    manifestUrl: `/v1/exports/${s.id}/manifest`, cardUrl: `/v1/exports/${s.id}/card`,
  };
}

/** Dataset exports as jobs the workers run (admin). */
export function exportsRouter(exports: ExportJobsService, registry: OpenApiRegistry): Router {
  const r = Router();
  route(r, registry, {
    operationId: 'createExport', method: 'post', path: '/v1/exports', tags, auth: 'admin',
    summary: 'Ask for a dataset export: planned at once (a selection that matches nothing is answered here), run by the workers as shards, published to the bucket under exports/<id>/',
    body: CreateExport,
    responses: { 202: { description: 'Queued', schema: ExportJob } },
  }, async ({ body }, _req, res, send) => {
    const { select, ...rest } = body;
    send(202, present(await exports.create(principal(res), { ...rest, select }, locals(res).requestId)));
  });
  route(r, registry, {
    operationId: 'getExport', method: 'get', path: '/v1/exports/:exportId', tags, auth: 'admin',
    summary: 'An export\'s state, progress (shards, recordings, hours, rows, rate, time left), result and error',
    params: Params,
    responses: { 200: { description: 'The export', schema: ExportJob } },
  }, async ({ params }, _req, res, send) => {
    send(200, present(await exports.status(principal(res), params.exportId)));
  });
  const file = (name: 'manifest.json' | 'README.md', operationId: string, path: string, summary: string, contentType: string, schema: z.ZodType): void => {
    route(r, registry, {
      operationId, method: 'get', path, tags, auth: 'admin', summary, params: Params,
      responses: {
        200: { description: summary, schema, contentType },
        409: { description: 'The export has not finished (conflict)', schema: ErrorBody },
      },
    }, async ({ params }, _req, res) => {
      const bytes = await exports.file(principal(res), params.exportId, name);
      res.status(200).type(contentType).send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    });
  };
  file('manifest.json', 'getExportManifest', '/v1/exports/:exportId/manifest', 'The finished export\'s manifest.json', 'application/json', Manifest);
  file('README.md', 'getExportCard', '/v1/exports/:exportId/card', 'The finished export\'s dataset card (README.md)', 'text/markdown; charset=utf-8', z.string());
  return r;
}
