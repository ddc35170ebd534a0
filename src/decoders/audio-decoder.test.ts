import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createAudioDecoder } from './audio-decoder.js';
import type { RandomAccess } from '../formats/audio/decoder.js';
import { chunked } from '../formats/common/byte-source.js';

const HAVE_TOOLS = ['ffmpeg', 'ffprobe', 'flac'].every((p) => spawnSync(p, ['--version']).status === 0 || spawnSync(p, ['-version']).status === 0);
const RUN = HAVE_TOOLS || process.env.CI === 'true';
const NO_TOOL = '/nonexistent/tool';
const flac = new Uint8Array(readFileSync(new URL('../../test/fixtures/generated-audio/speech.flac', import.meta.url)));
const file: RandomAccess = { size: flac.length, readAt: (offset, length) => Promise.resolve(flac.subarray(offset, offset + length)) };

/** The whole file as one piece of a byte stream. */
const once = (bytes: Uint8Array): AsyncIterable<Uint8Array> => chunked(bytes, bytes.length);

async function drain(output: NodeJS.ReadableStream): Promise<number> {
  let n = 0;
  for await (const b of output) n += (b as Buffer).length;
  return n;
}

describe('audio decoder (src/decoders): the Decoder port over ffmpeg, ffprobe and flac', () => {
  it('programs that are not installed: the probe throws decoder_missing, a run exits with notStarted saying what to install', async () => {
    const decoder = createAudioDecoder({ ffmpeg: NO_TOOL, ffprobe: NO_TOOL, flac: NO_TOOL });
    await expect(decoder.probe(file, 'flac', 'FLAC')).rejects.toMatchObject({ code: 'decoder_missing', details: { program: 'ffprobe' } });
    const pcm = await decoder.startPcm({ input: { kind: 'stream', bytes: once(flac) }, demuxer: 'flac', streamIndex: 0, format: 's16le', channels: 1, label: 'FLAC' });
    const pcmExit = await pcm.exited;
    expect(pcmExit.notStarted).toMatchObject({ code: 'decoder_missing', details: { program: 'ffmpeg' } });
    await pcm.close();
    const lib = await decoder.startFlac!({ input: once(flac), bitsPerSample: 16, label: 'FLAC' });
    expect((await lib.exited).notStarted?.message).toContain('apt-get install flac');
    await lib.close();
    expect(createAudioDecoder({ ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' }).startFlac).toBeUndefined();
  });

  it.skipIf(!RUN)('probes by random access, and decodes from a stream or by random access to the same PCM; close() twice is harmless', async () => {
    const decoder = createAudioDecoder();
    const probe = await decoder.probe(file, 'flac', 'FLAC');
    expect(probe.streams[0]).toMatchObject({ codec_type: 'audio', codec_name: 'flac', sample_rate: 16_000, channels: 1 });
    const sizes: number[] = [];
    for (const input of [{ kind: 'stream', bytes: once(flac) }, { kind: 'random-access', file }] as const) {
      const run = await decoder.startPcm({ input, demuxer: 'flac', streamIndex: 0, format: 's16le', channels: 1, label: 'FLAC' });
      sizes.push(await drain(run.output));
      expect(await run.exited).toEqual({ code: 0, signal: null, notStarted: null });
      expect(run.report.decodeErrors).toBe(0);
      await run.close();
      await run.close();
    }
    const lib = await decoder.startFlac!({ input: once(flac), bitsPerSample: 16, label: 'FLAC' });
    sizes.push(await drain(lib.output));
    expect((await lib.exited).code).toBe(0);
    expect(lib.report.checksumMismatch).toBe(false);
    await lib.close();
    expect(sizes[0]).toBeGreaterThan(100_000);
    expect(new Set(sizes).size).toBe(1);
  });

  it.skipIf(!RUN)('a run closed while the program decodes stops it (a killed exit, no leftover process)', async () => {
    const run = await createAudioDecoder().startPcm({ input: { kind: 'random-access', file }, demuxer: 'flac', streamIndex: 0, format: 'f32le', channels: 1, label: 'FLAC' });
    await run.close();
    const exit = await run.exited;
    expect(exit.code === 0 || exit.signal === 'SIGKILL').toBe(true);
    expect(exit.notStarted).toBeNull();
  });
});
