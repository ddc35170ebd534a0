import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collect, collectError, fixture, fmt, int16Data, riff, wavInt16, type ChunkSpec } from './audio.test-support.js';
import { wavReader } from './wav.reader.js';

/** The CMU ARCTIC sentence every generated variant was made from (see test/fixtures/generated-audio/README.md). */
const source = wavInt16(fixture('pyroomacoustics-samples/cmu_arctic_us_aew_a0001.wav'));
const DISHES = fileURLToPath(new URL('../../../test/fixtures/pyroomacoustics-samples/doing_the_dishes.wav', import.meta.url));

const read = (bytes: Uint8Array, piece?: number) => collect(wavReader, bytes, piece, 'x.wav');
const readError = (bytes: Uint8Array) => collectError(wavReader, bytes);

function bytesOf(values: number[], width: 1 | 3 | 4 | 8, kind: 'int' | 'uint' | 'float' = 'int'): Uint8Array {
  const out = new Uint8Array(values.length * width);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => {
    const at = i * width;
    if (kind === 'float') {
      if (width === 4) dv.setFloat32(at, v, true);
      else dv.setFloat64(at, v, true);
    } else if (width === 1) dv.setUint8(at, v);
    else if (width === 3) {
      dv.setUint8(at, v & 0xff);
      dv.setUint16(at + 1, (v >> 8) & 0xffff, true);
    } else dv.setInt32(at, v, true);
  });
  return out;
}

describe('wav reader on real files', () => {
  it('reads the float64 WAV (18-byte fmt, fact chunk) with values as written, reaching −1.0', async () => {
    const bytes = fixture('pyroomacoustics-samples/output_samples_input_float64.wav');
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const r = await read(bytes, 4099);
    expect(r.stream?.nominalRateHz).toBe(8000);
    expect(r.stream?.channels).toEqual(['mono']);
    // data at offset 50: 315,296 bytes = 39,412 frames (the fact chunk says the same) = 4.9265 s (README 4.93 s).
    expect(r.frames).toBe(39_412);
    expect(dv.getUint32(46, true)).toBe(39_412);
    const mono = r.channel(0);
    for (let i = 0; i < 1000; i++) expect(mono[i]).toBe(Math.fround(dv.getFloat64(58 + 8 * i, true)));
    expect(mono[0]).toBeCloseTo(-0.000814268, 8);
    expect(Math.min(...mono)).toBe(-1);
    expect(r.warnings).toEqual([]);
  });

  it('reads the CMU ARCTIC sentence (16 kHz, plain header): 62,081 frames, first samples 29, 34, 38', async () => {
    const r = await read(fixture('pyroomacoustics-samples/cmu_arctic_us_aew_a0001.wav'), 65_536);
    expect(r.frames).toBe(62_081);
    expect(r.frames / 16_000).toBeCloseTo(3.88, 2);
    expect(Array.from(r.channel(0).subarray(0, 3))).toEqual([29 / 32768, 34 / 32768, 38 / 32768]);
  });

  it('keeps the software name from a LIST/INFO chunk as metadata (count.wav)', async () => {
    const r = await read(fixture('pyaudioanalysis-speech/count.wav'));
    expect(r.metadata?.session).toEqual({ wav_format: 'PCM 16-bit', info_isft: 'Lavf54.20.4' });
  });

  it('reads doing_the_dishes.wav (LIST and id3 after data), metadata from the trailing LIST', async () => {
    const bytes = new Uint8Array(readFileSync(DISHES));
    const r = await read(bytes, 1 << 16);
    expect(r.frames).toBe(1_522_930);
    expect(r.frames / 16_000).toBeCloseTo(95.18, 2);
    expect(r.metadata?.session?.info_isft).toBe('Fission');
    expect(r.warnings).toEqual([]);
  });
});

