import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, call, seedStudy, sensorLoggerCsv, startHarness, upload, type Harness } from '../helpers/harness.js';
import { Contract } from '../helpers/contract.js';

/**
 * The document served at /v1/openapi.json is one the usual tools accept: it validates, lints clean, and a client
 * generated from it compiles under strict TypeScript and talks to the API.
 */
let h: Harness;
let doc: Record<string, any>;
let dir: string;

beforeAll(async () => {
  h = await startHarness({ workers: false });
  const res = await fetch(`${h.baseUrl}/v1/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as Record<string, any>;
  dir = await mkdtemp(path.join(tmpdir(), 'fieldsense-openapi-'));
});
afterAll(async () => {
  await h?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const operations = (): [string, string, Record<string, any>][] =>
  Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([p, item]) => Object.entries(item).map(([m, op]): [string, string, Record<string, any>] => [m, p, op]));

describe('the OpenAPI document', () => {
  it('is committed beside the contract: docs/openapi.json is the served document (refresh it with npm run openapi)', async () => {
    const committed = JSON.parse(await readFile(path.join(ROOT, 'docs/openapi.json'), 'utf8')) as Record<string, unknown>;
    expect(committed.servers).toEqual([{ url: '/' }]);
    expect({ ...committed, servers: undefined }, 'docs/openapi.json is out of date: run npm run openapi').toEqual({ ...doc, servers: undefined });
  });

  it('passes swagger-parser validation, every $ref resolving inside the document', async () => {
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(50);
    for (const ref of new Set(refs)) {
      expect(ref).toMatch(/^#\/components\/schemas\/[A-Za-z]+$/);
      expect(doc.components.schemas[ref.slice('#/components/schemas/'.length)], ref).toBeDefined();
    }
  });

  it('has no error under Redocly\'s recommended rules (what `redocly lint` runs)', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config });
    const errors = problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? ''}`);
    expect(errors).toEqual([]);
  });

  it('names every operation, says where it is served from and declares the usual errors with the Error schema', () => {
    expect(doc.servers).toEqual([{ url: h.baseUrl }]);
    const ops = operations();
    expect(ops.length).toBeGreaterThanOrEqual(27);
    const ids = ops.map(([, , op]) => op.operationId as string);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z]+$/);
    expect(ids).toEqual(expect.arrayContaining(['createUpload', 'getUpload', 'listRecordings', 'getRecording', 'getRecordingSamples',
      'downloadRecordingRaw', 'listSegments', 'createStudy', 'listStudies', 'listAnnotations', 'getHealth', 'getReadiness', 'getMetrics', 'getOpenApi']));
    const errorRef = { $ref: '#/components/schemas/Error' };
    for (const [m, p, op] of ops) {
      const statuses = Object.keys(op.responses as object);
      if (!op.security) expect(statuses, `${m} ${p}`).toEqual(expect.arrayContaining(['401', '403', '503']));
      if (p.includes('{')) expect(statuses, `${m} ${p}`).toContain('404');
      for (const [status, r] of Object.entries(op.responses as Record<string, any>)) {
        expect(r.description, `${m} ${p} ${status}`).toMatch(/\w/);
        if ((status !== 'default' && Number(status) < 400) || m === 'head') continue;
        // The Error schema, or one of the route's own that still carries the error object (/readyz says each check too).
        const schema = r.content['application/json'].schema;
        if (schema.$ref) expect(schema, `${m} ${p} ${status}`).toEqual(errorRef);
        else expect(schema.properties.error.required, `${m} ${p} ${status}`).toEqual(['code', 'message']);
      }
    }
    expect(doc.paths['/v1/uploads'].post.responses['503'].headers['Retry-After'].schema.type).toBe('integer');
    for (const name of ['Study', 'StudyPage', 'Recording', 'RecordingPage', 'Upload', 'Annotation', 'Label', 'Segment', 'Samples', 'Participant', 'Evaluation', 'Error']) {
      expect(doc.components.schemas[name], name).toBeDefined();
    }
  });

  it('declares the upload\'s header, repeated file parts, JSON metadata part, and the content types that are not JSON', () => {
    const up = doc.paths['/v1/uploads'].post;
    expect(up.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }));
    const form = up.requestBody.content['multipart/form-data'];
    expect(form.schema.properties.file).toMatchObject({ type: 'array', items: { type: 'string', format: 'binary' } });
    expect(form.schema.properties.metadata).toEqual({ $ref: '#/components/schemas/UploadMetadata' });
    expect(form.schema.required).toEqual(['file']);
    expect(form.encoding.metadata.contentType).toBe('application/json');
    expect(Object.keys(doc.paths['/v1/recordings/{recordingId}/raw'].get.responses['200'].content)).toEqual(['application/octet-stream']);
    expect(Object.keys(doc.paths['/metrics'].get.responses['200'].content)).toEqual(['text/plain']);
  });

  it('says null where the API answers null', () => {
    const s = doc.components.schemas;
    expect(s.Annotation.properties.detectorVersion.type).toEqual(['string', 'null']);
    expect(s.Recording.properties.startTime.type).toEqual(['string', 'null']);
  });
});

