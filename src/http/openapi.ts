import { z } from 'zod';
import { convertSchemas, mergeComponents, renameRefs, COMPONENTS, type Json } from './openapi-schemas.js';

/** One response of a route. Statuses from 400 up answer the Error schema unless they name another. */
export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  /** Content type of the body when it is not JSON (raw bytes, metrics). */
  contentType?: string;
  /** Response headers worth a client's attention (Retry-After, Content-Range, ETag, …). */
  headers?: Record<string, { description: string; schema: z.ZodType }>;
}

/**
 * Every route declares its schemas once, here: the same zod schemas validate requests at run time and
 * become the OpenAPI 3.1 document served at /v1/openapi.json.
 */
export interface RouteDoc {
  /** Stable camelCase name of the operation: what generated clients call it (`listRecordings`). */
  operationId: string;
  method: 'get' | 'head' | 'post' | 'patch' | 'delete';
  /** Express path (`/v1/recordings/:recordingId`); rendered as `{recordingId}` in the document. */
  path: string;
  summary: string;
  tags: string[];
  auth: 'none' | 'admin' | 'any';
  params?: z.ZodObject;
  query?: z.ZodObject;
  /**
   * Request headers the route reads (`Idempotency-Key`, `Range`, …), documented as `in: header` parameters.
   * Documentation only: the handler reads and checks them itself (parseRequest does not).
   */
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** Content type of the body when it is not JSON (uploads). */
  bodyContentType?: string;
  /** Multipart bodies: the content type of each part that is not plain text or bytes (`metadata`: application/json). */
  bodyEncoding?: Record<string, { contentType: string }>;
  /**
   * Whether answering needs PostgreSQL, Redis or object storage, and so can be a 503 with Retry-After while one is
   * unreachable. Defaults to true for authenticated routes (a token is looked up in the database).
   */
  backing?: boolean;
  /** The route's own answers; the usual errors (400, 401, 403, 404, 413, 503) are added from the rest of the doc. */
  responses: Record<number, ResponseDoc>;
}

export const ErrorBody = z.object({
  error: z.object({
    code: z.string().describe('Stable snake_case error code'),
    message: z.string().describe('One sentence a person can act on'),
    details: z.record(z.string(), z.unknown()).optional().describe('What the code needs to be acted on: e.g. problems (validation_failed), maxBytes (file_too_large)'),
  }),
}).meta({ id: 'Error' });

const RETRY_AFTER = { description: 'Seconds to wait before trying again', schema: z.int().min(0) };
/** On every answer: the client's own request id when it sent a valid one, else a new UUID; the logs name it. */
const REQUEST_ID = { description: 'The request id (the X-Request-Id the client sent, if valid, else a new UUID); every log line of the request and of the processing it started names it', schema: z.string().min(1).max(100) };

/** The errors every route of its kind can answer, beyond those it declares. */
function usualErrors(r: RouteDoc): Record<number, ResponseDoc> {
  const out: Record<number, ResponseDoc> = {};
  const validated = r.params || r.query || r.headers || (r.body && !r.bodyContentType);
  if (validated) out[400] = { description: 'The request is not valid; details.problems names each field (validation_failed, invalid_json)' };
  if (r.auth !== 'none') {
    out[401] = { description: 'No token, or an unknown or revoked one (unauthorized, token_revoked)' };
    out[403] = { description: r.auth === 'admin' ? 'Not an admin token (forbidden)' : 'This token may not do this (forbidden)' };
  }
  if (r.params) out[404] = { description: 'No such resource, or not one this token may see (not_found)' };
  if (r.body && !r.bodyContentType) out[413] = { description: 'The JSON body is larger than 256 kB (field_too_large)' };
  if (r.backing ?? r.auth !== 'none') out[503] = { description: 'PostgreSQL, Redis or object storage is unreachable (database_unavailable, queue_unavailable, storage_unavailable): nothing was changed; try again after Retry-After seconds' };
  return out;
}

const TAGS = [
  { name: 'studies', description: 'Studies, their label taxonomies, participants and annotators (admin)' },
  { name: 'uploads', description: 'A participant\'s device sends a recording' },
  { name: 'recordings', description: 'Recordings: status, streams, quality, samples, segments, raw bytes' },
  { name: 'annotations', description: 'Labelled time ranges of a recording: proposed, imported or human' },
  { name: 'exports', description: 'Dataset exports run by the workers: training and evaluation sets with manifest and card (admin)' },
  { name: 'service', description: 'Health, readiness, metrics and this document (no token)' },
  { name: 'session', description: 'Who the caller\'s token belongs to' },
];

