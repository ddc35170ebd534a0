/**
 * The participant's other recordings that overlap this one in time (watch + phone), from the stored alignments:
 * each with the shift that puts its positions on this recording's axis. A position t of the other recording is
 * at (other.start − this.start) + offsetS + t here (offsetS: "add to the other recording's times to put them on
 * this one's clock"), plus any adjustment the annotator makes.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api/client';
import type { components } from '../api/schema';
import { afterFirstPlot } from './first-plot';

type Recording = components['schemas']['Recording'];
type Alignment = components['schemas']['Alignment'];

export interface AlignedRecording {
  recording: Recording;
  alignment: Alignment;
  /** Seconds between the two recordings' starts by their clocks (0 without wall clocks). */
  startDeltaS: number;
}

/** At most this many others are drawn (the most confident first, as the API orders them). */
const MAX_OTHERS = 2;

export function startDeltaS(me: Recording, other: Recording): number {
  if (!me.startTime || !other.startTime) return 0;
  return (Date.parse(other.startTime) - Date.parse(me.startTime)) / 1000;
}

export function useAlignedRecordings(api: Api, me: Recording): AlignedRecording[] {
  const [out, setOut] = useState<AlignedRecording[]>([]);
  useEffect(() => {
    let live = true;
    void (async () => {
      await afterFirstPlot();
      if (!live) return;
      const r = await api.GET('/v1/recordings/{recordingId}/alignments', { params: { path: { recordingId: me.id } } });
      if (!live || !r.data) return;
      const found: AlignedRecording[] = [];
      for (const alignment of r.data.items.slice(0, MAX_OTHERS)) {
        const o = await api.GET('/v1/recordings/{recordingId}', { params: { path: { recordingId: alignment.otherRecordingId } } });
        if (!live) return;
        if (o.data && o.data.status === 'ready') found.push({ recording: o.data, alignment, startDeltaS: startDeltaS(me, o.data) });
      }
      if (live) setOut(found);
    })();
    return () => { live = false; };
  }, [api, me.id, me.startTime]);
  return out;
}
