import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AppError } from '../lib/errors.js';
import { chunked, concatBytes, peekHead } from './common/byte-source.js';
import { detectFormat, formatNames, readers } from './registry.js';

/** Real recordings copied, with their licences, into test/fixtures. */
const REAL = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1]);

function detectError(head: Uint8Array, filename: string): AppError {
  try {
    detectFormat({ head, filename });
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

describe('detectFormat', () => {
  it('picks readers by content, not by file name', () => {
    const wav = readFileSync(`${REAL}fsdd-free-spoken-digit/7_theo_0.wav`).subarray(0, 64 * 1024);
    expect(detectFormat({ head: new Uint8Array(wav), filename: 'recording.csv' }).name).toBe('wav');
    const csv = new TextEncoder().encode('time,seconds_elapsed,z,y,x\n1,0,1,2,3\n');
    expect(detectFormat({ head: csv, filename: 'audio.wav' }).name).toBe('sensor-logger-csv');
  });

  it('rejects a PNG named .wav as format_unrecognized, listing what is supported', () => {
    const e = detectError(PNG, 'clip.wav');
    expect(e.code).toBe('format_unrecognized');
    expect(e.message).toMatch(/^This file is not a format FieldSense reads\. Supported: /);
    for (const r of readers) expect(e.message).toContain(r.description);
  });

  it('rejects an empty file as file_empty', () => {
    expect(detectError(new Uint8Array(0), 'x.wav').code).toBe('file_empty');
  });
});

/** The contract, kept in the repository. */
function contractText(): string {
  return readFileSync(fileURLToPath(new URL('../../docs/API.md', import.meta.url)), 'utf8');
}

describe('format names', () => {
  it('lists every reader by name, and the names containers give (the formats a recording can report)', () => {
    expect(readers.map((r) => r.name)).toEqual([
      'wav', 'axivity-cwa', 'zip-container', 'audio-codec', 'geneactiv-bin', 'edge-impulse', 'sensor-logger-json',
      'sensor-logger-csv', 'empatica-e4-csv', 'core-motion-csv', 'segments-labels', 'generic-delimited',
    ]);
    expect(formatNames).toEqual([...readers.map((r) => r.name), 'sensor-logger-zip', 'empatica-e4-zip']);
    for (const n of formatNames) expect(n).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(new Set(formatNames).size).toBe(formatNames.length);
  });

  it('gives every format name the contract names', () => {
    // `"format": "<reader name, e.g. sensor-logger-zip, wav, axivity-cwa>"`, and any name listed in backticks after it.
    const text = contractText();
    const example = /"format":\s*"<reader name, e\.g\. ([^>]+)>"/.exec(text);
    expect(example).not.toBeNull();
    const named = example![1]!.split(',').map((s) => s.trim());
    expect(named.length).toBeGreaterThan(0);
    for (const n of named) expect(formatNames).toContain(n);
  });

  it('is the list of format names the contract copy documents, no more and no less', () => {
    const text = contractText();
    const section = text.slice(text.indexOf('### Format names'));
    const table = section.slice(0, section.indexOf('\n###', 1));
    const documented = [...table.matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([a-z0-9-]+)`/g)].map((x) => x[1]!));
    expect([...documented].sort()).toEqual([...formatNames].sort());
  });
});

describe('peekHead', () => {
  it('returns the first bytes and a source that replays the whole input', async () => {
    const bytes = new Uint8Array(10_000).map((_, i) => i % 251);
    const { head, source } = await peekHead(chunked(bytes, 333), 1000);
    expect(Array.from(head)).toEqual(Array.from(bytes.subarray(0, 1000)));
    const replay: Uint8Array[] = [];
    for await (const piece of source) replay.push(piece);
    expect(Array.from(concatBytes(replay))).toEqual(Array.from(bytes));
  });

  it('handles inputs shorter than the head', async () => {
    const { head, source } = await peekHead(chunked(new Uint8Array([1, 2, 3]), 2), 1000);
    expect(Array.from(head)).toEqual([1, 2, 3]);
    const replay: Uint8Array[] = [];
    for await (const piece of source) replay.push(piece);
    expect(Array.from(concatBytes(replay))).toEqual([1, 2, 3]);
  });
});