export class OpenApiRegistry {
  private readonly routes: RouteDoc[] = [];
  private cached: Json | undefined;

  add(doc: RouteDoc): RouteDoc {
    this.routes.push(doc);
    this.cached = undefined;
    return doc;
  }

  /** The OpenAPI 3.1 document; `serverUrl` is the origin it is served from (a relative `/` when not given). */
  document(opts: { serverUrl?: string } = {}): Json {
    this.cached ??= this.build();
    return { ...this.cached, servers: [{ url: opts.serverUrl ?? '/' }] };
  }

  private build(): Json {
    const routes = this.routes.map((r) => ({ r, responses: { ...usualErrors(r), ...r.responses } }));
    const ids = new Set<string>();
    for (const { r } of routes) {
      if (ids.has(r.operationId)) throw new Error(`Two routes are named ${r.operationId}`);
      ids.add(r.operationId);
    }
    const fields = (o: z.ZodObject | undefined): [string, z.ZodType][] => Object.entries(o?.shape ?? {}) as [string, z.ZodType][];
    const requestSchemas = routes.flatMap(({ r }) => [...[r.params, r.query, r.headers].flatMap((o) => fields(o).map(([, s]) => s)), ...(r.body ? [r.body] : [])]);
    const responseSchemas = routes.flatMap(({ responses }) => Object.entries(responses).flatMap(([status, res]) => [
      ...(res.schema ? [res.schema] : Number(status) >= 400 ? [ErrorBody] : []),
      ...Object.values(res.headers ?? {}).map((h) => h.schema), RETRY_AFTER.schema, REQUEST_ID.schema,
    ]));
    const req = convertSchemas(requestSchemas, 'input', 'Input');
    const res = convertSchemas([...responseSchemas, ErrorBody], 'output', '');
    const reqJson = (s: z.ZodType): Json => req.inline.get(s)!;
    const resJson = (s: z.ZodType): Json => res.inline.get(s)!;

    const paths: Record<string, Record<string, Json>> = {};
    const requestParts: Json[] = [];
    const responseParts: Json[] = [];
    for (const { r, responses } of routes) {
      const parameters: Json[] = [];
      for (const [where, obj] of [['path', r.params], ['query', r.query], ['header', r.headers]] as const) {
        for (const [name, s] of fields(obj)) {
          const { description, ...schema } = reqJson(s);
          parameters.push({ name, in: where, required: where === 'path' || !s.safeParse(undefined).success, ...(description ? { description } : {}), schema });
        }
      }
      const requestBody = r.body ? {
        required: true,
        content: { [r.bodyContentType ?? 'application/json']: { schema: reqJson(r.body), ...(r.bodyEncoding ? { encoding: r.bodyEncoding } : {}) } },
      } : undefined;
      requestParts.push({ parameters, requestBody });
      const out: Record<string, Json> = {};
      for (const [status, d] of Object.entries(responses)) {
        const error = Number(status) >= 400;
        const schema = d.schema ?? (error ? ErrorBody : undefined);
        const headers = { 'X-Request-Id': REQUEST_ID, ...(status === '503' ? { 'Retry-After': RETRY_AFTER } : {}), ...d.headers };
        out[status] = {
          description: d.description,
          ...(Object.keys(headers).length ? { headers: Object.fromEntries(Object.entries(headers).map(([n, h]) => [n, { description: h.description, schema: resJson(h.schema) }])) } : {}),
          ...(schema && r.method !== 'head' ? { content: { [d.contentType ?? 'application/json']: { schema: resJson(schema) } } } : {}),
        };
      }
      out.default = { description: 'An unexpected error, logged on the server (internal)', content: { 'application/json': { schema: { $ref: `${COMPONENTS}Error` } } } };
      responseParts.push(out);
      (paths[r.path.replace(/:([A-Za-z]+)/g, '{$1}')] ??= {})[r.method] = {
        operationId: r.operationId,
        summary: r.summary,
        tags: r.tags,
        ...(r.auth === 'none' ? { security: [] } : {}),
        ...(parameters.length ? { parameters } : {}),
        ...(requestBody ? { requestBody } : {}),
        responses: out,
      };
    }
    const { rename, components } = mergeComponents(req.components, res.components, requestParts, responseParts);
    return {
      openapi: '3.1.0',
      info: { title: 'FieldSense API', version: '1.0.0', description: 'Collect, check, segment and label wearable sensor recordings.' },
      tags: TAGS,
      components: { schemas: components, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
      paths: renameRefs(paths, rename),
    };
  }
}
