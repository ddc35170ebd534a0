import { useEffect, useState } from 'preact/hooks';
import { useConsole } from '../app';
import { useStudy, type Study } from './study-context';
import { useOverview, useStudyCounts, type StudyCounts } from './use-overview';
import { ParticipantsTable, AnnotatorsList } from './coordinator-people';
import { RejectedList, QualityProblems } from './coordinator-problems';
import { StatusBar, STATUS_ORDER } from './status-bar';
import { plural } from '../format/plural';
import './coordinator.css';

const STALE_KEY = 'fieldsense.staleDays';

/**
 * What a study coordinator checks every morning: who has stopped uploading, what was turned away and why, and
 * which recordings have quality problems, study by study.
 */
export function Coordinator() {
  const { api, session } = useConsole();
  const { studies, study, select, state: studiesState } = useStudy();
  const admin = session.kind === 'admin';
  const [staleDays, setStaleDays] = useState(() => Number(sessionStorage.getItem(STALE_KEY)) || 2);
  useEffect(() => sessionStorage.setItem(STALE_KEY, String(staleDays)), [staleDays]);
  useEffect(() => { document.title = `Coordinator${study ? ` · ${study.name}` : ''} — FieldSense`; }, [study]);
  const counts = useStudyCounts(api, studies, admin);
  const ov = useOverview(api, study?.id ?? null, staleDays, admin);

  if (!admin) {
    return <section class="coordinator"><div class="card empty" role="alert"><p class="empty-title">Only a study coordinator (admin token) can see this</p><p class="muted">Your token is an annotator's: the work queue has your recordings.</p></div></section>;
  }

  const o = ov.overview;
  const busy = ov.state === 'loading' || studiesState === 'loading';
  return (
    <section class="coordinator" aria-labelledby="coord-title" aria-busy={busy}>
      <header class="page-head">
        <div>
          <h1 id="coord-title">Coordinator</h1>
          <p class="summary muted">{o ? `${o.study.name} · ${plural(o.participants.length, 'participant')} · ${plural(o.annotators.length, 'annotator')}` : ' '}</p>
        </div>
        <label class="stale-days">
          <span>Stale after</span>
          <input type="number" min={1} max={365} step={1} value={staleDays} aria-label="Stale after (days without data)"
            onChange={(e) => { const n = Math.round(Number((e.target as HTMLInputElement).value)); if (n >= 1 && n <= 365) setStaleDays(n); }} />
          <span>days without data</span>
        </label>
      </header>

      <StudyCards studies={studies} counts={counts} selected={study?.id ?? null} onSelect={select} loading={studiesState === 'loading'} />

      {ov.state === 'error' ? (
        <div class="notice error banner" role="alert">The study overview could not be loaded: {ov.error} <button type="button" onClick={ov.reload}>Retry</button></div>
      ) : null}

      <div class={`coord-stack${ov.state === 'refreshing' ? ' refreshing' : ''}`}>
        <section class="card panel" aria-labelledby="h-participants">
          <div class="panel-head">
            <h2 id="h-participants">Participants</h2>
            {o ? <FreshnessSummary participants={o.participants} staleDays={staleDays} /> : null}
          </div>
          <ParticipantsTable participants={o?.participants ?? null} staleDays={staleDays} />
        </section>
        <section class="card panel" aria-labelledby="h-rejected">
          <h2 id="h-rejected">Rejected recordings {o ? <span class="count">{o.rejected.length}</span> : null}</h2>
          <RejectedList rejected={o?.rejected ?? null} />
        </section>
        <section class="card panel" aria-labelledby="h-quality">
          <h2 id="h-quality">Quality problems {o ? <span class="count">{o.qualityProblems.length}</span> : null}</h2>
          <QualityProblems problems={o?.qualityProblems ?? null} />
        </section>
        <section class="card panel" aria-labelledby="h-annotators">
          <h2 id="h-annotators">Annotators {o ? <span class="count">{o.annotators.length}</span> : null}</h2>
          <AnnotatorsList annotators={o?.annotators ?? null} />
        </section>
      </div>
    </section>
  );
}

function FreshnessSummary({ participants, staleDays }: { participants: { freshness: string; revoked: boolean }[]; staleDays: number }) {
  const active = participants.filter((p) => !p.revoked);
  const stale = active.filter((p) => p.freshness === 'stale').length;
  const never = active.filter((p) => p.freshness === 'never').length;
  return (
    <p class="muted freshness-summary">
      {stale === 0 && never === 0 ? `Everyone has sent data in the last ${plural(staleDays, 'day')}`
        : [stale ? `${stale} stale` : '', never ? `${never} never uploaded` : ''].filter(Boolean).join(' · ')}
    </p>
  );
}

function StudyCards({ studies, counts, selected, onSelect, loading }: {
  studies: Study[]; counts: Map<string, StudyCounts>; selected: string | null; onSelect: (id: string) => void; loading: boolean;
}) {
  if (loading) return <div class="study-cards"><div class="study-card card skeleton-card" aria-hidden="true" /></div>;
  if (studies.length === 0) return <div class="card empty"><p class="empty-title">No studies yet</p><p class="muted">Create one with POST /v1/studies.</p></div>;
  return (
    <ul class="study-cards" aria-label="Studies">
      {studies.map((s) => {
        const c = counts.get(s.id);
        const total = c ? STATUS_ORDER.reduce((n, k) => n + (c.recordings[k] ?? 0), 0) : null;
        return (
          <li key={s.id}>
            <button type="button" class="study-card card" aria-pressed={s.id === selected} onClick={() => onSelect(s.id)}>
              <span class="name">{s.name}</span>
              <span class="slug muted">{s.slug}</span>
              <span class="figures">
                <span><strong>{c ? c.participants : '–'}</strong> {c?.participants === 1 ? 'participant' : 'participants'}</span>
                <span><strong>{total ?? '–'}</strong> {total === 1 ? 'recording' : 'recordings'}</span>
                {c?.annotators !== undefined ? <span><strong>{c.annotators}</strong> {c.annotators === 1 ? 'annotator' : 'annotators'}</span> : null}
              </span>
              {c ? <StatusBar counts={c.recordings} legend /> : <span class="status-block"><span class="status-bar" /><span class="status-legend">&nbsp;</span></span>}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
