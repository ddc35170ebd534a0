import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../lib/logger.js';
import { buildApi } from '../main/container.js';

/**
 * `npm run openapi`: writes the OpenAPI document the API serves to docs/openapi.json, beside the contract
 * (docs/API.md), with a relative server. Nothing is contacted: the app answers one request in-process.
 * test/integration/openapi.test.ts fails when the committed file and the served document differ.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const api = buildApi(loadConfig(), createLogger('silent', 'fieldsense-openapi'), 'openapi-document');
const server = api.app.listen(0, '127.0.0.1');
await new Promise<void>((resolve) => server.once('listening', () => resolve()));
const addr = server.address();
const port = typeof addr === 'object' && addr ? addr.port : 0;
const doc = (await (await fetch(`http://127.0.0.1:${port}/v1/openapi.json`)).json()) as Record<string, unknown>;
const out = path.join(root, 'docs/openapi.json');
writeFileSync(out, `${JSON.stringify({ ...doc, servers: [{ url: '/' }] }, null, 2)}\n`);
await new Promise<void>((resolve) => server.close(() => resolve()));
await api.close();
process.stdout.write(`${path.relative(root, out)} written (${Object.keys(doc.paths as object).length} paths)\n`);
