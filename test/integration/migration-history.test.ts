import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pgConnectionFields } from '../../src/config/database-url.js';
import { migrate, migrationNames, migrationState, runPrisma } from '../../src/main/migrate.js';
import { readManifest, sha256 } from '../../src/main/migration-manifest.js';
import { dropDatabase, ensureDatabase } from '../../src/repositories/bootstrap.js';
import { ROOT } from '../helpers/harness.js';
import { freshDatabase } from '../helpers/launcher.js';

/**
 * A database created at any commit of main that changed prisma/migrations upgrades with today's migrations
 * and ends with the schema of a database migrated from scratch. The states come from the committed fixtures
 * (test/fixtures/migrations/<commit>/: states that history alone holds, extracted from git) and the prefixes
 * of today's landed migrations; when git has the full history, every state in it must be one of those.
 */
type State = { label: string; files: Map<string, Buffer> };

const FIXTURES = path.join(ROOT, 'test/fixtures/migrations');
const manifest = readManifest();
const today = migrationNames();

const key = (s: State): string => [...s.files].sort(([a], [b]) => a.localeCompare(b)).map(([n, b]) => `${n}:${sha256(b)}`).join(',');

/**
 * A fixture folder names its state's migrations (state.json) and holds only those that are no longer in
 * prisma/migrations (the superseded ones); the others are read from prisma/migrations, unchanged since they landed.
 */
function fixtureStates(): State[] {
  return readdirSync(FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort().map((commit) => {
    const dir = path.join(FIXTURES, commit);
    const { migrations } = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as { migrations: string[] };
    const files = new Map<string, Buffer>();
    for (const name of migrations) {
      const own = path.join(dir, name, 'migration.sql');
      files.set(name, readFileSync(existsSync(own) ? own : path.join(ROOT, 'prisma/migrations', name, 'migration.sql')));
    }
    return { label: `fixture ${commit}`, files };
  });
}

/** Today's first k landed migrations, for every k short of all of them (all of them is the from-scratch database). */
function prefixStates(): State[] {
  return today.slice(0, -1).map((_, i) => ({
    label: `the first ${i + 1} of today's migrations (up to ${today[i]})`,
    files: new Map(today.slice(0, i + 1).map((n) => [n, readFileSync(path.join(ROOT, 'prisma/migrations', n, 'migration.sql'))])),
  }));
}

function git(args: string[]): { ok: boolean; out: Buffer } {
  const r = spawnSync('git', args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  return { ok: r.status === 0, out: r.stdout ?? Buffer.alloc(0) };
}

/** Every state of prisma/migrations at a commit that changed it, or why history cannot say. */
function gitStates(): { states: State[] } | { reason: string } {
  const shallow = git(['rev-parse', '--is-shallow-repository']);
  if (!shallow.ok) return { reason: 'not a git checkout' };
  if (shallow.out.toString().trim() === 'true') return { reason: 'shallow clone' };
  const commits = git(['log', '--reverse', '--format=%h', 'HEAD', '--', 'prisma/migrations']).out.toString().trim().split('\n').filter(Boolean);
  return {
    states: commits.map((c) => {
      const paths = git(['ls-tree', '-r', '--name-only', c, '--', 'prisma/migrations']).out.toString().split('\n').filter((p) => p.endsWith('/migration.sql'));
      return { label: `commit ${c}`, files: new Map(paths.map((p) => [p.split('/')[2]!, git(['show', `${c}:${p}`]).out])) };
    }),
  };
}

async function rows<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client(pgConnectionFields(url).fields);
  await c.connect();
  try {
    return (await c.query<T>(text)).rows;
  } finally {
    await c.end();
  }
}

/** What a schema is made of, from the catalogue: columns, indexes, constraints, enum labels (prisma's own table aside). */
async function schemaOf(url: string): Promise<Record<string, unknown[]>> {
  return {
    columns: await rows(url, `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, character_maximum_length,
        numeric_precision, datetime_precision FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name <> '_prisma_migrations' ORDER BY table_name, column_name`),
    indexes: await rows(url, `SELECT tablename, indexname, indexdef FROM pg_indexes
      WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations' ORDER BY tablename, indexname`),
    constraints: await rows(url, `SELECT c.conrelid::regclass::text AS rel, c.conname, pg_get_constraintdef(c.oid) AS def
      FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE n.nspname = current_schema() AND c.conrelid::regclass::text <> '_prisma_migrations' ORDER BY rel, c.conname`),
    enums: await rows(url, `SELECT t.typname, e.enumlabel, e.enumsortorder FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
      JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = current_schema() ORDER BY t.typname, e.enumsortorder`),
  };
}

/** A new database with this state of the migrations applied by `prisma migrate deploy`, as it was at the time. */
async function databaseAt(state: State): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fieldsense-migrations-'));
  temporary.push(dir);
  for (const [name, sql] of state.files) {
    mkdirSync(path.join(dir, 'migrations', name), { recursive: true });
    writeFileSync(path.join(dir, 'migrations', name, 'migration.sql'), sql);
  }
  writeFileSync(path.join(dir, 'migrations', 'migration_lock.toml'), readFileSync(path.join(ROOT, 'prisma/migrations/migration_lock.toml')));
  // The project's config (offline engine, adapter), pointed at this state's migrations.
  writeFileSync(path.join(dir, 'prisma.config.ts'), `import base from ${JSON.stringify(path.join(ROOT, 'prisma.config.ts'))};
export default { ...base, schema: ${JSON.stringify(path.join(ROOT, 'prisma/schema.prisma'))}, migrations: { ...base.migrations, path: ${JSON.stringify(path.join(dir, 'migrations'))} } };
`);
  const u = new URL(inject('databaseUrl'));
  u.pathname = `${u.pathname}_hist_${randomBytes(4).toString('hex')}`;
  const url = u.toString();
  made.push(url);
  await ensureDatabase(url);
  await runPrisma(['migrate', 'deploy', '--config', path.join(dir, 'prisma.config.ts')], url);
  return url;
}

