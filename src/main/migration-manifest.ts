import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Landed migrations are immutable: prisma/migrations/landed.json records, append-only, the SHA-256 of each
 * landed migration.sql (the same checksum prisma stores in `_prisma_migrations`). A database that applied a
 * migration keeps its row; editing or removing the file afterwards strands that database, so a change is a new
 * migration. This module compares the record with the files; `npm run migrations:check` runs it in CI.
 */

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MIGRATIONS_DIR = path.join(ROOT, 'prisma', 'migrations');
export const MANIFEST_PATH = path.join(MIGRATIONS_DIR, 'landed.json');

/** A migration that landed and was later replaced (before the record existed), with what upgrades its databases. */
export interface SupersededMigration {
  /** SHA-256 of the migration.sql as it landed: a `_prisma_migrations` row with another checksum is not this one. */
  sha256: string;
  landedIn: string;
  removedIn: string;
  /** The landed migration that does what this one did, and more. */
  replacedBy: string;
  /** SQL (relative to the repository) that takes this migration's end state to `replacedBy`'s; idempotent. */
  repair: string;
}

export interface MigrationManifest {
  about?: string;
  /** SHA-256 of migration_lock.toml (the provider). */
  lock: string;
  /** Directory name → SHA-256 of its migration.sql, in landing order (= name order). */
  landed: Record<string, string>;
  superseded: Record<string, SupersededMigration>;
}

/** One broken promise, named after the migration it is about. */
export interface Finding {
  migration: string;
  problem: 'changed' | 'deleted' | 'out_of_order' | 'not_recorded' | 'lock_changed' | 'superseded_back' | 'not_as_landed';
  message: string;
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function readManifest(file = MANIFEST_PATH): MigrationManifest {
  return JSON.parse(readFileSync(file, 'utf8')) as MigrationManifest;
}

/** The migrations directory as it is: directory name → SHA-256 of its migration.sql, plus the lock file's. */
export function readMigrations(dir = MIGRATIONS_DIR): { migrations: Map<string, string>; lock: string | undefined } {
  const migrations = new Map<string, string>();
  for (const d of readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
    const file = path.join(dir, d, 'migration.sql');
    if (existsSync(file)) migrations.set(d, sha256(readFileSync(file)));
  }
  const lockFile = path.join(dir, 'migration_lock.toml');
  return { migrations, lock: existsSync(lockFile) ? sha256(readFileSync(lockFile)) : undefined };
}

const ADVICE = 'a landed migration never changes: restore it and add a new migration instead';

/**
 * Compares the directory with the record. Landed migrations must be present and byte-identical; a migration
 * not yet recorded is new, and allowed only when it sorts after every landed one (prisma applies by name, so
 * an earlier name would run before migrations that databases already have). A new migration that is already
 * committed (`committed`: the names git's HEAD has) must be recorded too: committing it is landing it.
 */
export function compareWithManifest(
  manifest: MigrationManifest,
  local: { migrations: Map<string, string>; lock: string | undefined },
  committed: ReadonlySet<string> = new Set(),
): { findings: Finding[]; fresh: string[] } {
  const findings: Finding[] = [];
  for (const [name, expected] of Object.entries(manifest.landed)) {
    const actual = local.migrations.get(name);
    if (actual === undefined) {
      findings.push({ migration: name, problem: 'deleted', message: `${name}/migration.sql landed and is gone: ${ADVICE}` });
    } else if (actual !== expected) {
      findings.push({ migration: name, problem: 'changed', message: `${name}/migration.sql changed since it landed (sha256 ${expected.slice(0, 12)}…, now ${actual.slice(0, 12)}…): ${ADVICE}` });
    }
  }
  for (const name of Object.keys(manifest.superseded)) {
    if (local.migrations.has(name)) {
      findings.push({ migration: name, problem: 'superseded_back', message: `${name} was superseded by ${manifest.superseded[name]!.replacedBy}; it cannot come back: add a new migration instead` });
    }
  }
  if (local.lock !== manifest.lock) {
    findings.push({ migration: 'migration_lock.toml', problem: 'lock_changed', message: 'migration_lock.toml changed since it landed (the provider of every landed migration): restore it' });
  }
  const lastLanded = [...Object.keys(manifest.landed), ...Object.keys(manifest.superseded)].sort().at(-1) ?? '';
  const fresh: string[] = [];
  for (const name of local.migrations.keys()) {
    if (name in manifest.landed || name in manifest.superseded) continue;
    if (name <= lastLanded) {
      findings.push({ migration: name, problem: 'out_of_order', message: `${name} is not landed yet but sorts before the landed ${lastLanded}: databases that have ${lastLanded} would skip past it; rename it with a later timestamp` });
    } else {
      if (committed.has(name)) findings.push({ migration: name, problem: 'not_recorded', message: `${name} is committed but not recorded in landed.json: run npm run db:migration:land and commit landed.json with it` });
      fresh.push(name);
    }
  }
  return { findings, fresh };
}

/**
 * Checks the record itself against history: each landed (and superseded) migration's hash must be that of the
 * first committed version of its file, so that editing a migration and its line in the record together fails.
 * `firstCommitted` answers the SHA-256 of that version, or undefined when history does not have the file
 * (not committed yet).
 */
export function compareWithHistory(
  manifest: MigrationManifest,
  firstCommitted: (name: string) => { sha256: string; commit: string } | undefined,
): Finding[] {
  const findings: Finding[] = [];
  const entries: [string, string][] = [
    ...Object.entries(manifest.landed),
    ...Object.entries(manifest.superseded).map(([n, s]): [string, string] => [n, s.sha256]),
  ];
  for (const [name, recorded] of entries) {
    const first = firstCommitted(name);
    if (first && first.sha256 !== recorded) {
      findings.push({ migration: name, problem: 'not_as_landed', message: `landed.json records ${name} as ${recorded.slice(0, 12)}…, but it landed in ${first.commit} as ${first.sha256.slice(0, 12)}…: ${ADVICE}` });
    }
  }
  return findings;
}

/** The record with the new migrations appended (never an existing entry rewritten). */
export function appendLanded(manifest: MigrationManifest, local: Map<string, string>, fresh: string[]): MigrationManifest {
  const landed = { ...manifest.landed };
  for (const name of fresh) landed[name] = local.get(name)!;
  return { ...manifest, landed };
}
