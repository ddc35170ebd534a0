import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { chunked } from '../common/byte-source.js';
import { audioCodecReader as bareReader } from './audio-codec.reader.js';
import { collect, collectError, correlation, fixture, rms, vorbisComment, wavInt16, withDecoder } from './audio.test-support.js';
import { inMemoryContext } from '../common/in-memory-context.test-support.js';
import { buildZip } from '../archive/zip-writer.test-support.js';
import { zipContainerReader } from '../archive/zip-container.reader.js';
import { createAudioDecoder, DEFAULT_TOOLS, type FfmpegTools } from '../../decoders/audio-decoder.js';

/**
 * Decoding needs Debian's ffmpeg (`apt-get install ffmpeg`). Without it these tests are skipped on a
 * developer's machine but run (and fail, naming what to install) in CI, so a missing install cannot hide.
 */
const HAVE_FFMPEG = spawnSync('ffprobe', ['-version']).status === 0 && spawnSync('ffmpeg', ['-version']).status === 0;
const RUN = HAVE_FFMPEG || process.env.CI === 'true';
/** Native FLAC goes to Debian's `flac` (libFLAC) when it is installed (`apt-get install flac`; CI installs it). */
const RUN_FLAC = (RUN && spawnSync('flac', ['--version']).status === 0) || process.env.CI === 'true';
const NO_TOOL = '/nonexistent/tool';

/** The reader with this machine's programs as `tools` names them, given through its context as the service gives them. */
const createAudioCodecReader = (tools: FfmpegTools) => withDecoder(bareReader, createAudioDecoder(tools));
const audioCodecReader = createAudioCodecReader(DEFAULT_TOOLS);

const gen = (name: string) => fixture(`generated-audio/${name}`);
const read = (bytes: Uint8Array, piece = 4096) => collect(audioCodecReader, bytes, piece, 'x');
const int16ToFloat = (a: Int16Array) => Float32Array.from(a, (v) => v / 32768);

/** The sources of every generated file (see test/fixtures/generated-audio/README.md). */
const cmu = wavInt16(fixture('pyroomacoustics-samples/cmu_arctic_us_aew_a0001.wav'));
const count = wavInt16(fixture('pyaudioanalysis-speech/count.wav'));
const count2 = wavInt16(fixture('pyaudioanalysis-speech/count2.wav'));

function expectBitExact(decoded: Float32Array, source: Int16Array): void {
  expect(decoded.length).toBe(source.length);
  let mismatches = 0;
  for (let i = 0; i < source.length; i++) if (decoded[i]! * 32768 !== source[i]) mismatches++;
  expect(mismatches).toBe(0);
}

/** The best correlation of `decoded` (at `step` × the source rate) with the source over lags 0…maxLag source samples. */
function bestCorrelation(decoded: Float32Array, source: Float32Array, step = 1, maxLag = 0): number {
  let best = -1;
  for (let lag = 0; lag <= maxLag; lag++) {
    const n = Math.min(source.length, Math.floor(decoded.length / step) - lag, 24_000);
    const d = Float32Array.from({ length: n }, (_, i) => decoded[(i + lag) * step]!);
    best = Math.max(best, correlation(d, source.subarray(0, n)));
  }
  return best;
}

