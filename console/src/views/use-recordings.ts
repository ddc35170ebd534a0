import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { unwrap, type Api } from '../api/client';
import type { components } from '../api/schema';
import { apiQuery, type QueueFilters } from '../format/queue-query';

export type Recording = components['schemas']['Recording'];

export interface RecordingsState {
  /** `loading`: nothing to show yet; `refreshing`: the rows shown are being fetched again (filters changed, polling). */
  state: 'loading' | 'refreshing' | 'ready' | 'error';
  items: Recording[];
  error: string | null;
  reload: () => void;
}

const PAGE = 200;
/** Recordings being processed change by themselves: the list looks again this often while there are any… */
const POLL_BUSY_MS = 15_000;
/** …and this often otherwise, so new uploads appear without a reload. */
const POLL_IDLE_MS = 60_000;

/** Every recording of a study that matches the filters (all pages, `nextCursor` followed). */
export function useRecordings(api: Api, studyId: string | null, filters: QueueFilters): RecordingsState {
  const [items, setItems] = useState<Recording[]>([]);
  const [state, setState] = useState<RecordingsState['state']>('loading');
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  // The study whose rows are on screen: a new study starts from the skeleton, not from the last study's rows.
  const shownStudy = useRef<string | null>(null);
  // A poll refreshes quietly: the rows do not dim every few seconds while something is processing.
  const quiet = useRef(false);
  const key = JSON.stringify(filters);

  useEffect(() => {
    if (!studyId) return;
    let live = true;
    if (!quiet.current) setState(shownStudy.current === studyId ? 'refreshing' : 'loading');
    quiet.current = false;
    void (async () => {
      try {
        const all: Recording[] = [];
        let cursor: string | undefined;
        do {
          const query = { ...apiQuery(studyId, filters), limit: PAGE, ...(cursor ? { cursor } : {}) };
          const page = unwrap(await api.GET('/v1/recordings', { params: { query } }));
          all.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor && live);
        if (!live) return;
        shownStudy.current = studyId;
        setItems(all);
        setError(null);
        setState('ready');
      } catch (e) {
        if (!live) return;
        setError((e as Error).message);
        setState('error');
      }
    })();
    return () => { live = false; };
    // `key` stands for the filters' values (a new object each render).
  }, [api, studyId, key, attempt]);

  const pending = items.some((r) => r.status === 'queued' || r.status === 'processing');
  useEffect(() => {
    if (state !== 'ready') return;
    const t = setTimeout(() => { quiet.current = true; setAttempt((n) => n + 1); }, pending ? POLL_BUSY_MS : POLL_IDLE_MS);
    return () => clearTimeout(t);
  }, [pending, state, items]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { state, items, error, reload };
}
