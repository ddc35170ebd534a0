import { z } from 'zod';

/** A JSON Schema (or any JSON object) of the document. */
export type Json = Record<string, unknown>;

/** Where named schemas live in the document. */
export const COMPONENTS = '#/components/schemas/';
const INLINE = '#/x-inline/';

/**
 * Converts zod schemas to JSON Schema in one registry pass (`z.toJSONSchema(registry, { uri })`): every schema
 * named with `.meta({ id })` becomes one component, each `$ref` pointing to `#/components/schemas/<id><suffix>`;
 * the schemas asked for are returned inline (with those refs), in the order given.
 */
export function convertSchemas(schemas: readonly z.ZodType[], io: 'input' | 'output', suffix: string): { inline: Map<z.ZodType, Json>; components: Record<string, Json> } {
  const reg = z.registry<{ id: string }>();
  const componentIds = new Map<string, string>();
  for (const [id, s] of z.globalRegistry._idmap) {
    if (z.globalRegistry.get(s)?.id !== id) continue;
    reg.add(s, { id: `${id}${suffix}` });
    componentIds.set(`${id}${suffix}`, id);
  }
  const inlineIds = new Map<z.ZodType, string>();
  for (const s of schemas) {
    if (z.globalRegistry.get(s)?.id || inlineIds.has(s)) continue;
    const id = `inline${inlineIds.size}`;
    inlineIds.set(s, id);
    reg.add(s, { id });
  }
  const out = z.toJSONSchema(reg, {
    target: 'draft-2020-12', io, unrepresentable: 'any',
    uri: (id) => (componentIds.has(id) ? COMPONENTS : INLINE) + id,
  }).schemas as Record<string, Json>;
  // An unnamed schema that refers to itself would land in a `__shared` document the OpenAPI one cannot hold.
  if (out.__shared) throw new Error(`Schemas in a cycle need a .meta({ id }): ${Object.keys((out.__shared.$defs ?? {})).join(', ')}`);
  const bodies = new Map<string, Json>();
  for (const [id, s] of Object.entries(out)) {
    const { $id: _id, $schema: _schema, ...body } = s;
    bodies.set(id, body);
  }
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve);
    if (!v || typeof v !== 'object') return v;
    const o = v as Json;
    if (typeof o.$ref === 'string' && o.$ref.startsWith(INLINE)) {
      const { $ref, ...rest } = o;
      return { ...(resolve(bodies.get($ref.slice(INLINE.length))) as Json), ...(resolve(rest) as Json) };
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x)]));
  };
  const inline = new Map<z.ZodType, Json>();
  for (const s of schemas) {
    const id = z.globalRegistry.get(s)?.id;
    inline.set(s, id ? { $ref: `${COMPONENTS}${id}${suffix}` } : (resolve(bodies.get(inlineIds.get(s)!)) as Json));
  }
  const components: Record<string, Json> = {};
  for (const id of componentIds.keys()) components[id] = resolve(bodies.get(id)) as Json;
  return { inline, components };
}

/** Every component name a piece of the document refers to. */
export function refsIn(v: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(v)) {
    for (const x of v) refsIn(x, into);
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string' && x.startsWith(COMPONENTS)) into.add(x.slice(COMPONENTS.length));
      else refsIn(x, into);
    }
  }
  return into;
}

/** Rewrites `$ref`s to the components named in `rename`. */
export function renameRefs<T>(v: T, rename: ReadonlyMap<string, string>): T {
  if (Array.isArray(v)) return v.map((x: unknown) => renameRefs(x, rename)) as T;
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => {
    if (k === '$ref' && typeof x === 'string' && x.startsWith(COMPONENTS)) {
      const to = rename.get(x.slice(COMPONENTS.length));
      return [k, to ? COMPONENTS + to : x];
    }
    return [k, renameRefs(x, rename)];
  })) as T;
}

/**
 * Request schemas are converted as input (defaults optional, transforms by what they accept), responses as output
 * (what is answered, no undeclared property). A named schema both sides use is one component when both say the
 * same, else its request side is `<id>Input`. Returns the request-side renames and the components in use.
 */
export function mergeComponents(request: Record<string, Json>, response: Record<string, Json>, requestParts: unknown, responseParts: unknown): { rename: Map<string, string>; components: Record<string, Json> } {
  const reachable = (roots: Set<string>, from: Record<string, Json>): Set<string> => {
    const seen = new Set<string>();
    const todo = [...roots];
    for (let id = todo.pop(); id !== undefined; id = todo.pop()) {
      if (seen.has(id) || !from[id]) continue;
      seen.add(id);
      todo.push(...refsIn(from[id]));
    }
    return seen;
  };
  const usedIn = reachable(refsIn(requestParts), request);
  const usedOut = reachable(refsIn(responseParts), response);
  const rename = new Map<string, string>();
  for (const id of usedIn) rename.set(id, id.replace(/Input$/, ''));
  for (let changed = true; changed;) {
    changed = false;
    for (const [from, to] of rename) {
      if (usedOut.has(to) && JSON.stringify(renameRefs(request[from], rename)) !== JSON.stringify(response[to])) {
        rename.delete(from);
        changed = true;
      }
    }
  }
  const all: Record<string, Json> = {};
  for (const id of usedOut) all[id] = response[id]!;
  for (const id of usedIn) {
    const name = rename.get(id) ?? id;
    all[name] ??= renameRefs(request[id]!, rename);
  }
  const components: Record<string, Json> = {};
  for (const id of Object.keys(all).sort()) components[id] = all[id]!;
  return { rename, components };
}