describe('wav reader on files other tools wrote (sox, ffmpeg: test/fixtures/generated-audio)', () => {
  const first = source.subarray(0, 8000);
  const exact = (name: string, description: string) => async () => {
    const r = await read(fixture(`generated-audio/${name}`), 777);
    expect(r.frames).toBe(8000);
    expect(r.stream?.nominalRateHz).toBe(16_000);
    expect(r.metadata).toBeUndefined();
    const mono = r.channel(0);
    for (let i = 0; i < 8000; i++) expect(mono[i]).toBe(first[i]! / 32768);
    expect(r.warnings).toEqual([]);
    expect(description).not.toBe('');
  };
  it('24-bit PCM in WAVE_FORMAT_EXTENSIBLE: exactly the 16-bit source', exact('pcm-s24.wav', 'EXTENSIBLE PCM 24-bit'));
  it('32-bit PCM in WAVE_FORMAT_EXTENSIBLE: exactly the 16-bit source', exact('pcm-s32.wav', 'EXTENSIBLE PCM 32-bit'));
  it('IEEE float 32-bit: exactly the 16-bit source', exact('float32.wav', 'IEEE float 32-bit'));
  it('IEEE float 64-bit: exactly the 16-bit source', exact('float64.wav', 'IEEE float 64-bit'));
  it('RF64 (ds64 chunk, data size 0xFFFFFFFF) written by ffmpeg: exactly the source, no warning', exact('rf64.wav', 'PCM 16-bit'));

  it('8-bit unsigned PCM: the source within one 8-bit step', async () => {
    const r = await read(fixture('generated-audio/pcm-u8.wav'), 1);
    expect(r.frames).toBe(8000);
    const mono = r.channel(0);
    for (let i = 0; i < 8000; i++) expect(Math.abs(mono[i]! - first[i]! / 32768)).toBeLessThanOrEqual(1 / 128);
    expect(mono.every((v) => v >= -1 && v < 1 && Number.isInteger(v * 128))).toBe(true);
  });

  it('A-law and µ-law: G.711 values, the source within the codec step', async () => {
    for (const name of ['alaw.wav', 'ulaw.wav']) {
      const r = await read(fixture(`generated-audio/${name}`), 100);
      expect(r.frames).toBe(8000);
      const mono = r.channel(0);
      for (let i = 0; i < 8000; i++) {
        const x = first[i]! / 32768;
        expect(Math.abs(mono[i]! - x)).toBeLessThanOrEqual(Math.max(32 / 32768, Math.abs(x) / 16));
      }
    }
    // Known G.711 code points: A-law 0xD5 → +8, 0xAA → +32256; µ-law 0x80 → +32124, 0xFF → 0.
    const a = await read(riff([fmt({ tag: 6, bits: 8 }), { id: 'data', body: new Uint8Array([0xd5, 0xaa, 0x2a]) }]));
    expect(Array.from(a.channel(0))).toEqual([8 / 32768, 32256 / 32768, -32256 / 32768]);
    const u = await read(riff([fmt({ tag: 7, bits: 8 }), { id: 'data', body: new Uint8Array([0x80, 0xff, 0x00]) }]));
    expect(Array.from(u.channel(0))).toEqual([32124 / 32768, 0, -32124 / 32768]);
  });

  it('6 channels with a 5.1 mask: channels named FL FR FC LFE BL BR, deinterleaved', async () => {
    const r = await read(fixture('generated-audio/six-channel-5.1.wav'), 1001);
    expect(r.stream?.channels).toEqual(['FL', 'FR', 'FC', 'LFE', 'BL', 'BR']);
    expect(r.frames).toBe(4000);
    // remix 1 2 3 1 2 3: channels 1 and 4 are both the CMU sentence.
    const fl = r.channel(0);
    const lfe = r.channel(3);
    for (let i = 0; i < 4000; i++) {
      expect(fl[i]).toBe(first[i]! / 32768);
      expect(lfe[i]).toBe(fl[i]);
    }
  });

  it('Broadcast WAV: the bext origination time becomes the start, on the device-local clock (local time by the spec)', async () => {
    const r = await read(fixture('generated-audio/bwf-bext.wav'), 300);
    expect(r.recording).toEqual({ type: 'recording', startTimeNs: BigInt(Date.UTC(2024, 4, 1, 13, 45, 10)) * 1_000_000n, absoluteTime: true, clock: 'device-local' });
    expect(r.times()[1]).toBe(BigInt(Date.UTC(2024, 4, 1, 13, 45, 10)) * 1_000_000n + 62_500n);
    expect(r.metadata?.session).toMatchObject({ bwf_origination: '2024-05-01 13:45:10', bwf_time_reference_samples: 792_160_000 });
    // The pipeline converts a device-local clock with the recording's zone (or warns that it has none).
    expect(r.warnings).toEqual([]);
    expect(r.frames).toBe(8000);
  });
});

