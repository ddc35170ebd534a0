import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.js';
import { wavReader } from './wav.reader.js';
import { collect, riff, type ChunkSpec, type Collected } from './audio.test-support.js';

/** Real recordings copied, with their licences, into test/fixtures. */
const REAL = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));

function read(bytes: Uint8Array, pieceSize = bytes.length || 1): Promise<Collected> {
  return collect(wavReader, bytes, pieceSize, 'x.wav');
}

async function readError(bytes: Uint8Array): Promise<AppError> {
  try {
    await read(bytes, 5);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

interface WavSpec {
  channels?: number;
  rate?: number;
  bits?: number;
  formatTag?: number;
  /** Interleaved int16 sample values. */
  samples?: number[];
  /** Raw data bytes (overrides samples). */
  data?: Uint8Array;
  before?: { id: string; body: Uint8Array }[];
  after?: { id: string; body: Uint8Array }[];
  dataSize?: number;
  fmtFirst?: boolean;
  extensibleSubFormat?: number;
  blockAlign?: number;
}

function makeWav(spec: WavSpec): Uint8Array {
  const channels = spec.channels ?? 1;
  const rate = spec.rate ?? 8000;
  const bits = spec.bits ?? 16;
  const ext = spec.extensibleSubFormat !== undefined;
  const fmt = new Uint8Array(ext ? 40 : 16);
  const f = new DataView(fmt.buffer);
  f.setUint16(0, ext ? 0xfffe : (spec.formatTag ?? 1), true);
  f.setUint16(2, channels, true);
  f.setUint32(4, rate, true);
  f.setUint32(8, (rate * channels * bits) / 8, true);
  f.setUint16(12, spec.blockAlign ?? (channels * bits) / 8, true);
  f.setUint16(14, bits, true);
  if (ext) {
    f.setUint16(16, 22, true);
    f.setUint16(18, bits, true);
    f.setUint16(24, spec.extensibleSubFormat ?? 1, true);
  }
  let data = spec.data;
  if (data === undefined) {
    const s = spec.samples ?? [];
    data = new Uint8Array(s.length * 2);
    const dv = new DataView(data.buffer);
    s.forEach((v, i) => dv.setInt16(i * 2, v, true));
  }
  const fmtChunk: ChunkSpec = { id: 'fmt ', body: fmt };
  // A data chunk declared larger than its bytes must be the last thing in the file to "lie".
  return riff([
    ...(spec.before ?? []),
    ...(spec.fmtFirst === false ? [] : [fmtChunk]),
    { id: 'data', body: data, declared: spec.dataSize ?? data.length },
    ...(spec.fmtFirst === false ? [fmtChunk] : []),
    ...(spec.after ?? []),
  ]);
}

describe('wav reader on real files', () => {
  const count = new Uint8Array(readFileSync(`${REAL}pyaudioanalysis-speech/count.wav`));

  it('reads count.wav (18-byte fmt, LIST before data) the same whatever the piece size', async () => {
    // Independent look at the bytes: "data" at offset 70, its size at 74, samples from 78.
    const dv = new DataView(count.buffer, count.byteOffset, count.byteLength);
    expect(new TextDecoder().decode(count.subarray(70, 74))).toBe('data');
    const dataBytes = dv.getUint32(74, true);
    expect(dataBytes).toBe(187_776);
    const expectedFrames = dataBytes / 2;

    for (const size of [7, 64 * 1024]) {
      const r = await read(count, size);
      expect(r.events[0]).toEqual({ type: 'recording', startTimeNs: null, absoluteTime: false });
      expect(r.events[1]?.type).toBe('stream');
      expect(r.stream).toEqual({
        name: 'audio',
        kind: 'audio',
        sensor: 'audio',
        channels: ['mono'],
        unit: 'pcm',
        nominalRateHz: 16000,
        fullScale: 1,
      });
      expect(r.warnings).toEqual([]);
      expect(r.frames).toBe(expectedFrames);
      expect(r.chunks.map((c) => c.length)).toEqual([65_536, expectedFrames - 65_536]);
      // 93,888 frames at 16 kHz = 5.868 s (README: 5.87 s).
      expect(expectedFrames / 16000).toBeCloseTo(5.87, 2);
      const t = r.times();
      expect(t[0]).toBe(0n);
      expect(t[1]).toBe(62_500n);
      expect(t[t.length - 1]).toBe(BigInt((expectedFrames - 1) * 62_500));
      const mono = r.channel(0);
      for (let i = 0; i < 2000; i++) expect(mono[i]).toBe(dv.getInt16(78 + 2 * i, true) / 32768);
      expect(mono[expectedFrames - 1]).toBe(dv.getInt16(78 + 2 * (expectedFrames - 1), true) / 32768);
    }
  });

  it('reads count2.wav (LIST and id3 chunks after data)', async () => {
    const bytes = new Uint8Array(readFileSync(`${REAL}pyaudioanalysis-speech/count2.wav`));
    const r = await read(bytes, 4093);
    expect(r.frames).toBe(168_732);
    expect(r.frames / 16000).toBeCloseTo(10.55, 2);
    expect(r.warnings).toEqual([]);
  });

  it('reads an FSDD clip (plain 44-byte header, 8 kHz) in 1-byte pieces', async () => {
    const bytes = new Uint8Array(readFileSync(`${REAL}fsdd-free-spoken-digit/0_jackson_0.wav`));
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const frames = dv.getUint32(40, true) / 2;
    expect(frames).toBe(5148);
    const r = await read(bytes, 1);
    expect(r.stream?.nominalRateHz).toBe(8000);
    expect(r.frames).toBe(frames);
    expect(r.frames / 8000).toBeCloseTo(0.6435, 4);
    const mono = r.channel(0);
    expect(mono[0]).toBe(-369 / 32768);
    for (let i = 0; i < frames; i++) expect(mono[i]).toBe(dv.getInt16(44 + 2 * i, true) / 32768);
    expect(r.times()[frames - 1]).toBe(BigInt((frames - 1) * 125_000));
  });
});

describe('wav reader on synthetic files', () => {
  it('deinterleaves stereo and rounds non-integer sample periods', async () => {
    for (const size of [3, 4096]) {
      const r = await read(makeWav({ channels: 2, rate: 44_100, samples: [100, -100, 32767, -32768, 1, 2] }), size);
      expect(r.stream?.channels).toEqual(['left', 'right']);
      expect(Array.from(r.channel(0))).toEqual([100 / 32768, 32767 / 32768, 1 / 32768]);
      expect(Array.from(r.channel(1))).toEqual([-100 / 32768, -1, 2 / 32768]);
      expect(r.times()).toEqual([0n, 22_676n, 45_351n]);
    }
  });

  it('names channels ch1..chN beyond stereo', async () => {
    const r = await read(makeWav({ channels: 6, samples: [1, 2, 3, 4, 5, 6] }));
    expect(r.stream?.channels).toEqual(['ch1', 'ch2', 'ch3', 'ch4', 'ch5', 'ch6']);
    expect(r.channel(5)[0]).toBe(6 / 32768);
  });

  it('skips an odd-sized LIST chunk before data (padded) and chunks after data', async () => {
    const wav = makeWav({
      samples: [10, 20, 30],
      before: [{ id: 'LIST', body: new Uint8Array([73, 78, 70, 79, 0]) }],
      after: [
        { id: 'id3 ', body: new Uint8Array(7) },
        { id: 'junk', body: new Uint8Array(3) },
      ],
    });
    for (const size of [1, 2, 13, wav.length]) {
      const r = await read(wav, size);
      expect(Array.from(r.channel(0))).toEqual([10 / 32768, 20 / 32768, 30 / 32768]);
      expect(r.warnings).toEqual([]);
    }
  });

  it('reads a wrong block align as 16-bit frames, with a warning after the stream is declared', async () => {
    const r = await read(makeWav({ channels: 2, samples: [1, 2, 3, 4], blockAlign: 2 }));
    expect(Array.from(r.channel(1))).toEqual([2 / 32768, 4 / 32768]);
    expect(r.events.map((e) => e.type)).toEqual(['recording', 'stream', 'warning', 'chunk']);
    expect(r.warnings[0]?.code).toBe('wav_block_align');
  });

  it('reads EXTENSIBLE 16-bit PCM', async () => {
    const r = await read(makeWav({ extensibleSubFormat: 1, samples: [-5, 5] }));
    expect(Array.from(r.channel(0))).toEqual([-5 / 32768, 5 / 32768]);
  });

  it('reads what is there when the data size is 0xFFFFFFFF, with a warning', async () => {
    const r = await read(makeWav({ samples: [1, 2, 3, 4], dataSize: 0xffffffff }), 3);
    expect(r.frames).toBe(4);
    expect(r.warnings.map((w) => w.code)).toEqual(['wav_size_mismatch']);
  });

  it('clamps a data size larger than the file, with a warning', async () => {
    const r = await read(makeWav({ samples: [1, 2, 3], dataSize: 1000 }), 4);
    expect(r.frames).toBe(3);
    expect(r.warnings.map((w) => w.code)).toEqual(['wav_size_mismatch']);
    expect(r.warnings[0]?.message).toContain('declares 1000 bytes but the file holds 6');
  });

  it('drops a partial final frame with a warning', async () => {
    // Four stereo frames declared, the file cut 2 bytes into the fourth one.
    const full = makeWav({ channels: 2, samples: [1, 2, 3, 4, 1234, 6, 7, 8] });
    const r = await read(full.subarray(0, full.length - 2), 5);
    expect(r.frames).toBe(3);
    expect(r.channel(0)[2]).toBe(1234 / 32768);
    expect(r.warnings.map((w) => w.code).sort()).toEqual(['wav_partial_frame', 'wav_size_mismatch']);
  });

  it('emits chunks of at most 65,536 frames with continuous times', async () => {
    const n = 150_000;
    const samples = Array.from({ length: n }, (_, i) => (i % 2000) - 1000);
    const r = await read(makeWav({ rate: 48_000, samples }), 10_001);
    expect(r.chunks.map((c) => c.length)).toEqual([65_536, 65_536, n - 131_072]);
    const t = r.times();
    expect(t[65_536]).toBe(BigInt(Math.round((65_536 * 1e9) / 48_000)));
    expect(t[n - 1]).toBe(BigInt(Math.round(((n - 1) * 1e9) / 48_000)));
    expect(r.channel(0)[140_001]).toBe(((140_001 % 2000) - 1000) / 32768);
  });

  it('rejects ADPCM and 16-bit float as unsupported variants, naming what it found and how to convert', async () => {
    const adpcm = await readError(makeWav({ formatTag: 2, bits: 4, data: new Uint8Array(6) }));
    expect(adpcm.code).toBe('format_unsupported_variant');
    expect(adpcm.message).toContain('Microsoft ADPCM');
    expect(adpcm.message).toContain('4-bit');
    expect(adpcm.message).toContain('ffmpeg -i in.wav');
    const ef = await readError(makeWav({ formatTag: 3, bits: 16, data: new Uint8Array(8) }));
    expect(ef.code).toBe('format_unsupported_variant');
    expect(ef.message).toContain('IEEE float');
    expect(ef.message).toContain('16-bit');
  });

  it('rejects data before fmt, a non-RIFF file and a file with no data chunk as wav_invalid', async () => {
    const noFmt = await readError(makeWav({ samples: [1], fmtFirst: false }));
    expect(noFmt.code).toBe('wav_invalid');
    expect(noFmt.message).toContain('before any "fmt "');
    const notRiff = await readError(new TextEncoder().encode('hello world, this is not a wav'));
    expect(notRiff.code).toBe('wav_invalid');
    const headerOnly = makeWav({ samples: [] }).subarray(0, 12 + 8 + 16);
    const noData = await readError(headerOnly);
    expect(noData.code).toBe('wav_invalid');
    expect(noData.message).toContain('before its "data"');
  });

  it('rejects zero frames as no_samples', async () => {
    expect((await readError(makeWav({ samples: [] }))).code).toBe('no_samples');
    expect((await readError(makeWav({ channels: 2, data: new Uint8Array(3) }))).code).toBe('no_samples');
  });
});
