import { describe, expect, it } from 'vitest';
import { fixture, vorbisComment } from './audio.test-support.js';
import { concatBytes } from '../common/byte-source.js';
import { flacProbe, readFlacInfo } from './flac-metadata.js';

const gen = (name: string) => fixture(`generated-audio/${name}`);

/** A metadata block: last flag, type, 24-bit length, body. */
function block(type: number, body: Uint8Array, last = false): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  out[0] = (last ? 0x80 : 0) | type;
  out[1] = body.length >> 16;
  out[2] = (body.length >> 8) & 0xff;
  out[3] = body.length & 0xff;
  out.set(body, 4);
  return out;
}

const concat = (...parts: Uint8Array[]): Uint8Array => concatBytes(parts);

/** The STREAMINFO body of the 16-bit speech fixture. */
const speech = gen('speech.flac');
const streamInfoBody = speech.subarray(8, 8 + 34);

function reading(bytes: Uint8Array): { readAt: (o: number, l: number) => Promise<Uint8Array>; requested: () => number; calls: () => number } {
  let requested = 0;
  let calls = 0;
  return {
    readAt: (o, l) => {
      requested += l;
      calls++;
      return Promise.resolve(bytes.subarray(o, o + l));
    },
    requested: () => requested,
    calls: () => calls,
  };
}

describe('FLAC metadata blocks', () => {
  it('reads STREAMINFO of the real fixtures: rate, channels, bits, total samples, vendor', async () => {
    const info = await readFlacInfo(reading(speech).readAt, speech.length);
    expect(info).toMatchObject({ sampleRate: 16_000, channels: 1, bitsPerSample: 16, totalSamples: 62_081, vendor: 'reference libFLAC 1.4.2 20221022' });
    expect(info!.audioOffset).toBeGreaterThan(42);
    expect(speech[info!.audioOffset]).toBe(0xff); // a frame sync code starts the audio
    const four = gen('four-channel.flac');
    const quad = await readFlacInfo(reading(four).readAt, four.length);
    expect(quad).toMatchObject({ sampleRate: 16_000, channels: 4, bitsPerSample: 16, totalSamples: 24_000 });
    expect(flacProbe(quad!, four.length).streams[0]).toMatchObject({ channel_layout: 'quad', duration: 1.5, sample_fmt: 's16' });
    const deep = gen('speech-24bit.flac');
    expect(await readFlacInfo(reading(deep).readAt, deep.length)).toMatchObject({ bitsPerSample: 24, totalSamples: 62_081 });
  });

  it('reads the tags and steps over a large picture block without reading it', async () => {
    const picture = new Uint8Array(3 << 20);
    const file = concat(
      new TextEncoder().encode('fLaC'),
      block(0, streamInfoBody),
      block(6, picture),
      block(4, vorbisComment('test vendor', ['TITLE=walk', 'CREATION_TIME=2024-05-01T12:00:00Z', 'no equals sign', 'title=second'])),
      block(1, new Uint8Array(100), true),
      new Uint8Array([0xff, 0xf8]),
    );
    const r = reading(file);
    const info = await readFlacInfo(r.readAt, file.length, file.subarray(0, 65_536));
    expect(info?.tags).toEqual({ TITLE: 'walk', CREATION_TIME: '2024-05-01T12:00:00Z', title: 'second' });
    expect(info?.vendor).toBe('test vendor');
    expect(info?.audioOffset).toBe(file.length - 2);
    // The head serves STREAMINFO and the picture's header; one window read after the picture serves the rest.
    expect(r.calls()).toBe(1);
    expect(r.requested()).toBeLessThan(1000);
  });

  it('reads a chain of many small blocks from the head it is given, without a read per block', async () => {
    const file = concat(new TextEncoder().encode('fLaC'), block(0, streamInfoBody), ...Array.from({ length: 1000 }, () => block(1, new Uint8Array(8))), block(1, new Uint8Array(0), true));
    const r = reading(file);
    expect(await readFlacInfo(r.readAt, file.length, file.subarray(0, 65_536))).toMatchObject({ sampleRate: 16_000, audioOffset: file.length });
    expect(r.calls()).toBe(0);
    const cold = reading(file);
    expect(await readFlacInfo(cold.readAt, file.length)).not.toBeNull();
    expect(cold.calls()).toBe(1);
  });

  it('gives up (null, for ffprobe to explain) on chains that are not FLAC metadata', async () => {
    const magic = new TextEncoder().encode('fLaC');
    const cases: Uint8Array[] = [
      concat(magic, block(4, vorbisComment('v', []), true)), // first block is not STREAMINFO
      concat(magic, block(0, new Uint8Array(34), true)), // a rate of 0
      concat(magic, block(0, streamInfoBody), block(1, new Uint8Array(10))), // a length past the end
      concat(magic, block(0, streamInfoBody), ...Array.from({ length: 1100 }, () => block(1, new Uint8Array(0)))), // no last block
      magic,
    ];
    for (const bytes of cases) expect(await readFlacInfo(reading(bytes).readAt, bytes.length)).toBeNull();
  });

  it('keeps the tags that fit when a comment lies about its length', async () => {
    const body = vorbisComment('v', ['A=1', 'B=2']);
    body[body.length - 7] = 0xff; // the second comment's length now runs past the block
    const file = concat(new TextEncoder().encode('fLaC'), block(0, streamInfoBody), block(4, body, true));
    expect((await readFlacInfo(reading(file).readAt, file.length))?.tags).toEqual({ A: '1' });
  });
});