describe('wav reader on synthetic variants and hostile files', () => {
  it('reads 24-bit and 32-bit integers and both float widths, any piece size', async () => {
    const cases: [ChunkSpec, ChunkSpec, number[]][] = [
      [fmt({ bits: 24 }), { id: 'data', body: bytesOf([0x7fffff, -0x800000, 1, -1], 3) }, [8388607 / 8388608, -1, 1 / 8388608, -1 / 8388608]],
      [fmt({ bits: 32 }), { id: 'data', body: bytesOf([0x7fffffff, -0x80000000, 256], 4) }, [Math.fround(2147483647 / 2147483648), -1, 256 / 2147483648]],
      [fmt({ tag: 3, bits: 32 }), { id: 'data', body: bytesOf([0.5, -0.25], 4, 'float') }, [0.5, -0.25]],
      [fmt({ tag: 3, bits: 64 }), { id: 'data', body: bytesOf([0.1, -1], 8, 'float') }, [Math.fround(0.1), -1]],
      [fmt({ bits: 8 }), { id: 'data', body: bytesOf([0, 128, 255], 1, 'uint') }, [-1, 0, 127 / 128]],
    ];
    for (const [f, d, expected] of cases) {
      for (const piece of [1, 3, 1000]) expect(Array.from((await read(riff([f, d]), piece)).channel(0))).toEqual(expected);
    }
  });

  it('EXTENSIBLE: float sub-format, stereo mask → left/right, a mask shorter than the channels → chN', async () => {
    const float = await read(riff([fmt({ bits: 32, extensible: { sub: 3, mask: 0x4 } }), { id: 'data', body: bytesOf([0.75], 4, 'float') }]));
    expect(float.stream?.channels).toEqual(['mono']);
    expect(Array.from(float.channel(0))).toEqual([0.75]);
    const stereo = await read(riff([fmt({ channels: 2, extensible: { sub: 1, mask: 0x3 } }), int16Data([1, 2])]));
    expect(stereo.stream?.channels).toEqual(['left', 'right']);
    const quad = await read(riff([fmt({ channels: 4, extensible: { sub: 1, mask: 0x3 | 0x8 } }), int16Data([1, 2, 3, 4])]));
    expect(quad.stream?.channels).toEqual(['FL', 'FR', 'LFE', 'ch4']);
    const noMask = await read(riff([fmt({ channels: 3, extensible: { sub: 1, mask: 0 } }), int16Data([1, 2, 3])]));
    expect(noMask.stream?.channels).toEqual(['ch1', 'ch2', 'ch3']);
  });

  it('keeps float samples beyond full scale and NaN as written, counting them in warnings', async () => {
    const r = await read(riff([fmt({ tag: 3, bits: 32 }), { id: 'data', body: bytesOf([1.5, -2, 0.5, Number.NaN, Number.POSITIVE_INFINITY], 4, 'float') }]));
    expect(Array.from(r.channel(0))).toEqual([1.5, -2, 0.5, Number.NaN, Number.POSITIVE_INFINITY]);
    expect(r.warnings.map((w) => [w.code, w.count])).toEqual([
      ['audio_over_full_scale', 2],
      ['audio_non_finite', 2],
    ]);
  });

  it('reads an RF64 file whose ds64 gives the data size, and ignores what follows data', async () => {
    const ds64 = new Uint8Array(28);
    new DataView(ds64.buffer).setUint32(8, 6, true);
    const bytes = riff([{ id: 'ds64', body: ds64 }, fmt(), { ...int16Data([5, 6, 7]), declared: 0xffffffff }, { id: 'junk', body: new Uint8Array(10).fill(9) }], 'RF64');
    const r = await read(bytes, 7);
    expect(Array.from(r.channel(0))).toEqual([5 / 32768, 6 / 32768, 7 / 32768]);
    expect(r.warnings).toEqual([]);
  });

  it('reads a data chunk that declares 0 bytes although samples follow (recorder never finished the header)', async () => {
    const r = await read(riff([fmt(), { ...int16Data([100, -100, 7, 8, 9]), declared: 0 }]), 2);
    expect(Array.from(r.channel(0))).toEqual([100, -100, 7, 8, 9].map((v) => v / 32768));
    expect(r.warnings.map((w) => w.code)).toEqual(['wav_size_mismatch']);
    expect(r.warnings[0]?.message).toContain('declares 0 bytes although samples follow');
  });

  it('recovers from an odd-sized chunk written without its pad byte, with a warning', async () => {
    const bytes = riff([{ id: 'LIST', body: new Uint8Array([73, 78, 70, 79, 1]), noPad: true }, fmt(), int16Data([11, 22])]);
    for (const piece of [1, 5, 64]) {
      const r = await read(bytes, piece);
      expect(Array.from(r.channel(0))).toEqual([11 / 32768, 22 / 32768]);
      expect(r.warnings.map((w) => w.code)).toEqual(['wav_chunk_unpadded']);
    }
  });

  it('takes the start time from a bext chunk after data (read through random access)', async () => {
    const bext = new Uint8Array(602);
    bext.set(new TextEncoder().encode('2023-11-02'), 320);
    bext.set(new TextEncoder().encode('08:00:01'), 330);
    bext.set(new TextEncoder().encode('Zoom H5'), 256);
    const r = await read(riff([fmt(), int16Data([1, 2]), { id: 'bext', body: bext }]), 9);
    expect(r.recording?.startTimeNs).toBe(BigInt(Date.UTC(2023, 10, 2, 8, 0, 1)) * 1_000_000n);
    expect(r.metadata?.session).toMatchObject({ bwf_originator: 'Zoom H5' });
    expect(r.frames).toBe(2);
  });

  it('takes a zoned GUANO timestamp as the start, with no local-time warning, and the device from it', async () => {
    const guano = new TextEncoder().encode('GUANO|Version: 1.0\nTimestamp: 2022-06-30T21:15:00-07:00\nMake: Open Acoustic Devices\nModel: AudioMoth\nSerial: 24F3190\n');
    const r = await read(riff([fmt(), { id: 'guan', body: guano }, int16Data([3])]));
    expect(r.recording).toEqual({ type: 'recording', startTimeNs: BigInt(Date.UTC(2022, 6, 1, 4, 15, 0)) * 1_000_000n, absoluteTime: true });
    expect(r.metadata?.device).toEqual({ kind: 'other', platform: 'Open Acoustic Devices', model: 'AudioMoth', serial: '24F3190' });
    expect(r.warnings).toEqual([]);
  });

  it('rejects absurd channel counts and rates as format_limits', async () => {
    for (const spec of [{ channels: 65 }, { channels: 0 }, { rate: 0 }, { rate: 2_000_000 }]) {
      const e = await readError(riff([fmt(spec), int16Data([1, 2])]));
      expect(e.code).toBe('format_limits');
    }
    expect((await readError(riff([fmt({ channels: 65 }), int16Data([1])]))).message).toContain('65 channels');
  });

  it('rejects garbage where a chunk header belongs as format_corrupt, naming the offset', async () => {
    const good = riff([fmt(), int16Data([1, 2, 3])]);
    const bad = good.slice();
    bad.set([0x00, 0xff, 0x13, 0x80], 12);
    const e = await readError(bad);
    expect(e.code).toBe('format_corrupt');
    expect(e.message).toContain('offset 12');
  });

  it('rejects a big-endian RIFX file with a conversion hint', async () => {
    const bytes = riff([fmt(), int16Data([1])]);
    bytes.set(new TextEncoder().encode('RIFX'), 0);
    const e = await readError(bytes);
    expect(e.code).toBe('format_unsupported_variant');
    expect(e.message).toContain('sox in.wav -L out.wav');
  });

  it('truncated inside fmt → wav_invalid; a huge LIST before data → wav_invalid, never a huge allocation', async () => {
    const bytes = riff([fmt(), int16Data([1, 2])]);
    expect((await readError(bytes.subarray(0, 30))).code).toBe('wav_invalid');
    const e = await readError(riff([{ id: 'LIST', body: new Uint8Array(4), declared: 0x7ffffff0 }, fmt(), int16Data([1])]));
    expect(e.code).toBe('wav_invalid');
    expect(e.message).toContain('"LIST"');
  });
});
