import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import { useConsole } from '../app';
import { ApiError, unwrap } from '../api/client';
import type { components } from '../api/schema';

/**
 * The study the lists show. An annotator's token sees one study; an admin's sees them all and picks one in the
 * top bar (the pick is kept for the tab's session, like the token).
 */
export type Study = components['schemas']['Study'];

export interface StudyChoice {
  state: 'loading' | 'ready' | 'error';
  error: string | null;
  studies: Study[];
  study: Study | null;
  select: (id: string) => void;
  reload: () => void;
}

const KEY = 'fieldsense.study';
const StudyCtx = createContext<StudyChoice | null>(null);

export function useStudy(): StudyChoice {
  const c = useContext(StudyCtx);
  if (!c) throw new Error('useStudy outside the shell');
  return c;
}

export function StudyProvider({ children }: { children: ComponentChildren }) {
  const { api, session } = useConsole();
  const [studies, setStudies] = useState<Study[]>([]);
  const [state, setState] = useState<StudyChoice['state']>('loading');
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(() => session.studyId ?? sessionStorage.getItem(KEY));
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    setState('loading');
    void (async () => {
      try {
        const all: Study[] = [];
        let cursor: string | undefined;
        do {
          const page = unwrap(await api.GET('/v1/studies', { params: { query: { limit: 500, ...(cursor ? { cursor } : {}) } } }));
          all.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor && live);
        if (!live) return;
        setStudies(all);
        setError(null);
        setState('ready');
      } catch (e) {
        if (!live) return;
        // A token that may not list studies still has its own (an annotator's): the queue can show it by id.
        if (e instanceof ApiError && e.status === 403 && session.studyId) {
          setStudies([{ id: session.studyId, slug: '', name: 'Your study', labels: [], settings: { edgeImpulseHmacKeySet: false }, createdAt: '' }]);
          setError(null);
          setState('ready');
          return;
        }
        setError((e as Error).message);
        setState('error');
      }
    })();
    return () => { live = false; };
  }, [api, attempt, session.studyId]);

  const select = useCallback((id: string) => {
    sessionStorage.setItem(KEY, id);
    setSelected(id);
  }, []);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);

  // A kept pick that is gone (another token, a deleted study) falls back to the first study.
  const study = studies.find((s) => s.id === selected) ?? studies[0] ?? null;
  return <StudyCtx.Provider value={{ state, error, studies, study, select, reload }}>{children}</StudyCtx.Provider>;
}
