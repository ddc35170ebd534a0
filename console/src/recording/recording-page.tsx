/**
 * /console/recordings/:id — loads the recording and its study, and shows what state it is in: still processing
 * (polled until ready), rejected (with the reason and the file's name), failed, the API unreachable (retry), no
 * streams to plot, or the recording view itself.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { useConsole } from '../app';
import { ApiError, unwrap } from '../api/client';
import type { Recording, Study } from '../annotate';
import { onLinkClick } from '../router';
import { RecordingView } from './recording-view';
import './recording.css';

const POLL_MS = 3000;

type Load =
  | { state: 'loading' }
  | { state: 'error'; error: ApiError }
  | { state: 'loaded'; recording: Recording; study: Study; filename: string | null };

const STAGES: Record<string, string> = {
  validate: 'reading and checking the file',
  segment: 'finding sessions, activity and speech',
  annotate: 'proposing annotations',
};

function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'api_unreachable', e instanceof Error ? e.message : String(e));
}

export function RecordingPage({ id, review, initialT }: { id: string; review: boolean; initialT: number | null }) {
  const { api } = useConsole();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const retry = useCallback(() => { setLoad({ state: 'loading' }); setAttempt((n) => n + 1); }, []);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let study: Study | null = null;
    const fetchOnce = async (): Promise<void> => {
      try {
        const recording = unwrap(await api.GET('/v1/recordings/{recordingId}', { params: { path: { recordingId: id } } }));
        study ??= unwrap(await api.GET('/v1/studies/{studyId}', { params: { path: { studyId: recording.studyId } } }));
        let filename: string | null = null;
        if (recording.status === 'rejected' || recording.status === 'failed') {
          const u = await api.GET('/v1/uploads/{uploadId}', { params: { path: { uploadId: recording.uploadId } } });
          filename = u.data?.upload.filename ?? null;
        }
        if (!live) return;
        setLoad({ state: 'loaded', recording, study, filename });
        if (recording.status === 'queued' || recording.status === 'processing') timer = setTimeout(() => void fetchOnce(), POLL_MS);
      } catch (e) {
        if (live) setLoad({ state: 'error', error: asApiError(e) });
      }
    };
    void fetchOnce();
    return () => { live = false; if (timer) clearTimeout(timer); };
  }, [api, id, attempt]);

  const back = <a href="/console/" onClick={(e) => onLinkClick(e, '')}>Back to the queue</a>;
  if (load.state === 'loading') return <div class="rec-state" role="status">Loading recording…</div>;
  if (load.state === 'error') {
    const e = load.error;
    if (e.status === 404) return <div class="rec-state" role="alert"><h1>Recording not found</h1><p>{e.message}</p>{back}</div>;
    const down = e.status === 0 || e.status === 599 || e.status === 503;
    return (
      <div class="rec-state" role="alert">
        <h1>{down ? 'The API cannot be reached' : 'The recording could not be loaded'}</h1>
        <p>{e.message}</p>
        <button type="button" onClick={retry}>Retry</button> {back}
      </div>
    );
  }

  const { recording, study, filename } = load;
  const file = filename ?? 'the uploaded file';
  const busy = recording.status === 'queued' || recording.status === 'processing';
  const stageText = recording.stage ? `${recording.stage} (${STAGES[recording.stage] ?? recording.stage})` : 'starting';
  // Once its streams are stored (segment, annotate) a recording can be looked at while the detectors run;
  // it is opened afresh when ready, with its segments and proposals.
  if (busy && recording.streams.length > 0) {
    return (
      <>
        <div class="rec-banner" role="status" aria-live="polite">Still processing — stage: {stageText}. Segments and proposals appear when it is ready.</div>
        <RecordingView key={`${recording.id}-busy`} recording={recording} study={study} review={review} initialT={initialT} />
      </>
    );
  }
  switch (recording.status) {
    case 'queued':
    case 'processing':
      return (
        <div class="rec-state" role="status" aria-live="polite">
          <h1>Still processing</h1>
          <p>
            {recording.status === 'queued' ? 'Waiting for a worker to start.' : `Stage: ${stageText}.`}
            {' '}This page opens the recording as soon as it is ready.
          </p>
          <div class="rec-spinner" aria-hidden="true" />
          {back}
        </div>
      );
    case 'rejected':
      return (
        <div class="rec-state" role="alert">
          <h1>This recording was rejected</h1>
          <p class="rec-reason">{recording.error?.message ?? 'The platform could not read the file.'}</p>
          <p>File: <strong>{file}</strong>{recording.error?.code ? <> · code <code>{recording.error.code}</code></> : null}</p>
          {back}
        </div>
      );
    case 'failed':
      return (
        <div class="rec-state" role="alert">
          <h1>Processing failed</h1>
          <p class="rec-reason">{recording.error?.message ?? 'Processing stopped with an error.'}</p>
          <p>File: <strong>{file}</strong>. An admin can reprocess it.</p>
          {back}
        </div>
      );
    case 'ready':
      break;
  }
  if (!recording.streams.some((s) => s.kind === 'imu' || s.kind === 'audio' || s.kind === 'other')) {
    return (
      <div class="rec-state" role="status">
        <h1>Nothing to plot</h1>
        <p>This recording has no motion (IMU) or audio streams.</p>
        {back}
      </div>
    );
  }
  return <RecordingView key={recording.id} recording={recording} study={study} review={review} initialT={initialT} />;
}
