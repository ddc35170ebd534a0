import { useCallback, useEffect, useState } from 'preact/hooks';
import { unwrap, type Api } from '../api/client';
import type { paths } from '../api/schema';

export type Overview = paths['/v1/studies/{studyId}/overview']['get']['responses'][200]['content']['application/json'];

export interface OverviewState { state: 'loading' | 'refreshing' | 'ready' | 'error'; overview: Overview | null; error: string | null; reload: () => void }

/** A study's overview for the coordinator; the last one stays on screen while a new staleness is fetched. */
export function useOverview(api: Api, studyId: string | null, staleDays: number, enabled: boolean): OverviewState {
  const [overview, setOverview] = useState<Overview | null>(null);
  const [state, setState] = useState<OverviewState['state']>('loading');
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!studyId || !enabled) return;
    let live = true;
    setState((s) => (overview && overview.study.id === studyId && s !== 'error' ? 'refreshing' : 'loading'));
    void api.GET('/v1/studies/{studyId}/overview', { params: { path: { studyId }, query: { staleDays } } }).then((r) => {
      if (!live) return;
      try {
        setOverview(unwrap(r));
        setError(null);
        setState('ready');
      } catch (e) {
        setError((e as Error).message);
        setState('error');
      }
    });
    return () => { live = false; };
    // `overview` is read only to choose between a skeleton and a refresh.
  }, [api, studyId, staleDays, enabled, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { state, overview: overview && overview.study.id === studyId ? overview : null, error, reload };
}

/** Counts of a study for its card: from the study list when it carries them, else from the study itself. */
export type StudyCounts = { participants: number; annotators?: number; recordings: Record<string, number> };

export function useStudyCounts(api: Api, studies: { id: string; counts?: StudyCounts }[], enabled: boolean): Map<string, StudyCounts> {
  const [counts, setCounts] = useState(new Map<string, StudyCounts>());
  const ids = studies.map((s) => s.id).join(',');
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const given = new Map<string, StudyCounts>();
    for (const s of studies) if (s.counts) given.set(s.id, s.counts);
    setCounts(given);
    for (const s of studies) {
      if (s.counts) continue;
      void api.GET('/v1/studies/{studyId}', { params: { path: { studyId: s.id } } }).then((r) => {
        if (live && r.data) setCounts((m) => new Map(m).set(s.id, r.data.counts));
      });
    }
    return () => { live = false; };
    // `ids` stands for the studies listed.
  }, [api, ids, enabled]);
  return counts;
}
