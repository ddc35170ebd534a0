import { describe, expect, it } from 'vitest';
import { fixture } from './audio.test-support.js';
import { concatBytes } from '../common/byte-source.js';
import { frameHeaderAt, nextFrame, resumedStream } from './flac-frames.js';
import { readFlacInfo, type FlacInfo } from './flac-metadata.js';

const speech = fixture('generated-audio/speech.flac');
const readAt = (bytes: Uint8Array) => (o: number, l: number) => Promise.resolve(bytes.subarray(o, o + l));

async function infoOf(bytes: Uint8Array): Promise<FlacInfo> {
  return (await readFlacInfo(readAt(bytes), bytes.length))!;
}

describe('FLAC frame headers', () => {
  it('finds the frames of the real fixture in order, each at its frame number × 4,096 samples', async () => {
    const info = await infoOf(speech);
    expect(frameHeaderAt(speech, info.audioOffset, info)).toBe(0);
    const starts: number[] = [];
    let from = info.audioOffset;
    for (;;) {
      const f = await nextFrame(readAt(speech), speech.length, from, starts.length === 0 ? 0 : starts.at(-1)! + 1, info);
      if (f === null) break;
      starts.push(f.firstSample);
      from = f.offset;
    }
    // 62,081 samples in frames of 4,096: 16 frames, the last one short.
    expect(starts).toEqual(Array.from({ length: 16 }, (_, i) => i * 4096));
  });

  it('refuses a header whose CRC-8, channel count or sample size does not fit, and sync-like bytes in the audio', async () => {
    const info = await infoOf(speech);
    const p = info.audioOffset;
    const bad = speech.slice();
    bad[p + 4]! ^= 0x01; // the frame number: the CRC-8 no longer matches
    expect(frameHeaderAt(bad, p, info)).toBe(-1);
    expect(frameHeaderAt(speech, p, { ...info, channels: 2 })).toBe(-1);
    expect(frameHeaderAt(speech, p, { ...info, bitsPerSample: 24 })).toBe(-1);
    expect(frameHeaderAt(speech, p, { ...info, sampleRate: 44_100 })).toBe(-1);
    // Every 0xFF byte of the compressed audio that is not a frame start is refused.
    let accepted = 0;
    for (let i = p; i < speech.length; i++) if (speech[i] === 0xff && frameHeaderAt(speech, i, info) >= 0) accepted++;
    expect(accepted).toBe(16);
  });

  it('finds the next frame across the 1 MiB windows it reads, and none past the last', async () => {
    const info = await infoOf(speech);
    // The stream's frames after 1.1 MiB of padding bytes that hold no sync code.
    const padded = concatBytes([speech.subarray(0, info.audioOffset), new Uint8Array(1_150_000), speech.subarray(info.audioOffset)]);
    const found = await nextFrame(readAt(padded), padded.length, info.audioOffset, 0, info);
    expect(found).toEqual({ offset: info.audioOffset + 1_150_000, firstSample: 0 });
    expect(await nextFrame(readAt(speech), speech.length, info.audioOffset, 15 * 4096 + 1, info)).toBeNull();
  });

  it('resumes the stream at a frame behind a STREAMINFO without its total and MD5', async () => {
    const info = await infoOf(speech);
    const frame9 = (await nextFrame(readAt(speech), speech.length, info.audioOffset, 9 * 4096, info))!;
    const parts: Uint8Array[] = [];
    for await (const p of resumedStream(readAt(speech), speech.length, frame9.offset, info)) parts.push(p);
    const stream = concatBytes(parts);
    expect(new TextDecoder().decode(stream.subarray(0, 4))).toBe('fLaC');
    const resumed = await infoOf(stream);
    expect(resumed).toMatchObject({ sampleRate: 16_000, channels: 1, bitsPerSample: 16, totalSamples: 0, audioOffset: 42 });
    expect(resumed.streamInfo.subarray(18, 34).every((b) => b === 0)).toBe(true);
    expect(frameHeaderAt(stream, 42, resumed)).toBe(9 * 4096);
    expect(stream.length).toBe(42 + speech.length - frame9.offset);
  });
});