describe('audio-codec sniffing', () => {
  it('claims every generated compressed file and no WAV, text, image or random bytes', () => {
    for (const name of ['speech.flac', 'speech-aac.m4a', 'speech-aac-faststart.m4a', 'speech-alac.m4a', 'stereo-alac.caf', 'speech.opus', 'speech.webm', 'speech-vorbis.ogg', 'speech.mp3', 'speech.aac']) {
      expect(audioCodecReader.sniff({ head: gen(name).subarray(0, 65_536), filename: 'x' }), name).toBe(true);
    }
    const no = (head: Uint8Array) => expect(audioCodecReader.sniff({ head, filename: 'x.m4a' })).toBe(false);
    no(gen('float32.wav'));
    no(new TextEncoder().encode('time,seconds_elapsed,z,y,x\n1,0,0,0,0\n'));
    no(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    no(Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff));
    no(new Uint8Array([0xff, 0xfb, 0x90, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]).subarray(0, 16).fill(7, 4));
    // An ISO BMFF image (HEIF) shares the box format but is not audio.
    no(new Uint8Array([0, 0, 0, 24, ...new TextEncoder().encode('ftypheic'), 0, 0, 0, 0, ...new TextEncoder().encode('mif1heic')]));
  });

  it('claims an MP4 whose visible index has a sound track, not one with only video', () => {
    const box = (type: string, body: Uint8Array) => new Uint8Array([0, 0, 0, 8 + body.length, ...new TextEncoder().encode(type), ...body]);
    const hdlr = (handler: string) => box('hdlr', new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode(handler), 0, 0, 0, 0]));
    const ftyp = box('ftyp', new TextEncoder().encode('isom\0\0\0\0isommp41'));
    const mp4 = (handler: string) => new Uint8Array([...ftyp, ...box('moov', box('trak', box('mdia', hdlr(handler))))]);
    expect(audioCodecReader.sniff({ head: mp4('soun'), filename: 'x.mp4' })).toBe(true);
    expect(audioCodecReader.sniff({ head: mp4('vide'), filename: 'x.mp4' })).toBe(false);
  });

  it('finds MP3 by two consecutive frame headers when there is no ID3 tag', () => {
    const mp3 = gen('speech.mp3');
    const tagEnd = 10 + ((mp3[6]! << 21) | (mp3[7]! << 14) | (mp3[8]! << 7) | mp3[9]!);
    expect(audioCodecReader.sniff({ head: mp3.subarray(tagEnd, tagEnd + 65_536), filename: 'x' })).toBe(true);
    expect(audioCodecReader.sniff({ head: mp3.subarray(tagEnd + 1, tagEnd + 65_536), filename: 'x' })).toBe(false);
  });
});

describe.skipIf(!RUN)('audio-codec reader: lossless codecs are bit-exact', () => {
  it('FLAC 16-bit, 16 kHz mono: 62,081 frames equal to the source WAV', async () => {
    const r = await read(gen('speech.flac'), 1000);
    expect(r.events.slice(0, 3).map((e) => e.type)).toEqual(['recording', 'stream', 'metadata']);
    expect(r.recording).toEqual({ type: 'recording', startTimeNs: null, absoluteTime: false });
    expect(r.stream).toEqual({ name: 'audio', kind: 'audio', sensor: 'audio', channels: ['mono'], unit: 'pcm', nominalRateHz: 16_000, fullScale: 1 });
    expect(r.metadata?.session).toMatchObject({ container: 'FLAC', codec: 'flac', bits_per_sample: 16 });
    expectBitExact(r.channel(0), cmu);
    expect(r.times()[62_080]).toBe(62_080n * 62_500n);
    expect(r.warnings).toEqual([]);
  });

  it('FLAC 24-bit: the 16-bit source exactly', async () => {
    expectBitExact((await read(gen('speech-24bit.flac'))).channel(0), cmu);
  });

  it('ALAC in M4A and stereo ALAC in CAF (read through the range server)', async () => {
    expectBitExact((await read(gen('speech-alac.m4a'))).channel(0), cmu);
    const caf = await read(gen('stereo-alac.caf'), 333);
    expect(caf.stream?.channels).toEqual(['left', 'right']);
    expect(caf.frames).toBe(32_000);
    expectBitExact(caf.channel(0), cmu.subarray(0, 32_000));
    expectBitExact(caf.channel(1), count.subarray(0, 32_000));
  });

  it('4-channel FLAC keeps its channels (quad layout → FL FR BL BR)', async () => {
    const r = await read(gen('four-channel.flac'));
    expect(r.stream?.channels).toEqual(['FL', 'FR', 'BL', 'BR']);
    expect(r.frames).toBe(24_000);
    [cmu, count, count2, cmu].forEach((src, c) => expectBitExact(r.channel(c), src.subarray(0, 24_000)));
  });
});

