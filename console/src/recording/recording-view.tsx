/**
 * The recording view of a ready recording: header, toolbar (playback, zoom, the window shown), overview strip,
 * ruler, and the plot stack — IMU streams, the audio waveform and spectrogram, aligned recordings — with the play
 * cursor and the annotation overlay over it, the annotation panel beside it. Everything reads and moves one
 * Viewport.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useConsole } from '../app';
import { AnnotateOverlay, AnnotatePanel, type AnnotateProps, type Recording, type Study } from '../annotate';
import { formatAbsolute, formatDuration, formatRelative, isKnownZone, zoneName } from '../geometry/time-format';
import { Viewport } from './viewport';
import { StreamPlot } from './stream-plot';
import { Ruler } from './ruler';
import { Overview } from './overview';
import { CursorLine } from './cursor-line';
import { Spectrogram } from './spectrogram';
import { AudioPlayer, PLAYBACK_RATES, type AudioSource } from './audio-player';
import { PlayerControls } from './player-controls';
import { AlignedPanel, alignedShiftS, parseOffsets, withOffsets, type OffsetsMs } from './aligned-panel';
import { useAlignedRecordings } from './aligned';
import { attachWheel } from './wheel';
import { useRecordingKeys } from './keys';
import { useSize } from './use-size';
import { resetFirstPlot } from './first-plot';
import { PLOT_LEFT, plotAreaWidth } from './plot-style';
import { onLinkClick } from '../router';
import './recording.css';

const HEAD_H = 20;

declare global {
  interface Window { __fieldsense?: { viewport: Viewport } }
}

function initialWindow(durationS: number, t: number | null): [number, number] {
  if (t === null) return [0, durationS];
  const span = Math.min(durationS, 60);
  return [t - span / 2, t + span / 2];
}

export function RecordingView({ recording, study, review, initialT }: { recording: Recording; study: Study; review: boolean; initialT: number | null }) {
  const { api, session } = useConsole();
  const durationS = recording.durationS ?? Math.max(0, ...recording.streams.map((s) => s.startS + s.durationS));
  const viewport = useMemo(() => {
    const [a, b] = initialWindow(durationS, initialT);
    const v = new Viewport(durationS, a, b);
    if (initialT !== null) v.setCursor(initialT);
    // Here, not in an effect: the children's effects (their loads wait for the first plot) run before ours.
    resetFirstPlot();
    return v;
  }, [recording.id, durationS]);
  useEffect(() => {
    window.__fieldsense = { viewport };
    return () => { if (window.__fieldsense?.viewport === viewport) delete window.__fieldsense; };
  }, [viewport]);

  const motion = recording.streams.filter((s) => s.kind === 'imu' || s.kind === 'other');
  const audio = recording.streams.filter((s) => s.kind === 'audio');
  const firstAudio = audio[0];
  const source: AudioSource | null = useMemo(() => firstAudio
    ? { token: session.token, recordingId: recording.id, stream: firstAudio.name, endS: Math.min(durationS, firstAudio.startS + firstAudio.durationS) }
    : null, [session.token, recording.id, firstAudio?.name, durationS]);

  const [audioProblem, setAudioProblem] = useState<string | null>(null);
  const [rate, setRate] = useState(1);
  const player = useMemo(() => (source ? new AudioPlayer(source, viewport, setAudioProblem) : null), [source, viewport]);
  useEffect(() => () => player?.destroy(), [player]);
  const changeRate = useCallback((r: number) => { setRate(r); player?.setRate(r); }, [player]);
  // Steps from the player's own rate, so keys pressed faster than a render still each take a step.
  const step = useCallback((dir: 1 | -1) => {
    if (!player) return;
    const i = PLAYBACK_RATES.indexOf(player.playbackRate as (typeof PLAYBACK_RATES)[number]);
    changeRate(PLAYBACK_RATES[Math.max(0, Math.min(PLAYBACK_RATES.length - 1, (i < 0 ? 2 : i) + dir))]!);
  }, [player, changeRate]);
  useRecordingKeys(viewport, {
    togglePlay: player ? () => player.toggle() : null,
    slower: player ? () => step(-1) : null,
    faster: player ? () => step(1) : null,
  });

  const aligned = useAlignedRecordings(api, recording);
  const [offsetsMs, setOffsetsMs] = useState<OffsetsMs>(() => parseOffsets(window.location.search));
  useEffect(() => {
    // The address carries the offsets set by hand (replaceState: nudging an offset makes no history entries).
    const search = withOffsets(window.location.search, offsetsMs);
    if (search !== window.location.search) window.history.replaceState(window.history.state, '', window.location.pathname + search + window.location.hash);
  }, [offsetsMs]);

  const scroller = useRef<HTMLDivElement>(null);
  const stack = useRef<HTMLDivElement>(null);
  const { width, height } = useSize(scroller);
  const plotWidth = plotAreaWidth(width);
  useEffect(() => {
    const el = stack.current;
    if (!el) return;
    return attachWheel(el, viewport, () => ({ left: PLOT_LEFT, width: plotAreaWidth(el.clientWidth) }));
  }, [viewport]);

  const alignedStreams = aligned.flatMap((a) => a.recording.streams.filter((s) => s.kind === 'imu').slice(0, 2).map((s) => ({ a, s })));
  // Plot heights share the height there is, so a few streams fit at 1280×800 without scrolling: motion
  // streams get a full share, other sensors (battery, temperature, light) half of one, the spectrogram about a
  // fifth; audio alone gets all of it (a taller waveform, the spectrogram below taking the rest).
  const nOther = motion.filter((s) => s.kind === 'other').length;
  const nPlots = motion.length + audio.length + alignedStreams.length;
  const shares = Math.max(1, nPlots - nOther / 2);
  const avail = height - nPlots * HEAD_H - (source ? HEAD_H : 0) - aligned.length * 26 - 8;
  const audioOnly = motion.length === 0 && alignedStreams.length === 0;
  const spectroBase = source && !audioOnly ? Math.max(64, Math.min(110, Math.round(avail * 0.2))) : 0;
  const per = Math.max(44, Math.min(170, Math.floor((avail - spectroBase) / shares)));
  const otherH = Math.max(40, Math.floor(per / 2));
  const audioH = audioOnly ? Math.max(80, Math.min(160, Math.floor(avail * 0.35))) : Math.min(per, 90);
  const used = motion.reduce((h, s) => h + (s.kind === 'other' ? otherH : per), 0) + alignedStreams.length * per + audio.length * audioH;
  // The spectrogram takes what the plots leave (within reason).
  const spectroH = audioOnly ? Math.max(110, Math.min(320, avail - audio.length * audioH)) : Math.max(spectroBase, Math.min(200, avail - used));

  const startMs = recording.startTime && recording.clock !== 'relative' ? Date.parse(recording.startTime) : null;
  const zone = recording.clock === 'device-local-unknown-zone' ? 'UTC' : recording.timezone && isKnownZone(recording.timezone) ? recording.timezone : 'UTC';

  const readout = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    const write = (): void => {
      const { fromS, toS } = viewport.state;
      if (readout.current) readout.current.textContent = `${formatRelative(fromS)} – ${formatRelative(toS)}  (${formatDuration(toS - fromS)} of ${formatDuration(durationS)})`;
    };
    write();
    return viewport.subscribe((_s, ch) => { if (ch.has('fromS') || ch.has('toS')) write(); });
  }, [viewport, durationS]);

  const annotate: AnnotateProps = { recording, study, viewport, plotLeft: PLOT_LEFT, plotWidth, review };
  const code = (recording as { participantCode?: string }).participantCode;
  const device = [recording.device?.kind, recording.device?.model].filter(Boolean).join(' ');
  const zoomBy = (f: number): void => {
    const { cursorS, fromS, toS } = viewport.state;
    viewport.zoomAt(cursorS !== null && cursorS >= fromS && cursorS <= toS ? cursorS : (fromS + toS) / 2, f);
  };

  return (
    <div class="rec">
      <header class="rec-head">
        <a class="rec-back" href="/console/" onClick={(e) => onLinkClick(e, '')}>← Queue</a>
        <h1>{code ? `Participant ${code}` : 'Recording'}<span class="rec-id">{recording.id}</span></h1>
        <dl class="rec-facts">
          {device ? <div><dt>Device</dt><dd>{device}</dd></div> : null}
          <div><dt>Start</dt><dd>{startMs === null ? 'no wall clock' : `${formatAbsolute(startMs, 0, zone, 0, true)} ${recording.clock === 'device-local-unknown-zone' ? '(device clock)' : zoneName(startMs, zone)}`}</dd></div>
          <div><dt>Duration</dt><dd>{formatDuration(durationS)}</dd></div>
          <div><dt>Format</dt><dd>{recording.format ?? '—'}</dd></div>
        </dl>
      </header>
      <div class="rec-body">
        <div class="rec-main">
          <div class="rec-toolbar">
            {player ? <PlayerControls player={player} viewport={viewport} rate={rate} onRate={changeRate} /> : null}
            <div class="zoom">
              <button type="button" onClick={() => zoomBy(2)} aria-label="Zoom out" title="Zoom out (↓)">−</button>
              <button type="button" onClick={() => zoomBy(0.5)} aria-label="Zoom in" title="Zoom in (↑)">+</button>
              <button type="button" onClick={() => viewport.setWindow(0, durationS)} title="Whole recording (Home)">Whole</button>
            </div>
            <span class="rec-window" ref={readout} aria-live="off" />
            {audioProblem ? <span class="rec-problem" role="alert">{audioProblem}</span> : null}
          </div>
          <Overview api={api} recording={recording} viewport={viewport} width={width} />
          <Ruler viewport={viewport} width={width} startMs={startMs} timeZone={zone} {...(recording.clock === 'device-local-unknown-zone' ? { clockCaption: 'device' } : {})} />
          <div class="rec-plots" ref={scroller}>
            <div class="plot-stack" ref={stack}>
              {width > 0 ? <>
              {motion.map((s) => (
                <StreamPlot key={s.name} api={api} recordingId={recording.id} stream={s} durationS={durationS} viewport={viewport} width={width} height={s.kind === 'other' ? otherH : per} />
              ))}
              {audio.map((s) => (
                <StreamPlot key={s.name} api={api} recordingId={recording.id} stream={s} durationS={durationS} viewport={viewport} width={width} height={audioH} waveform title={`${s.name} (waveform)`} />
              ))}
              {source ? <Spectrogram source={source} viewport={viewport} width={width} height={spectroH} /> : null}
              {aligned.map((a) => (
                <div class="aligned-group" key={a.recording.id}>
                  <div class="aligned-title" style={{ paddingLeft: `${PLOT_LEFT}px` }}>
                    Aligned: {[a.recording.device?.kind, a.recording.device?.model].filter(Boolean).join(' ') || a.recording.format} · {a.recording.id}
                  </div>
                  {alignedStreams.filter((x) => x.a === a).map(({ s }) => (
                    <StreamPlot key={s.name} api={api} recordingId={a.recording.id} stream={s} durationS={a.recording.durationS ?? 0} viewport={viewport} width={width} height={per}
                      shiftS={alignedShiftS(a, offsetsMs)} title={`${s.name} · aligned`} />
                  ))}
                </div>
              ))}
              </> : null}
              <div class="annot-layer"><AnnotateOverlay {...annotate} /></div>
              <CursorLine viewport={viewport} plotWidth={plotWidth} />
            </div>
          </div>
          {aligned.length > 0 ? <AlignedPanel aligned={aligned} offsetsMs={offsetsMs} onChange={setOffsetsMs} /> : null}
        </div>
        <div class="rec-side"><AnnotatePanel {...annotate} /></div>
      </div>
    </div>
  );
}
