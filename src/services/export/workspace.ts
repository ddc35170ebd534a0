/**
 * Where an export is written while it runs, and how it is published once complete.
 *
 * An export is built in a temporary place beside its destination — the folder `<out>.partial`, or the prefix
 * `<prefix>.partial/` of the bucket — with its plan and the summary of each finished shard there too. Publishing
 * moves the dataset's files into place (a rename; in object storage a server-side copy of each file, the manifest
 * last) and removes the temporary place, so the destination only ever holds a whole dataset (it is complete when
 * its manifest is there) and an interrupted export leaves only the `.partial` place, which a re-run of the same
 * export resumes from (test/integration/export-jobs.test.ts).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { ObjectStore } from '../../storage/object-store.js';
import { keys } from '../../storage/keys.js';

/** Bytes of one file of the dataset, written in order; `close()` gives its size and SHA-256. */
export interface DataFileSink {
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<{ bytes: number; sha256: string; version?: string }>;
  /** Drops what was written (a failed shard). */
  abort(): Promise<void>;
}

export interface ExportWorkspace {
  /** Where the dataset goes once published: a folder or `s3://bucket/prefix`. */
  readonly destination: string;
  /** Control files (plan, shard summaries): small JSON, read and written whole. */
  readJson<T>(rel: string): Promise<T | null>;
  writeJson(rel: string, value: unknown): Promise<void>;
  /** A file of the dataset (data/…, README.md, images/…, manifest.json). */
  openFile(rel: string, contentType: string): DataFileSink;
  /**
   * Whether a dataset file written earlier is still what was written: its size and SHA-256, or in object storage
   * its size and the version (ETag) the store gave it then (a HEAD, not a download).
   */
  intact(rel: string, expected: { bytes: number; sha256: string; version?: string }): Promise<boolean>;
  /** Removes everything written so far (a plan that changed). */
  clear(): Promise<void>;
  /** Moves the dataset's files into the destination (`files` in order, the manifest last) and removes the rest. */
  publish(files: readonly string[]): Promise<void>;
}

const CONTROL = '.fieldsense';

/** A local folder: `<out>.partial`, renamed to `<out>` when published. */
export class LocalWorkspace implements ExportWorkspace {
  readonly root: string;

  constructor(readonly destination: string) {
    this.root = `${destination}.partial`;
  }

  async readJson<T>(rel: string): Promise<T | null> {
    const file = path.join(this.root, CONTROL, rel);
    if (!existsSync(file)) return null;
    return JSON.parse(await readFile(file, 'utf8')) as T;
  }

  async writeJson(rel: string, value: unknown): Promise<void> {
    const file = path.join(this.root, CONTROL, rel);
    await mkdir(path.dirname(file), { recursive: true });
    // Written beside, then renamed: a summary is there whole or not at all.
    await writeFile(`${file}.tmp`, `${JSON.stringify(value)}\n`);
    await rename(`${file}.tmp`, file);
  }

  openFile(rel: string): DataFileSink {
    const file = path.join(this.root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    const out = createWriteStream(`${file}.tmp`);
    const hash = createHash('sha256');
    let bytes = 0;
    return {
      async write(b) {
        hash.update(b);
        bytes += b.length;
        if (!out.write(b)) await once(out, 'drain');
      },
      async close() {
        out.end();
        await once(out, 'close');
        renameSync(`${file}.tmp`, file);
        return { bytes, sha256: hash.digest('hex') };
      },
      async abort() {
        out.destroy();
        await rm(`${file}.tmp`, { force: true });
      },
    };
  }

  async intact(rel: string, expected: { bytes: number; sha256: string }): Promise<boolean> {
    const file = path.join(this.root, rel);
    if (!existsSync(file) || statSync(file).size !== expected.bytes) return false;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    return hash.digest('hex') === expected.sha256;
  }

  async clear(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
    await mkdir(this.root, { recursive: true });
  }

  async publish(files: readonly string[]): Promise<void> {
    const keep = new Set(files);
    // Anything not in the dataset (control files, a shard written for an earlier plan) stays out of it.
    await rm(path.join(this.root, CONTROL), { recursive: true, force: true });
    for (const f of await readdir(this.root, { recursive: true, withFileTypes: true })) {
      const rel = path.relative(this.root, path.join(f.parentPath, f.name)).split(path.sep).join('/');
      if (f.isFile() && !keep.has(rel)) await rm(path.join(this.root, rel), { force: true });
    }
    await rename(this.root, this.destination);
  }
}

/** A prefix of a bucket: files under `<prefix>.partial/`, copied to `<prefix>/` when published. */
export class S3Workspace implements ExportWorkspace {
  readonly destination: string;
  private readonly partial: string;

  constructor(private readonly store: ObjectStore, private readonly prefix: string) {
    this.destination = `s3://${store.bucket}/${prefix}`;
    this.partial = `${prefix}.partial`;
  }

  private key(rel: string): string {
    return keys.exportObject(this.partial, rel);
  }

  async readJson<T>(rel: string): Promise<T | null> {
    const k = this.key(`${CONTROL}/${rel}`);
    if ((await this.store.stat(k)) === null) return null;
    return JSON.parse(new TextDecoder().decode(await this.store.getBytes(k))) as T;
  }

  async writeJson(rel: string, value: unknown): Promise<void> {
    await this.store.putBytes(this.key(`${CONTROL}/${rel}`), `${JSON.stringify(value)}\n`, 'application/json');
  }

  openFile(rel: string, contentType: string): DataFileSink {
    const body = new PassThrough({ highWaterMark: 4 << 20 });
    const hash = createHash('sha256');
    let bytes = 0;
    const abort = new AbortController();
    const upload = this.store.putStream(this.key(rel), body, { contentType, signal: abort.signal });
    // A failed upload is reported by close(); until then writes must not hang on a stream nobody reads.
    upload.catch(() => body.resume());
    return {
      async write(b) {
        hash.update(b);
        bytes += b.length;
        if (!body.write(b)) await Promise.race([once(body, 'drain'), upload.then(() => undefined)]);
      },
      close: async () => {
        body.end();
        await upload;
        const st = await this.store.stat(this.key(rel));
        return { bytes, sha256: hash.digest('hex'), ...(st ? { version: st.etag } : {}) };
      },
      async abort() {
        abort.abort();
        body.destroy();
        await upload.catch(() => undefined);
      },
    };
  }

  async intact(rel: string, expected: { bytes: number; sha256: string; version?: string }): Promise<boolean> {
    const k = this.key(rel);
    const st = await this.store.stat(k);
    if (st === null || st.size !== expected.bytes) return false;
    if (expected.version !== undefined) return st.etag === expected.version;
    const hash = createHash('sha256');
    const { body } = await this.store.getStream(k);
    for await (const chunk of body) hash.update(chunk as Buffer);
    return hash.digest('hex') === expected.sha256;
  }

  async clear(): Promise<void> {
    for (const k of await this.store.list(`${this.partial}/`)) await this.store.delete(k);
  }

  async publish(files: readonly string[]): Promise<void> {
    // What an earlier, interrupted publish left at the destination is replaced; the manifest goes last, once every
    // other file is in place (those are copied four at a time).
    const last = files.at(-1);
    const rest = files.slice(0, -1);
    for (let i = 0; i < rest.length; i += 4) await Promise.all(rest.slice(i, i + 4).map((rel) => this.store.copy(this.key(rel), keys.exportObject(this.prefix, rel))));
    if (last !== undefined) await this.store.copy(this.key(last), keys.exportObject(this.prefix, last));
    await this.clear();
  }
}