const made: string[] = [];
const temporary: string[] = [];
let scratch: Record<string, unknown[]>;
beforeAll(async () => {
  const url = await freshDatabase();
  made.push(url);
  scratch = await schemaOf(url);
});
afterAll(async () => {
  for (const url of made) await dropDatabase(url);
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

const fixtures = fixtureStates();
const prefixes = prefixStates();
const states = [...fixtures, ...prefixes];

describe('the landed states of prisma/migrations', () => {
  it('the fixtures hold migrations as they landed, and with full history every landed state is tested', () => {
    const landedOrSuperseded = new Map<string, string>([
      ...Object.entries(manifest.landed),
      ...Object.entries(manifest.superseded).map(([n, s]): [string, string] => [n, s.sha256]),
    ]);
    expect(fixtures.length).toBeGreaterThan(0);
    expect(scratch.indexes).toContainEqual(expect.objectContaining({ indexname: 'Recording_participantId_startTimeNs_idx' }));
    expect(scratch.constraints).toContainEqual(expect.objectContaining({ conname: 'RecordingAlignment_otherRecordingId_fkey' }));
    expect(scratch.columns).toContainEqual(expect.objectContaining({ table_name: 'Study', column_name: 'settings', udt_name: 'jsonb' }));
    for (const f of fixtures) {
      for (const [name, sql] of f.files) expect(`${f.label} ${name}:${sha256(sql)}`).toBe(`${f.label} ${name}:${landedOrSuperseded.get(name)}`);
    }
    const history = gitStates();
    if ('reason' in history) {
      // No history to compare with (CI's shallow checkout): the fixtures and the record above are what is tested.
      expect(['shallow clone', 'not a git checkout']).toContain(history.reason);
      return;
    }
    const tested = new Set([...states.map(key), key({ label: 'today', files: new Map(today.map((n) => [n, readFileSync(path.join(ROOT, 'prisma/migrations', n, 'migration.sql'))])) })]);
    expect(history.states.length).toBeGreaterThanOrEqual(6);
    expect(history.states.filter((s) => !tested.has(key(s))).map((s) => s.label)).toEqual([]);
    for (const f of fixtures) {
      const commit = f.label.replace('fixture ', '');
      expect(history.states.find((s) => s.label === `commit ${commit}`) && key(history.states.find((s) => s.label === `commit ${commit}`)!)).toBe(key(f));
    }
  });

  describe.concurrent('a database at each landed state upgrades to the from-scratch schema', () => {
    for (const state of states) {
      const superseded = [...state.files.keys()].filter((n) => n in manifest.superseded);
      it(state.label, async () => {
        const url = await databaseAt(state);
        const applied = await rows<{ migration_name: string }>(url, 'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name');
        expect(applied.map((r) => r.migration_name)).toEqual([...state.files.keys()].sort());
        if (superseded.length > 0) {
          // Plain prisma cannot: the replacement redoes the superseded migration's work (which then fails, leaving its row failed).
          await expect(runPrisma(['migrate', 'deploy'], url)).rejects.toThrow(/already exists/);
          expect((await migrationState(url)).unfinished).toEqual([manifest.superseded[superseded[0]!]!.replacedBy]);
        }
        await migrate(url);
        expect(await migrationState(url)).toEqual({ pending: [], unfinished: [] });
        expect(await schemaOf(url)).toEqual(scratch);
      }, 300_000);
    }
  });
});
