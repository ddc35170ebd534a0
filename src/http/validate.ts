import type { Request } from 'express';
import type { z } from 'zod';
import { AppError } from '../lib/errors.js';
import type { RouteDoc } from './openapi.js';

/** Parses a request's params, query and JSON body with the route's schemas; 400 with every problem. */
export function parseRequest<D extends RouteDoc>(doc: D, req: Request): {
  params: D['params'] extends z.ZodType ? z.infer<D['params']> : Record<string, never>;
  query: D['query'] extends z.ZodType ? z.infer<D['query']> : Record<string, never>;
  body: D['body'] extends z.ZodType ? z.infer<D['body']> : undefined;
} {
  const out: Record<string, unknown> = {};
  for (const part of ['params', 'query', 'body'] as const) {
    const schema = doc[part];
    if (!schema || (part === 'body' && doc.bodyContentType)) {
      out[part] = part === 'body' ? undefined : {};
      continue;
    }
    const r = schema.safeParse(req[part] ?? {});
    if (!r.success) {
      const problems = r.error.issues.map((i) => ({ path: [part, ...i.path.map(String)].join('.'), message: i.message }));
      throw new AppError('validation_failed', `The request is not valid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}.`, { problems });
    }
    out[part] = r.data;
  }
  return out as ReturnType<typeof parseRequest<D>>;
}

/** Opaque list cursors: the last id of the page, base64url-encoded. */
export const cursor = {
  encode(lastId: string | undefined): string | null {
    return lastId ? Buffer.from(lastId, 'utf8').toString('base64url') : null;
  },
  decode(c: string | undefined): string | undefined {
    if (!c) return undefined;
    const id = Buffer.from(c, 'base64url').toString('utf8');
    if (!/^[a-z]+_[A-Za-z0-9_-]+$/.test(id)) throw new AppError('validation_failed', 'The cursor is not valid; use nextCursor from the previous page.');
    return id;
  },
};
