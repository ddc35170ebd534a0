import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fmt, int16Data, riff } from '../../src/formats/audio/audio.test-support.js';
import { call, ingestReady, seedStudy, startHarness, type Harness } from '../helpers/harness.js';

/** A mono 8 kHz WAV of `seconds` seconds holding one value throughout. */
function constantWav(value: number, seconds: number): Uint8Array {
  return riff([fmt({ rate: 8000, channels: 1, bits: 16 }), int16Data(new Array<number>(8000 * seconds).fill(value))]);
}

/**
 * The API keeps parsed footers, decoded row groups and LOD blocks between requests (READ_CACHE_MB). A stored
 * stream that is written again (a reprocessed recording's streams keep their keys) must be read anew: the cache
 * files what it holds under the object's version (ETag), so an old copy is never answered.
 */
describe('the API\'s read cache', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers the new samples once a stored stream is rewritten under the same key', async () => {
    const s = await seedStudy(h);
    const a = await ingestReady(h, s.participantToken, constantWav(1000, 3), 'a.wav');
    const b = await ingestReady(h, s.participantToken, constantWav(-2000, 3), 'b.wav');
    const name = a.streams[0].name;
    const samples = async (): Promise<number[]> => {
      const r = await call(h, s.annotatorToken, 'GET', `/v1/recordings/${a.id}/streams/${name}/samples?fromS=0.5&toS=1&maxPoints=10000`);
      expect(r.status).toBe(200);
      expect(r.json.reduced).toBe(false);
      return r.json.channels[a.streams[0].channels[0]];
    };
    const before = await samples();
    expect(before).toHaveLength(4001);
    expect(new Set(before)).toEqual(new Set([1000 / 32768]));
    // Asked again: the same answer (from what the first request left in the cache).
    expect(await samples()).toEqual(before);

    // Recording b's stream, the same shape with other values, written over a's stream object.
    const rows = await h.db.stream.findMany({ where: { recordingId: { in: [a.id, b.id] } }, select: { recordingId: true, objectKey: true } });
    const keyOf = (id: string): string => rows.find((r) => r.recordingId === id)!.objectKey;
    await h.store.putBytes(keyOf(a.id), await h.store.getBytes(keyOf(b.id)));

    const after = await samples();
    expect(after).toHaveLength(4001);
    expect(new Set(after)).toEqual(new Set([-2000 / 32768]));
  });
});
