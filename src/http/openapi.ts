import { z } from 'zod';

/**
 * Every route declares its schemas once, here: the same zod schemas validate requests at run time and
 * become the OpenAPI 3.1 document served at /v1/openapi.json.
 */
export interface RouteDoc {
  method: 'get' | 'post' | 'patch' | 'delete';
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
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
}

export const ErrorBody = z.object({
  error: z.object({
    code: z.string().describe('Stable snake_case error code'),
    message: z.string().describe('One sentence a person can act on'),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
}).meta({ id: 'Error' });

export class OpenApiRegistry {
  private readonly routes: RouteDoc[] = [];

  add(doc: RouteDoc): RouteDoc {
    this.routes.push(doc);
    return doc;
  }

  document(): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    const toJson = (s: z.ZodType): unknown => z.toJSONSchema(s, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
    for (const r of this.routes) {
      const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
      const parameters: unknown[] = [];
      for (const [where, obj] of [['path', r.params], ['query', r.query], ['header', r.headers]] as const) {
        if (!obj) continue;
        for (const [name, schema] of Object.entries(obj.shape)) {
          parameters.push({ name, in: where, required: where === 'path' || !(schema as z.ZodType).safeParse(undefined).success, schema: toJson(schema as z.ZodType) });
        }
      }
      const responses: Record<string, unknown> = {};
      for (const [status, res] of Object.entries(r.responses)) {
        responses[status] = {
          description: res.description,
          ...(res.schema ? { content: { [res.contentType ?? 'application/json']: { schema: toJson(res.schema) } } } : {}),
        };
      }
      responses.default = { description: 'Error', content: { 'application/json': { schema: toJson(ErrorBody) } } };
      (paths[path] ??= {})[r.method] = {
        summary: r.summary,
        tags: r.tags,
        ...(r.auth === 'none' ? { security: [] } : {}),
        ...(parameters.length ? { parameters } : {}),
        ...(r.body ? { requestBody: { required: true, content: { [r.bodyContentType ?? 'application/json']: { schema: toJson(r.body) } } } } : {}),
        responses,
      };
    }
    return {
      openapi: '3.1.0',
      info: { title: 'FieldSense API', version: '1.0.0', description: 'Collect, check, segment and label wearable sensor recordings.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
      paths,
    };
  }
}