describe('a client generated by openapi-typescript', () => {
  const compile = (files: Record<string, string>): ts.Diagnostic[] => {
    const names = Object.keys(files).map((f) => path.join(dir, f));
    const program = ts.createProgram(names, {
      strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, noImplicitOverride: true,
      target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], types: [], skipLibCheck: true, noEmit: true,
      baseUrl: dir, paths: { 'openapi-fetch': [path.join(ROOT, 'node_modules/openapi-fetch/dist/index.d.mts')] },
    });
    return ts.getPreEmitDiagnostics(program).filter((d) => !d.file || names.includes(path.resolve(d.file.fileName)));
  };
  const show = (ds: readonly ts.Diagnostic[]): string[] => ds.map((d) => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);

  const client = `import createClient from 'openapi-fetch';
import type { components, paths } from './api.js';

type Recording = components['schemas']['Recording'];

/** Creates a study, enrolls a participant, then (after the caller uploads) lists the study's recordings. */
export async function createStudy(baseUrl: string, token: string, slug: string): Promise<{ studyId: string; labels: string[]; participantToken: string }> {
  const api = createClient<paths>({ baseUrl, headers: { authorization: \`Bearer \${token}\` } });
  const created = await api.POST('/v1/studies', { body: { slug, name: 'Typed client', labels: [{ name: 'walking', hotkey: 'w' }] } });
  if (!created.data) throw new Error(\`createStudy answered \${created.response.status}: \${created.error?.error.code ?? ''}\`);
  const enrolled = await api.POST('/v1/studies/{studyId}/participants', { params: { path: { studyId: created.data.id } }, body: { code: 'P-typed' } });
  if (!enrolled.data) throw new Error(\`enrollParticipant answered \${enrolled.response.status}: \${enrolled.error?.error.message ?? ''}\`);
  return { studyId: created.data.id, labels: created.data.labels.map((l) => l.name), participantToken: enrolled.data.token };
}

export async function listRecordings(baseUrl: string, token: string, studyId: string): Promise<{ ids: string[]; statuses: Recording['status'][]; nextCursor: string | null }> {
  const api = createClient<paths>({ baseUrl, headers: { authorization: \`Bearer \${token}\` } });
  const { data, error } = await api.GET('/v1/recordings', { params: { query: { studyId, limit: 10 } } });
  if (error) throw new Error(error.error.message);
  const startTimes: (string | null)[] = data.items.map((r) => r.startTime);
  void startTimes;
  return { ids: data.items.map((r) => r.id), statuses: data.items.map((r) => r.status), nextCursor: data.nextCursor };
}

const [, , what, baseUrl, token, arg] = process.argv as unknown as [string, string, string, string, string, string];
const out = what === 'create' ? await createStudy(baseUrl, token, arg) : await listRecordings(baseUrl, token, arg);
process.stdout.write(JSON.stringify(out));
`;
  const nodeTypes = 'declare const process: { argv: string[]; stdout: { write(s: string): boolean } };\n';

  let types = '';
  beforeAll(async () => {
    types = astToString(await openapiTS(structuredClone(doc) as never));
    await writeFile(path.join(dir, 'api.ts'), types);
    await writeFile(path.join(dir, 'node.d.ts'), nodeTypes);
  });

  it('compiles under strict options, and creates a study and lists recordings against the API', async () => {
    expect(types).toContain('Study: {');
    expect(types).toContain('createUpload: {');
    await writeFile(path.join(dir, 'client.ts'), client);
    expect(show(compile({ 'api.ts': types, 'node.d.ts': nodeTypes, 'client.ts': client }))).toEqual([]);

    // Run the same program: transpiled, with openapi-fetch resolved from this repository.
    const js = ts.transpileModule(client, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText
      .replace(/from 'openapi-fetch'/, `from '${pathToFileURL(path.join(ROOT, 'node_modules/openapi-fetch/dist/index.mjs')).href}'`);
    await writeFile(path.join(dir, 'client.mjs'), js);
    const run = async (...args: string[]): Promise<any> => JSON.parse((await promisify(execFile)(process.execPath, [path.join(dir, 'client.mjs'), ...args])).stdout);
    const slug = `typed-${Date.now().toString(36)}`;
    const made = await run('create', h.baseUrl, h.adminToken, slug);
    expect(made.labels).toEqual(['walking']);
    expect(made.studyId).toMatch(/^std_/);
    const study = await call(h, h.adminToken, 'GET', `/v1/studies/${made.studyId}`);
    expect(study.json.slug).toBe(slug);

    const up = await upload(h, made.participantToken, new TextEncoder().encode(sensorLoggerCsv({ rows: 200, rateHz: 50 })), 'Accelerometer.csv');
    expect(up.status).toBe(201);
    const listed = await run('list', h.baseUrl, h.adminToken, made.studyId);
    expect(listed).toEqual({ ids: [up.json.recording.id], statuses: ['queued'], nextCursor: null });
  });

  it('rejects a program that sends a field of the wrong type (the types are real)', async () => {
    const wrong = `import createClient from 'openapi-fetch';
import type { paths } from './api.js';
const api = createClient<paths>({ baseUrl: 'http://127.0.0.1' });
export const made = api.POST('/v1/studies', { body: { slug: 42, name: 'Wrong' } });
export const listed = api.GET('/v1/recordings', { params: { query: { status: 'finished' } } });
`;
    await writeFile(path.join(dir, 'wrong.ts'), wrong);
    const messages = show(compile({ 'api.ts': types, 'wrong.ts': wrong }));
    expect(messages.some((m) => m.startsWith('wrong.ts') && /Type 'number' is not assignable to type 'string'/.test(m)), messages.join('\n')).toBe(true);
    expect(messages.some((m) => m.startsWith('wrong.ts') && /"finished"/.test(m)), messages.join('\n')).toBe(true);
  });
});

