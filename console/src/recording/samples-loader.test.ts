import { describe, expect, it } from 'vitest';
import { SamplesLoader, type HeldData, type SamplesAnswer } from './samples-loader';
import type { FetchWindow } from '../geometry/fetch-window';

/** A stream of 100 Hz samples over 1000 s, answered from memory, reduced to maxPoints like the API. */
function source(): { calls: FetchWindow[]; aborted: FetchWindow[]; fetch: (w: FetchWindow, s: AbortSignal) => Promise<SamplesAnswer>; release: () => void } {
  const calls: FetchWindow[] = [];
  const aborted: FetchWindow[] = [];
  let gate: (() => void)[] = [];
  return {
    calls,
    aborted,
    release: () => { const g = gate; gate = []; for (const r of g) r(); },
    fetch: (w, signal) => new Promise((resolve, reject) => {
      calls.push(w);
      signal.addEventListener('abort', () => { aborted.push(w); reject(new Error('aborted')); });
      gate.push(() => {
        const n = Math.round((w.toS - w.fromS) * 100);
        const reduced = n > w.maxPoints;
        const count = reduced ? w.maxPoints : n;
        const t = Array.from({ length: count }, (_, i) => w.fromS + (i * (w.toS - w.fromS)) / count);
        resolve({ t, channels: { x: t.map((x) => Math.sin(x)) }, reduced });
      });
    }),
  };
}

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('SamplesLoader', () => {
  it('fetches the view with a margin, then draws small pans and zooms from what it holds', async () => {
    const src = source();
    const shown: HeldData[] = [];
    const l = new SamplesLoader(src.fetch, ['x'], 1000, 100, (h) => shown.push(h), () => undefined);
    l.request({ fromS: 400, toS: 500 }, 800, 1, true);
    expect(src.calls).toEqual([{ fromS: 300, toS: 600, maxPoints: 2400 }]);
    src.release();
    await tick();
    expect(shown).toHaveLength(1);
    l.request({ fromS: 430, toS: 530 }, 800, 1);
    l.request({ fromS: 380, toS: 470 }, 800, 1);
    await tick(150);
    expect(src.calls).toHaveLength(1);
    l.close();
  });

  it('waits for the view to rest, and aborts a request the view has left behind', async () => {
    const src = source();
    const l = new SamplesLoader(src.fetch, ['x'], 1000, 100, () => undefined, () => undefined);
    l.request({ fromS: 0, toS: 100 }, 800, 1, true);
    for (let s = 600; s < 700; s += 10) l.request({ fromS: s, toS: s + 100 }, 800, 1);
    expect(src.calls).toHaveLength(1);
    await tick(150);
    expect(src.calls).toHaveLength(2);
    expect(src.calls[1]).toEqual({ fromS: 590, toS: 890, maxPoints: 2400 });
    expect(src.aborted).toEqual([src.calls[0]]);
    l.close();
  });

  it('breaks the line where samples are missing', async () => {
    const answer: SamplesAnswer = { t: [0, 0.01, 0.02, 5, 5.01], channels: { x: [1, 2, 3, 4, 5] }, reduced: false };
    let got: HeldData | null = null;
    const l = new SamplesLoader(() => Promise.resolve(answer), ['x'], 10, 100, (h) => { got = h; }, () => undefined);
    l.request({ fromS: 0, toS: 10 }, 500, 1, true);
    await tick();
    expect(got!.values[0]).toEqual([1, 2, 3, null, 4, 5]);
  });
});
