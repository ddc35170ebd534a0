import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.js';
import { chunked } from './byte-source.js';
import { LineSplitter, lineTooLong, type LineRun } from './line-splitter.js';
import { textLines } from './text-lines.js';

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { ignoreBOM: true });

function fixture(path: string): Uint8Array {
  return new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../test/fixtures/${path}`, import.meta.url))));
}

async function nextLines(bytes: Uint8Array, piece: number, maxLine = 1 << 20, bom = false): Promise<{ text: string; terminated: boolean; overlong: boolean }[]> {
  const s = new LineSplitter(chunked(bytes, piece), { maxLine, bom });
  const out = [];
  for (let l = await s.next(); l !== null; l = await s.next()) out.push({ text: dec.decode(l), terminated: s.terminated, overlong: s.overlong });
  return out;
}

/** Lines as the runs give them: each `lines` run split at its LFs, CRs dropped; overlong lines as null. */
async function runLines(bytes: Uint8Array, piece: number, maxLine = 1 << 20, bom = false): Promise<{ lines: (string | null)[]; kinds: Set<LineRun['kind']>; lastTerminated: boolean }> {
  const s = new LineSplitter(chunked(bytes, piece), { maxLine, bom });
  const lines: (string | null)[] = [];
  const kinds = new Set<LineRun['kind']>();
  let lastTerminated = true;
  for (let r = await s.nextRun(); r !== null; r = await s.nextRun()) {
    kinds.add(r.kind);
    lastTerminated = r.terminated;
    if (r.kind === 'overlong') {
      lines.push(null);
      continue;
    }
    const text = dec.decode(r.bytes.subarray(r.start, r.end));
    if (r.kind === 'lines') {
      expect(text.endsWith('\n')).toBe(true);
      lines.push(...text.slice(0, -1).split('\n').map((l) => l.replace(/\r$/, '')));
    } else {
      expect(text.includes('\n')).toBe(false);
      lines.push(text.replace(/\r$/, ''));
    }
  }
  expect(s.carryCapacity).toBeLessThanOrEqual(maxLine);
  return { lines, kinds, lastTerminated };
}

describe('LineSplitter', () => {
  it('splits the real GENEActiv test file (CRLF, 3,600-digit hex lines) alike one line at a time and in runs, whatever the piece size', async () => {
    const bytes = fixture('ggirread-wearables/GENEActiv_testfile.bin');
    const text = new TextDecoder().decode(bytes);
    const expected = text.split('\r\n');
    const terminated = text.endsWith('\r\n');
    if (terminated) expected.pop();
    expect(expected[0]).toBe('Device Identity');
    expect(expected.some((l) => l.length === 3600)).toBe(true);
    for (const piece of [1, 1000, 4096, 65_536, bytes.length]) {
      const one = await nextLines(bytes, piece);
      expect(one.map((l) => l.text)).toEqual(expected);
      expect(one.map((l) => l.terminated)).toEqual(expected.map((_, i) => terminated || i < expected.length - 1));
      expect(one.some((l) => l.overlong)).toBe(false);
      const runs = await runLines(bytes, piece);
      expect(runs.lines).toEqual(expected);
      expect(runs.lastTerminated).toBe(terminated);
    }
  });

  it('hands out a real Empatica E4 file (LF) as runs of whole lines, and as the same lines once its final newline is cut off', async () => {
    const bytes = fixture('flirt-empatica-e4/ACC.csv');
    const text = new TextDecoder().decode(bytes);
    const expected = text.split('\n');
    if (expected.at(-1) === '') expected.pop();
    expect(expected.slice(0, 2)).toEqual(['1560279825.000000, 1560279825.000000, 1560279825.000000', '32.000000, 32.000000, 32.000000']);
    const whole = await runLines(bytes, bytes.length);
    expect(whole.lines).toEqual(expected);
    expect(whole.lastTerminated).toBe(text.endsWith('\n'));
    const small = await runLines(bytes, 100);
    expect(small.lines).toEqual(expected);
    expect(small.kinds).toEqual(new Set(['lines', 'line']));
    const cut = await runLines(bytes.subarray(0, bytes.length - 1), 4096);
    expect(cut.lines).toEqual(expected);
    expect(cut.lastTerminated).toBe(false);
  });

  it('drops a UTF-8 BOM at the start only (also when it is split across pieces), keeps CRs inside runs and strips them from next()', async () => {
    const bytes = enc.encode('\uFEFFtime,x\r\n1,2\r\n\uFEFF3,4\r\n5,6');
    for (const piece of [1, 2, 3, 5, bytes.length]) {
      expect((await nextLines(bytes, piece, 1024, true)).map((l) => l.text)).toEqual(['time,x', '1,2', '\uFEFF3,4', '5,6']);
      expect((await runLines(bytes, piece, 1024, true)).lines).toEqual(['time,x', '1,2', '\uFEFF3,4', '5,6']);
    }
    expect((await nextLines(bytes, 4, 1024, false))[0]!.text).toBe('\uFEFFtime,x');
    const last = await nextLines(bytes, 4, 1024, true);
    expect(last.map((l) => l.terminated)).toEqual([true, true, true, false]);
  });

  it('marks a carried line longer than maxLine as overlong without buffering it, and goes on after it', async () => {
    const maxLine = 1000;
    const bytes = enc.encode(`a,b\n${'x'.repeat(5_000_000)}\nc,d\n${'y'.repeat(maxLine)}\n${'z'.repeat(maxLine + 1)}`);
    for (const piece of [7, 4096]) {
      const one = await nextLines(bytes, piece, maxLine);
      expect(one.map((l) => [l.overlong ? null : l.text.length, l.terminated])).toEqual([[3, true], [null, true], [3, true], [maxLine, true], [null, false]]);
      const runs = await runLines(bytes, piece, maxLine);
      expect(runs.lines).toEqual(['a,b', null, 'c,d', 'y'.repeat(maxLine), null]);
      expect(runs.lastTerminated).toBe(false);
    }
    const e = lineTooLong(2, maxLine, 'Sensor Logger CSV file');
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe('format_limits');
    expect(e.details).toEqual({ line: 2, maxLineBytes: maxLine });
  });

  it('closes the source when its reader stops early', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        for (;;) yield await Promise.resolve(enc.encode('1,2\n3,4\n'));
      } finally {
        closed = true;
      }
    }
    const s = new LineSplitter(source(), { maxLine: 100 });
    expect((await s.nextRun())?.kind).toBe('lines');
    await s.close();
    expect(closed).toBe(true);
  });
});

describe('textLines', () => {
  it('decodes the real Empatica E4 IBI and EDA files line by line as UTF-8 strings', async () => {
    for (const name of ['IBI.csv', 'EDA.csv']) {
      const bytes = fixture(`flirt-empatica-e4/${name}`);
      const expected = new TextDecoder().decode(bytes).split(/\r?\n/);
      if (expected.at(-1) === '') expected.pop();
      const got: string[] = [];
      for await (const l of textLines(chunked(bytes, 333))) got.push(l);
      expect(got).toEqual(expected);
      expect(got.length).toBeGreaterThan(100);
    }
  });

  it('decodes multi-byte characters split across pieces and rejects a line past its limit (format_limits, its line number)', async () => {
    const got: string[] = [];
    for await (const l of textLines(chunked(enc.encode('\uFEFFgrüße,µs\r\n°C\n'), 1))) got.push(l);
    expect(got).toEqual(['grüße,µs', '°C']);
    const long = textLines(chunked(enc.encode(`ok\n${'1'.repeat(10_000)}\n`), 1024), 4096, 'Empatica E4 file');
    await expect(long.next()).resolves.toEqual({ done: false, value: 'ok' });
    await expect(long.next()).rejects.toMatchObject({ code: 'format_limits', details: { line: 2 } });
  });
});
