/**
 * Two annotators side by side: pick A and B (the overlay then draws their labels in two bands above the
 * adjudicated layer), see their agreement from the API (Cohen's kappa over frames, event F1 per label), and settle
 * each disagreement: take A's, take B's, or draw a new label, into the adjudicated layer exports can select.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Viewport } from '../recording/viewport';
import { useConsole } from '../app';
import { annotationsApi } from './api';
import { clock } from './format';
import { annotatorsOf, byAnnotator, comparing } from './layout';
import { showRange } from './actions';
import type { AnnotationStore } from './store';
import type { Agreement } from './types';

type Disagreement = Agreement['disagreements'][number];
const LIST_MAX = 100;
const num = (v: number | null | undefined, digits = 2): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));
const dKey = (d: Disagreement): string => `${d.startS}:${d.endS}`;

export function Compare({ store, recordingId, viewport, review }: { store: AnnotationStore; recordingId: string; viewport: Viewport; review: boolean }) {
  const { api } = useConsole();
  const people = annotatorsOf([...store.items.values()]);
  const on = comparing(store);
  const a = store.compareA;
  const b = store.compareB;

  // In review mode the two annotators who labelled most are compared from the start.
  const [chosen, setChosen] = useState(false);
  useEffect(() => {
    if (chosen || store.loading || !review || people.length < 2) return;
    setChosen(true);
    store.compareA = people[0]!.id;
    store.set('compareB', people[1]!.id);
  }, [store.loading, people.length, review]);

  // Refetched when A's or B's labels change, not on every selection.
  const sig = useMemo(() => (on ? [...store.items.values()].filter((i) => byAnnotator(i, a!) || byAnnotator(i, b!))
    .map((i) => `${i.key}:${i.startS}:${i.endS}:${i.label}:${i.status}:${i.id ?? ''}`).join('|') : ''), [store.version, on, a, b]);
  const [agreement, setAgreement] = useState<{ data?: Agreement; error?: string; loading: boolean }>({ loading: false });
  useEffect(() => {
    if (!on || store.pending > 0) return;
    let live = true;
    setAgreement((s) => ({ ...s, loading: true }));
    const t = setTimeout(() => {
      annotationsApi(api).agreement(recordingId, a!, b!)
        .then((data) => { if (live) setAgreement({ data, loading: false }); })
        .catch((e: unknown) => { if (live) setAgreement({ error: e instanceof Error ? e.message : String(e), loading: false }); });
    }, 300);
    return () => { live = false; clearTimeout(t); };
  }, [on, a, b, sig, store.pending > 0]);

  if (people.length < 2 && !on) {
    return review ? (
      <section class="ap-section" aria-labelledby="ap-compare-h">
        <h3 id="ap-compare-h">Two annotators</h3>
        <p class="ap-empty">{people.length === 0 ? 'Nobody has labelled this recording yet.' : `Only ${people[0]!.name} has labelled this recording; a second annotator is needed to compare.`}</p>
      </section>
    ) : null;
  }

  const adjudicated = [...store.items.values()].filter((i) => i.adjudicated && i.status !== 'rejected');
  const resolved = (d: Disagreement): boolean => store.settled.has(dKey(d)) || adjudicated.some((i) => i.startS < d.endS && i.endS > d.startS);
  const take = (d: Disagreement, side: 'a' | 'b'): void => {
    const who = side === 'a' ? a! : b!;
    const label = side === 'a' ? d.a : d.b;
    const src = [...store.items.values()].filter((i) => byAnnotator(i, who) && i.status !== 'rejected' && i.label === label && i.startS < d.endS && i.endS > d.startS);
    if (src.length === 0) { store.settled.add(dKey(d)); store.emit(); return; }
    for (const s of src) {
      if (!adjudicated.some((j) => j.label === s.label && j.startS === s.startS && j.endS === s.endS)) store.create(s.startS, s.endS, s.label, true);
    }
  };
  const draw = (d: Disagreement): void => {
    showRange(viewport, d.startS, d.endS, false);
    store.setDraft({ startS: d.startS, endS: d.endS, adjudicated: true });
  };
  const ag = agreement.data;
  const nameA = people.find((p) => p.id === a)?.name ?? 'A';
  const nameB = people.find((p) => p.id === b)?.name ?? 'B';
  const open = ag ? ag.disagreements.filter((d) => !resolved(d)).length : 0;

  return (
    <section class="ap-section ap-compare" aria-labelledby="ap-compare-h">
      <h3 id="ap-compare-h">Two annotators</h3>
      <div class="ap-pick">
        <label>Annotator A
          <select value={a ?? ''} onChange={(e) => store.set('compareA', e.currentTarget.value || null)}>
            <option value="">—</option>
            {people.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </select>
        </label>
        <label>Annotator B
          <select value={b ?? ''} onChange={(e) => store.set('compareB', e.currentTarget.value || null)}>
            <option value="">—</option>
            {people.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </select>
        </label>
      </div>
      {!on ? <p class="ap-hint">Pick two different annotators to see their labels in two lanes and their agreement.</p>
        : agreement.error ? <p class="ap-refusal" role="alert">Agreement not available: {agreement.error}</p>
        : !ag ? <p class="ap-empty" role="status">Measuring agreement…</p>
        : (
          <div class={`ap-agreement${agreement.loading ? ' stale' : ''}`}>
            <div class="ap-kappa"><span class="big" data-testid="kappa">{num(ag.kappa)}</span> Cohen's kappa <span class="ap-hint">(frames of {num(ag.frameS, 2)} s, background included)</span></div>
            <table class="ap-f1" aria-label="Agreement by label">
              <thead><tr><th scope="col">Label</th><th scope="col" title={`Event F1: events match when their onsets are within ${num(ag.toleranceS, 2)} s`}>Event F1</th><th scope="col"><abbr title={`${nameA}'s events`}>A</abbr></th><th scope="col"><abbr title={`${nameB}'s events`}>B</abbr></th></tr></thead>
              <tbody>
                {ag.labels.map((l) => <tr key={l.label}><th scope="row">{l.label}</th><td>{num(l.eventF1)}</td><td>{l.aCount}</td><td>{l.bCount}</td></tr>)}
              </tbody>
            </table>
            <p class="ap-hint">Events match when their onsets are within {num(ag.toleranceS, 2)} s.</p>
            <h4>Disagreements <span class="ap-count">{open} open of {ag.disagreements.length}{ag.truncated ? '+' : ''}</span></h4>
            {ag.disagreements.length === 0 ? <p class="ap-empty">None: they agree everywhere.</p> : (
              <ol class="ap-list ap-disagreements">
                {ag.disagreements.slice(0, LIST_MAX).map((d) => {
                  const done = resolved(d);
                  const when = `${clock(d.startS)}–${clock(d.endS)}`;
                  return (
                    <li key={dKey(d)} class={done ? 'resolved' : ''} data-testid="disagreement">
                      <button type="button" class="ap-row" onClick={() => { showRange(viewport, d.startS, d.endS, true); viewport.setCursor(d.startS); }}
                        aria-label={`Show ${when}: ${nameA} ${d.a ?? 'nothing'}, ${nameB} ${d.b ?? 'nothing'}`}>
                        <span class="ap-time">{when}</span>
                        <span class="ap-ab"><b>A</b> {d.a ?? '—'} <b>B</b> {d.b ?? '—'}</span>
                        {done ? <span class="ap-done" aria-label="resolved">✓</span> : null}
                      </button>
                      <span class="ap-resolve">
                        <button type="button" onClick={() => take(d, 'a')} aria-label={`Take A's (${d.a ?? 'nothing'}) for ${when}`}>A's</button>
                        <button type="button" onClick={() => take(d, 'b')} aria-label={`Take B's (${d.b ?? 'nothing'}) for ${when}`}>B's</button>
                        <button type="button" onClick={() => draw(d)} aria-label={`Draw a new label for ${when}`}>New</button>
                      </span>
                    </li>
                  );
                })}
              </ol>
            )}
            <p class="ap-hint">Drag in the Adjudicated lane to draw into the adjudicated layer.</p>
          </div>
        )}
    </section>
  );
}