describe.skipIf(!RUN)('audio-codec reader: lossy codecs', () => {
  const src = int16ToFloat(cmu);

  it('AAC in M4A with the index at the end (range server) and at the start (pipe) decode the same, priming removed', async () => {
    const end = await read(gen('speech-aac.m4a'));
    const fast = await read(gen('speech-aac-faststart.m4a'), 1);
    for (const r of [end, fast]) {
      expect(r.stream?.nominalRateHz).toBe(16_000);
      expect(Math.abs(r.frames - cmu.length)).toBeLessThanOrEqual(1024);
      expect(bestCorrelation(r.channel(0), src)).toBeGreaterThan(0.9);
      expect(rms(r.channel(0)) / rms(src)).toBeGreaterThan(0.8);
      expect(rms(r.channel(0)) / rms(src)).toBeLessThan(1.25);
    }
    expect(Array.from(fast.channel(0))).toEqual(Array.from(end.channel(0)));
    expect(end.recording?.absoluteTime).toBe(false);
    const start = BigInt(Date.UTC(2024, 4, 1, 10, 0, 0)) * 1_000_000n;
    expect(fast.recording).toEqual({ type: 'recording', startTimeNs: start, absoluteTime: true });
    expect(fast.times()[16_000]).toBe(start + 1_000_000_000n);
    expect(fast.warnings.map((w) => w.code)).toEqual(['audio_start_from_tag']);
    expect(fast.metadata?.session).toMatchObject({ container: 'MP4/M4A', codec: 'aac', codec_profile: 'LC' });
  });

  it('raw AAC (ADTS) keeps the encoder priming (no edit list to remove it)', async () => {
    const r = await read(gen('speech.aac'));
    expect(r.frames).toBeGreaterThan(cmu.length);
    expect(r.frames - cmu.length).toBeLessThanOrEqual(2048);
    expect(bestCorrelation(r.channel(0), src, 1, 1100)).toBeGreaterThan(0.9);
  });

  it('Ogg Opus and WebM Opus decode at 48 kHz, Ogg Vorbis at the source rate', async () => {
    for (const name of ['speech.opus', 'speech.webm']) {
      const r = await read(gen(name));
      expect(r.stream?.nominalRateHz).toBe(48_000);
      expect(Math.abs(r.frames / 48_000 - cmu.length / 16_000)).toBeLessThan(0.02);
      expect(bestCorrelation(r.channel(0), src, 3)).toBeGreaterThan(0.8);
    }
    const vorbis = await read(gen('speech-vorbis.ogg'));
    expect(vorbis.frames).toBe(cmu.length);
    expect(bestCorrelation(vorbis.channel(0), src)).toBeGreaterThan(0.9);
  });

  it('MP3 (MPEG-2 layer III with ID3): rate, duration within a frame, the title tag', async () => {
    const r = await read(gen('speech.mp3'));
    expect(r.stream?.nominalRateHz).toBe(16_000);
    expect(Math.abs(r.frames - cmu.length)).toBeLessThanOrEqual(576);
    expect(bestCorrelation(r.channel(0), src, 1, 600)).toBeGreaterThan(0.85);
    expect(r.metadata?.session).toMatchObject({ container: 'MP3', codec: 'mp3', tag_title: 'cmu arctic a0001' });
  });
});