describe('the contract check of the test harness', () => {
  it('fails an answer that does not match its declared schema, and a status the operation does not declare', async () => {
    const contract = new Contract(doc);
    expect(contract.compileAll()).toBeGreaterThan(100);
    const s = await seedStudy(h);
    const got = await call(h, h.adminToken, 'GET', `/v1/studies/${s.studyId}`);
    expect(() => contract.check('GET', `/v1/studies/${s.studyId}`, 200, got.json, 'application/json')).not.toThrow();
    expect(() => contract.check('GET', `/v1/studies/${s.studyId}`, 200, { ...got.json, name: 7 }, 'application/json'))
      .toThrow(/getStudy \(GET \/v1\/studies\/\{studyId\}\) → 200: the answer does not match its schema:\n {2}\/name must be string/);
    expect(() => contract.check('GET', `/v1/studies/${s.studyId}`, 200, { ...got.json, surprise: true }, 'application/json')).toThrow(/must NOT have additional properties/);
    expect(() => contract.check('GET', `/v1/studies/${s.studyId}`, 418, {}, 'application/json')).toThrow(/does not declare 418/);
    expect(() => contract.check('GET', '/metrics', 200, 'x 1\n', 'application/json')).toThrow(/answered application\/json, declared text\/plain/);
  });
});
