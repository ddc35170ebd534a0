import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

/**
 * The console's only way to the platform: a client typed from the API's OpenAPI document
 * (`npm run console:api` regenerates `schema.d.ts` from docs/openapi.json; a test keeps it current).
 */
export type Api = ReturnType<typeof createClient<paths>>;

/** The error body every failing answer has (the contract's shape). */
export interface ApiErrorBody { error: { code: string; message: string; details?: Record<string, unknown> } }

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: Record<string, unknown>) {
    super(message);
  }
}

/** Turns an openapi-fetch result into its data, or throws the contract's error as an ApiError. */
export function unwrap<T>(r: { data?: T; error?: unknown; response: Response }): T {
  if (r.error !== undefined || !r.response.ok) {
    const body = r.error as Partial<ApiErrorBody> | undefined;
    const e = body?.error;
    throw new ApiError(r.response.status, e?.code ?? 'http_error', e?.message ?? `The API answered ${r.response.status}.`, e?.details);
  }
  return r.data as T;
}

/**
 * A client that sends the token on every request and reports a refused token (401) once, so the app can send
 * the person back to sign-in with the API's message. A network failure (API down) surfaces as ApiError 0.
 */
export function createApi(token: string, onUnauthorized: (message: string) => void, baseUrl = window.location.origin): Api {
  const api = createClient<paths>({ baseUrl });
  const auth: Middleware = {
    onRequest({ request }) {
      request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
    async onResponse({ response }) {
      if (response.status === 401) {
        const body = (await response.clone().json().catch(() => null)) as Partial<ApiErrorBody> | null;
        onUnauthorized(body?.error?.message ?? 'Your token was refused. Sign in again.');
      }
      return response;
    },
    onError({ error }) {
      return new Response(JSON.stringify({ error: { code: 'api_unreachable', message: `The API cannot be reached (${String(error)}). Check your connection; the console retries.` } }), { status: 599, headers: { 'content-type': 'application/json' } });
    },
  };
  api.use(auth);
  return api;
}

/** Raw authenticated fetch, for answers that are not JSON (audio). */
export async function fetchBinary(token: string, url: string, signal?: AbortSignal): Promise<ArrayBuffer> {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, signal: signal ?? null });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as Partial<ApiErrorBody> | null;
    throw new ApiError(res.status, body?.error?.code ?? 'http_error', body?.error?.message ?? `The API answered ${res.status}.`);
  }
  return res.arrayBuffer();
}
