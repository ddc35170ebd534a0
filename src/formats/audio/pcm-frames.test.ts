import { describe, expect, it } from 'vitest';
import { FrameClock } from '../../domain/frame-clock.js';
import type { ReaderEvent, SampleChunk } from '../../domain/stream.js';
import { MAX_FRAMES, PcmFrameSink } from './pcm-frames.js';

const chunksOf = (events: ReaderEvent[]): SampleChunk[] => events.flatMap((e) => (e.type === 'chunk' ? [e.chunk] : []));

describe('PCM frame sink', () => {
  it('emits regular chunks: clock and first frame, no time per sample until one is read', () => {
    const clock = new FrameClock(16_000, 5_000_000_000n);
    const sink = new PcmFrameSink({ channels: 1, sampleRate: 16_000, encoding: 's16', frameBytes: 2 }, 'audio', clock);
    const pcm = new Int16Array(MAX_FRAMES + 10).map((_, i) => (i % 200) - 100);
    const out = chunksOf(sink.push(new Uint8Array(pcm.buffer)));
    out.push(...chunksOf([sink.flush()]));
    expect(out.map((c) => [c.length, c.regular?.firstFrame])).toEqual([[MAX_FRAMES, 0], [10, MAX_FRAMES]]);
    expect(out[1]!.values[0]![3]).toBe(pcm[MAX_FRAMES + 3]! / 32768);
    expect(out[1]!.t[0]).toBe(clock.at(MAX_FRAMES));
  });

  it('hands mono float32 pieces on as views when the caller gives them up, and copies otherwise', () => {
    const piece = new Float32Array(8192).map((_, i) => Math.fround(Math.sin(i)));
    const bytes = new Uint8Array(piece.buffer);
    const viewing = new PcmFrameSink({ channels: 1, sampleRate: 8000, encoding: 'f32', frameBytes: 4 }, 'audio', new FrameClock(8000), { piecesHandedOver: true });
    const [viewed] = chunksOf(viewing.push(bytes));
    expect(viewed!.values[0]!.buffer).toBe(piece.buffer);
    expect(viewed!.values[0]).toEqual(piece);
    const copying = new PcmFrameSink({ channels: 1, sampleRate: 8000, encoding: 'f32', frameBytes: 4 }, 'audio', new FrameClock(8000));
    expect(copying.push(bytes)).toEqual([]);
    const copied = copying.flush();
    expect(copied.type === 'chunk' && copied.chunk.values[0]!.buffer !== piece.buffer && Array.from(copied.chunk.values[0]!)).toEqual(Array.from(piece));
  });

  it('jumpTo emits what it holds, drops a partial frame, and places the next frames after the gap', () => {
    const clock = new FrameClock(8000, 1_000_000_000n);
    const sink = new PcmFrameSink({ channels: 2, sampleRate: 8000, encoding: 's16', frameBytes: 4 }, 'audio', clock);
    const frames = (from: number, n: number): Uint8Array => new Uint8Array(Int16Array.from({ length: 2 * n }, (_, k) => from + (k >> 1)).buffer);
    sink.push(frames(0, 100));
    sink.push(new Uint8Array([1, 2]));
    expect(sink.pendingBytes).toBe(2);
    const [before] = chunksOf([sink.jumpTo(4000)!]);
    expect(before!.length).toBe(100);
    expect(sink.pendingBytes).toBe(0);
    expect(sink.jumpTo(4100)).toBeNull(); // nothing held: nothing to emit
    sink.push(frames(7, 50));
    const [after] = chunksOf([sink.flush()]);
    expect(after!.regular?.firstFrame).toBe(4100);
    expect(after!.t[0]).toBe(1_000_000_000n + 4100n * 125_000n);
    expect(after!.values[1]![0]! * 32768).toBe(7);
    expect(sink.frames).toBe(4150);
  });
});
