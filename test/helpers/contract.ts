import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/**
 * The served OpenAPI document as a test oracle: every answer the integration tests see is checked against the
 * schema its operation declares for its status, and an answered status the operation does not declare fails.
 */

type Json = Record<string, any>;
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const METHODS = ['get', 'head', 'post', 'patch', 'put', 'delete'] as const;

interface Operation { method: string; template: string; re: RegExp; op: Json }

export class Contract {
  private readonly ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  private readonly operations: Operation[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(readonly doc: Json) {
    addFormats(this.ajv);
    this.ajv.addFormat('binary', true);
    // The named schemas as one JSON Schema document of their own (an OpenAPI document is not one).
    this.ajv.addSchema({ $id: COMPONENTS_ID, $defs: toDefs(doc.components.schemas) });
    for (const [template, item] of Object.entries(doc.paths as Record<string, Json>)) {
      const re = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
      for (const method of METHODS) {
        if (item[method]) this.operations.push({ method, template, re, op: item[method] });
      }
    }
  }

  /** Compiles every declared JSON response schema (strict ajv): a schema ajv cannot read fails here, not mid-test. */
  compileAll(): number {
    let n = 0;
    for (const { op } of this.operations) {
      for (const res of Object.values(op.responses as Record<string, Json>)) {
        const schema = (res.content as Json | undefined)?.['application/json']?.schema as Json | undefined;
        if (!schema) continue;
        this.validator(schema);
        n++;
      }
    }
    return n;
  }

  /** The operation answering `method path`, if the document has one. */
  operation(method: string, path: string): Operation | undefined {
    const p = path.split('?')[0]!;
    const m = method.toLowerCase();
    return this.operations.find((o) => o.method === m && o.re.test(p));
  }

  /** Throws, naming the operation, the status and ajv's errors, when the answer is not what the document declares. */
  check(method: string, path: string, status: number, body: unknown, contentType: string | null): void {
    const op = this.operation(method, path);
    if (!op) {
      // Paths the API does not have answer route_not_found with the Error schema.
      if (status !== 404) throw new Error(`Contract: ${method} ${path} is in no operation of the document, yet answered ${status}`);
      this.validate(`${method} ${path} (no such route) → 404`, { $ref: '#/components/schemas/Error' }, body);
      return;
    }
    const name = `${op.op.operationId as string} (${op.method.toUpperCase()} ${op.template}) → ${status}`;
    const res = (op.op.responses as Json)[String(status)] as Json | undefined;
    if (!res) throw new Error(`Contract: ${name}: the operation does not declare ${status} (declared: ${Object.keys(op.op.responses as Json).join(', ')}); body ${JSON.stringify(body)?.slice(0, 500)}`);
    const content = res.content as Json | undefined;
    if (op.method === 'head') return;
    if (!content) {
      if (body !== null && body !== '' && body !== undefined) throw new Error(`Contract: ${name} declares no body, yet answered ${JSON.stringify(body).slice(0, 200)}`);
      return;
    }
    const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (!content[media]) throw new Error(`Contract: ${name} answered ${media || 'no content type'}, declared ${Object.keys(content).join(', ')}`);
    if (media !== 'application/json') return;
    this.validate(name, (content[media] as Json).schema as Json, body);
  }

  private validator(schema: Json): ValidateFunction {
    const key = JSON.stringify(schema);
    let v = this.compiled.get(key);
    if (!v) {
      v = this.ajv.compile(toDefs(schema));
      this.compiled.set(key, v);
    }
    return v;
  }

  private validate(name: string, schema: Json, body: unknown): void {
    const v = this.validator(schema);
    if (!v(body)) {
      const errors = (v.errors ?? []).map((e) => `  ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
      throw new Error(`Contract: ${name}: the answer does not match its schema:\n${errors}\nbody: ${JSON.stringify(body).slice(0, 1000)}`);
    }
  }
}

const COMPONENTS_ID = 'urn:fieldsense:components';

/** Points `#/components/schemas/X` refs at the components' own JSON Schema document. */
function toDefs<T>(v: T): T {
  return JSON.parse(JSON.stringify(v).replace(/"#\/components\/schemas\//g, `"${COMPONENTS_ID}#/$defs/`)) as T;
}

const contracts = new WeakMap<object, Promise<Contract>>();

/** The contract a running API serves at /v1/openapi.json, fetched once per harness. */
export function contractOf(h: { baseUrl: string }): Promise<Contract> {
  let c = contracts.get(h);
  if (!c) {
    c = fetch(`${h.baseUrl}/v1/openapi.json`).then(async (res) => {
      if (res.status !== 200) throw new Error(`GET /v1/openapi.json answered ${res.status}`);
      return new Contract((await res.json()) as Json);
    });
    contracts.set(h, c);
  }
  return c;
}

/**
 * Checks one answer against the served document: the operation found by method and path template, the status
 * declared, the body valid against that status's schema. For tests that call the API with `fetch` themselves.
 */
export async function expectMatchesContract(h: { baseUrl: string }, method: string, path: string, status: number, body: unknown, contentType: string | null = 'application/json'): Promise<void> {
  (await contractOf(h)).check(method, path, status, body, contentType);
}
