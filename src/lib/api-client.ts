/**
 * A call to FieldSense's v1 API with a bearer token, JSON in and out: what the demo command, the benchmarks
 * and the integration tests use to talk to a running API.
 */

export interface ApiAnswer {
  status: number;
  /** The parsed JSON body; the text itself when it is not JSON; null when it is empty. */
  json: unknown;
  headers: Headers;
}

export async function callApi(baseUrl: string, token: string, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, json, headers: res.headers };
}
