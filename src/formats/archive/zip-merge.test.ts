import { describe, expect, it } from 'vitest';
import { regularChunk } from '../../domain/chunk-times.js';
import { FrameClock } from '../../domain/frame-clock.js';
import type { ReaderEvent } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { mergeMember, StreamNames } from './zip-merge.js';

async function run(events: ReaderEvent[], offsetNs: bigint, names = new StreamNames()): Promise<ReaderEvent[]> {
  async function* source(): AsyncGenerator<ReaderEvent> {
    for (const ev of events) yield await Promise.resolve(ev);
  }
  const out: ReaderEvent[] = [];
  for await (const ev of mergeMember(source(), { entryName: 'dir/file.wav', names, offsetNs })) out.push(ev);
  return out;
}

const stream = { name: 'audio', kind: 'audio' as const, sensor: 'audio', channels: ['mono'], unit: 'pcm', nominalRateHz: 8000 };

describe('zip member merge', () => {
  it('shifts times exactly, across the 32-bit word boundary and for negative times', async () => {
    const times = [0n, 1n, 4294967295n, 4294967296n, -1n, -4294967296n, 1714557600000000000n];
    for (const offset of [1n, 4294967295n, 1714557600000000000n, -5n]) {
      const out = await run(
        [
          { type: 'recording', startTimeNs: null, absoluteTime: false },
          { type: 'stream', stream },
          { type: 'chunk', stream: 'audio', chunk: { length: times.length, t: BigInt64Array.from(times), values: [new Float32Array(times.length)] } },
          { type: 'annotation', annotation: { label: 'x', startNs: 10n, endNs: 20n, origin: 'o' } },
        ],
        offset,
      );
      const chunk = out.find((e) => e.type === 'chunk');
      expect(chunk?.type === 'chunk' ? Array.from(chunk.chunk.t) : []).toEqual(times.map((t) => t + offset));
      expect(out.find((e) => e.type === 'annotation')).toEqual({ type: 'annotation', annotation: { label: 'x', startNs: 10n + offset, endNs: 20n + offset, origin: 'o' } });
      expect(out.some((e) => e.type === 'recording')).toBe(false);
    }
  });

  it('renames, labels and closes the streams of a member', async () => {
    const names = new StreamNames();
    names.claim('audio');
    const out = await run(
      [
        { type: 'stream', stream },
        { type: 'warning', code: 'w', message: 'clamped' },
      ],
      0n,
      names,
    );
    expect(out).toEqual([
      { type: 'warning', code: 'stream_renamed', message: expect.stringContaining('"audio_2"') as string },
      { type: 'stream', stream: { ...stream, name: 'audio_2', sourceFile: 'dir/file.wav' } },
      { type: 'warning', code: 'w', message: 'dir/file.wav: clamped' },
      { type: 'stream-end', stream: 'audio_2' },
    ]);
  });

  it('gives every stream a valid bounded name, even a long or hostile one, and unique suffixes within the bound', () => {
    const names = new StreamNames();
    const long = 'a'.repeat(300);
    const first = names.claim(long);
    expect(first.renamed).toBe(true);
    expect(first.name).toMatch(/^[a-z0-9_]{1,64}$/);
    const second = names.claim(long);
    expect(second.name).not.toBe(first.name);
    expect(second.name).toMatch(/^[a-z0-9_]{1,64}$/);
    expect(names.claim('a'.repeat(64))).toEqual({ name: 'a'.repeat(64), renamed: false });
    const again = names.claim('a'.repeat(64));
    expect(again.name).toMatch(/^a{62}_2$/);
    expect(names.claim('Über\u202e').name).toMatch(/^uber_[0-9a-f]{8}$/);
  });

  it('names the member in its errors', async () => {
    async function* failing(): AsyncGenerator<ReaderEvent> {
      yield await Promise.resolve({ type: 'stream' as const, stream });
      throw new AppError('format_corrupt', 'bad block 3', { block: 3 });
    }
    const e = await (async () => {
      try {
        for await (const _ of mergeMember(failing(), { entryName: 'x/y.wav', names: new StreamNames(), offsetNs: 0n })) void _;
      } catch (err) {
        return err as AppError;
      }
      throw new Error('expected an error');
    })();
    expect(e.code).toBe('format_corrupt');
    expect(e.message).toBe('In "x/y.wav" inside the ZIP archive: bad block 3');
    expect(e.details).toEqual({ block: 3, entry: 'x/y.wav' });
  });
  it('shifts a regular chunk by moving its clock, without times per sample', async () => {
    const clock = new FrameClock(44_100, 0n);
    const offset = 1_714_557_600_000_000_001n;
    const out = await run(
      [
        { type: 'stream', stream: { ...stream, nominalRateHz: 44_100 } },
        { type: 'chunk', stream: 'audio', chunk: regularChunk(5, [new Float32Array(5)], clock, 44_099) },
      ],
      offset,
    );
    const ev = out.find((e) => e.type === 'chunk');
    const chunk = ev?.type === 'chunk' ? ev.chunk : null;
    expect(chunk?.regular?.firstFrame).toBe(44_099);
    expect(chunk?.regular?.clock.baseNs).toBe(offset);
    const t = new BigInt64Array(5);
    clock.fill(t, 44_099, 5);
    expect(Array.from(chunk!.t)).toEqual(Array.from(t, (v) => v + offset));
  });
});
