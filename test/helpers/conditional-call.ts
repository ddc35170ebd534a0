import type { Harness } from './harness.js';
import { expectMatchesContract } from './contract.js';

/**
 * Calls the API with extra request headers (If-Match), JSON in and out; the answer must match what
 * /v1/openapi.json declares for it.
 */
export async function callWith(h: Harness, token: string, method: string, p: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(`${h.baseUrl}${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : null;
  await expectMatchesContract(h, method, p, res.status, json, res.headers.get('content-type'));
  return { status: res.status, json, headers: res.headers };
}