describe.skipIf(!RUN)('audio-codec reader on damaged and hostile files', () => {
  it('a FLAC cut in half: the first half bit-exact, then a truncation warning', async () => {
    const flac = gen('speech.flac');
    const r = await read(flac.subarray(0, flac.length >> 1), 4096);
    expect(r.frames).toBeGreaterThan(20_000);
    expect(r.frames).toBeLessThan(cmu.length);
    expectBitExact(r.channel(0), cmu.subarray(0, r.frames));
    expect(r.warnings.map((w) => w.code)).toContain('audio_truncated');
  });

  it('garbage in the middle of a FLAC, decoded by ffmpeg: the damaged frames skipped and counted, the rest decoded', async () => {
    const flac = gen('speech.flac').slice();
    flac.fill(0x5a, 40_000, 44_000);
    const r = await collect(createAudioCodecReader({ ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' }), flac, 4096, 'x');
    const errors = r.warnings.find((w) => w.code === 'audio_decode_errors');
    expect(errors?.count).toBeGreaterThan(0);
    expect(r.frames).toBeGreaterThan(40_000);
    expectBitExact(r.channel(0).subarray(0, 8192), cmu.subarray(0, 8192));
  });

  it('an M4A cut before its index (moov at the end) → format_truncated naming the missing index', async () => {
    const m4a = gen('speech-aac.m4a');
    const e = await collectError(audioCodecReader, m4a.subarray(0, m4a.length - 2000));
    expect(e.code).toBe('format_truncated');
    expect(e.message).toContain('moov');
  });

  it('a FLAC header followed by garbage → format_corrupt or no_samples, never a crash', async () => {
    const bytes = new Uint8Array(5000).fill(0x33);
    bytes.set(new TextEncoder().encode('fLaC'), 0);
    const e = await collectError(audioCodecReader, bytes);
    expect(['format_corrupt', 'no_samples', 'format_truncated']).toContain(e.code);
  });

  it('when ffmpeg is not installed → decoder_missing telling what to install', async () => {
    const reader = createAudioCodecReader({ ffmpeg: '/nonexistent/ffmpeg', ffprobe: '/nonexistent/ffprobe' });
    const e = await collectError(reader, gen('speech.flac'));
    expect(e.code).toBe('decoder_missing');
    expect(e.message).toContain('apt-get install ffmpeg');
  });

  it('a consumer that stops after the first chunk ends the decoder (no hang, no leftover reads)', async () => {
    const opus = gen('speech.opus');
    let chunks = 0;
    for await (const ev of audioCodecReader.read(chunked(opus, 1024), inMemoryContext(opus, 'x.opus'))) {
      if (ev.type === 'chunk') {
        chunks++;
        break;
      }
    }
    expect(chunks).toBe(1);
  });
});

/** The FLAC with its metadata blocks replaced by STREAMINFO and one VORBIS_COMMENT holding `comments`. */
function withTags(flac: Uint8Array, comments: string[]): Uint8Array {
  let p = 4;
  for (;;) {
    const last = (flac[p]! & 0x80) !== 0;
    p += 4 + ((flac[p + 1]! << 16) | (flac[p + 2]! << 8) | flac[p + 3]!);
    if (last) break;
  }
  const body = vorbisComment('', comments);
  const vc = Uint8Array.from([0x84, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff, ...body]);
  const streamInfo = flac.slice(4, 42);
  streamInfo[0] = 0; // no longer the last block
  const out = new Uint8Array(4 + 38 + vc.length + flac.length - p);
  out.set(flac.subarray(0, 4), 0);
  out.set(streamInfo, 4);
  out.set(vc, 42);
  out.set(flac.subarray(p), 42 + vc.length);
  return out;
}

describe.skipIf(!RUN_FLAC)('audio-codec reader: native FLAC through libFLAC', () => {
  const libflacOnly = createAudioCodecReader({ ffmpeg: NO_TOOL, ffprobe: NO_TOOL, flac: 'flac' });
  const ffmpegOnly = createAudioCodecReader({ ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', flac: NO_TOOL });

  it('decodes 16- and 24-bit and 4-channel FLAC bit-exact with neither ffmpeg nor ffprobe', async () => {
    const r = await collect(libflacOnly, gen('speech.flac'), 777, 'x');
    expect(r.metadata?.session).toMatchObject({ container: 'FLAC', codec: 'flac', bits_per_sample: 16 });
    expect(r.stream?.nominalRateHz).toBe(16_000);
    expectBitExact(r.channel(0), cmu);
    expect(r.warnings).toEqual([]);
    expectBitExact((await collect(libflacOnly, gen('speech-24bit.flac'), 4096, 'x')).channel(0), cmu);
    const quad = await collect(libflacOnly, gen('four-channel.flac'), 4096, 'x');
    expect(quad.stream?.channels).toEqual(['FL', 'FR', 'BL', 'BR']);
    expectBitExact(quad.channel(1), count.subarray(0, 24_000));
  });

  it('8-bit FLAC: the signed 8-bit values / 128 (the high bytes of the source), as ffmpeg decodes them', async () => {
    const r = await collect(libflacOnly, gen('speech-8bit.flac'), 4096, 'x');
    expect(r.frames).toBe(8000);
    expect(r.channel(0)).toEqual(Float32Array.from(cmu.subarray(0, 8000), (v) => (v >> 8) / 128));
    expect(r.channel(0)).toEqual((await collect(ffmpegOnly, gen('speech-8bit.flac'), 4096, 'x')).channel(0));
  });

  it('without flac installed, ffmpeg decodes the same samples and nothing is reported', async () => {
    const r = await collect(ffmpegOnly, gen('speech.flac'), 4096, 'x');
    expectBitExact(r.channel(0), cmu);
    expect(r.warnings).toEqual([]);
  });

  /** Mismatches between the decoded samples and the source at each chunk's own stream positions, and the samples seen. */
  function atOwnPositions(r: Awaited<ReturnType<typeof read>>): { mismatches: number; samples: number } {
    let mismatches = 0;
    let samples = 0;
    for (const c of r.chunks) {
      const first = c.regular!.firstFrame;
      for (let i = 0; i < c.length; i++) if (c.values[0]![i]! * 32768 !== cmu[first + i]) mismatches++;
      samples += c.length;
    }
    return { mismatches, samples };
  }

  it('damaged frames become a gap: libFLAC resumes at the next good frame, and every sample after it keeps its exact time', async () => {
    const flac = gen('speech.flac').slice();
    flac.fill(0x5a, 40_000, 44_000);
    const r = await read(flac);
    expect(r.warnings.map((w) => w.code)).toEqual(['audio_damaged_frames']);
    expect(r.warnings[0]!.count).toBe(1);
    const { mismatches, samples } = atOwnPositions(r);
    expect(mismatches).toBe(0);
    // 4,000 bytes of garbage spoil the frames (4,096 samples each) they touch, no more.
    const lost = cmu.length - samples;
    expect(lost % 4096).toBe(0);
    expect(lost).toBeGreaterThanOrEqual(4096);
    expect(lost).toBeLessThanOrEqual(3 * 4096);
    expect(r.times().at(-1)).toBe(BigInt(cmu.length - 1) * 62_500n);
  });

  it('a header that passes every check by chance inside the damage is tried, fails to decode, and is passed over', async () => {
    /** A fixed-blocksize 16 kHz mono 16-bit frame header numbered `frame` (one-byte number), with its CRC-8. */
    const fakeHeader = (frame: number): number[] => {
      const h = [0xff, 0xf8, 0xc5, 0x08, frame];
      let crc = 0;
      for (const byte of h) {
        crc ^= byte;
        for (let k = 0; k < 8; k++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
      }
      return [...h, crc];
    };
    const flac = gen('speech.flac').slice();
    flac.fill(0x5a, 40_000, 44_000);
    flac.set(fakeHeader(14), 41_000); // within the stream's 62,081 samples: only decoding can refute it
    flac.set(fakeHeader(100), 42_000); // past the declared total: refused by its number
    const r = await read(flac);
    expect(r.warnings.map((w) => w.code)).toEqual(['audio_damaged_frames']);
    expect(r.warnings[0]!.count).toBe(1);
    const { mismatches, samples } = atOwnPositions(r);
    expect(mismatches).toBe(0);
    expect(cmu.length - samples).toBeLessThanOrEqual(3 * 4096);
    expect(r.times().at(-1)).toBe(BigInt(cmu.length - 1) * 62_500n);
  });

  it('two damaged stretches → two gaps; damage running to the end → the samples before it and a warning', async () => {
    const twice = gen('speech.flac').slice();
    twice.fill(0x5a, 30_000, 31_000);
    twice.fill(0x5a, 70_000, 71_000);
    const r = await read(twice);
    expect(r.warnings.find((w) => w.code === 'audio_damaged_frames')?.count).toBe(2);
    expect(atOwnPositions(r).mismatches).toBe(0);
    expect(r.times().at(-1)).toBe(BigInt(cmu.length - 1) * 62_500n);

    const tail = gen('speech.flac').slice();
    tail.fill(0x5a, 60_000);
    const cut = await read(tail);
    expect(cut.warnings.map((w) => w.code)).toContain('audio_decode_stopped');
    expect(cut.frames).toBeGreaterThan(20_000);
    expectBitExact(cut.channel(0), cmu.subarray(0, cut.frames));
  });

  it('a STREAMINFO that says mono over 4-channel frames: libFLAC refuses (and says why), ffmpeg remixes to the declared mono — never read as the wrong interleaving', async () => {
    const flac = gen('four-channel.flac').slice();
    flac[8 + 12]! &= 0xf1; // channels − 1 = 0
    const r = await read(flac);
    expect(r.stream?.channels).toEqual(['mono']);
    expect(r.frames).toBe(24_000);
    const refused = r.warnings.find((w) => w.code === 'audio_flac_refused');
    expect(refused?.message).toContain('channels is 4 in frame but 1 in STREAMINFO');
  });

  it('audio that does not match its MD5 signature: every sample kept, and a warning', async () => {
    const flac = gen('speech.flac').slice();
    flac[4 + 4 + 18]! ^= 0x01; // STREAMINFO's MD5 starts 18 bytes into the block
    const r = await read(flac);
    expectBitExact(r.channel(0), cmu);
    expect(r.warnings.map((w) => w.code)).toEqual(['audio_checksum_mismatch']);
  });

  it('a creation time in the Vorbis comments is the start time, flagged as coming from a tag', async () => {
    const r = await collect(libflacOnly, withTags(gen('speech.flac'), ['CREATION_TIME=2024-05-01T12:00:00Z', 'ENCODER=field app 2.1']), 4096, 'x');
    const start = BigInt(Date.UTC(2024, 4, 1, 12)) * 1_000_000n;
    expect(r.recording).toEqual({ type: 'recording', startTimeNs: start, absoluteTime: true });
    expect(r.times()[16_000]).toBe(start + 1_000_000_000n);
    expect(r.metadata?.session).toMatchObject({ tag_creation_time: '2024-05-01T12:00:00Z', tag_encoder: 'field app 2.1' });
    expect(r.warnings.map((w) => w.code)).toEqual(['audio_start_from_tag']);
    expectBitExact(r.channel(0), cmu);
  });

  it('a consumer that stops after the first chunk ends libFLAC (no hang)', async () => {
    const flac = gen('speech.flac');
    let chunks = 0;
    for await (const ev of libflacOnly.read(chunked(flac, 1024), inMemoryContext(flac, 'x.flac'))) {
      if (ev.type === 'chunk') {
        chunks++;
        break;
      }
    }
    expect(chunks).toBe(1);
  });

  it('when neither flac nor ffmpeg is installed → decoder_missing telling what to install', async () => {
    const e = await collectError(createAudioCodecReader({ ffmpeg: NO_TOOL, ffprobe: NO_TOOL, flac: NO_TOOL }), gen('speech.flac'));
    expect(e.code).toBe('decoder_missing');
    expect(e.message).toContain('apt-get install ffmpeg');
  });
});

describe('audio-codec reader without a decoder in its context', () => {
  it('sniffs as before, and reading fails with decoder_missing saying that no decoder was given (before any program runs)', async () => {
    const flac = gen('speech.flac');
    expect(bareReader.sniff({ head: flac.subarray(0, 65_536), filename: 'x' })).toBe(true);
    for (const name of ['speech.flac', 'speech-aac.m4a', 'speech.opus']) {
      const e = await collectError(bareReader, gen(name));
      expect(e.code, name).toBe('decoder_missing');
      expect(e.details, name).toEqual({ decoder: 'none' });
      expect(e.message, name).toContain('needs an external decoder');
      expect(e.message, name).toContain('ReaderContext has no decoder');
    }
  });
});

describe.skipIf(!RUN_FLAC)('audio-codec reader inside a ZIP archive', () => {
  it('a member FLAC and a member M4A are decoded by the decoder of the archive\'s context', async () => {
    const zip = buildZip([
      { name: 'voice.flac', data: gen('speech.flac') },
      { name: 'voice.m4a', data: gen('speech-alac.m4a') },
    ]);
    const r = await collect(withDecoder(zipContainerReader, createAudioDecoder(DEFAULT_TOOLS)), zip, 4096, 'x.zip');
    expect(r.events.flatMap((e) => (e.type === 'stream' ? [e.stream.sourceFile] : []))).toEqual(['voice.flac', 'voice.m4a']);
    expect(r.frames).toBe(2 * cmu.length);
  });
});
