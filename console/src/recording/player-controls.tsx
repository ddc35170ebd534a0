/** Play / Pause and the playback speed, for the recording's audio (the player itself is AudioPlayer). */
import { useEffect, useState } from 'preact/hooks';
import { PLAYBACK_RATES, type AudioPlayer } from './audio-player';
import type { Viewport } from './viewport';

export function PlayerControls({ player, viewport, rate, onRate }: { player: AudioPlayer; viewport: Viewport; rate: number; onRate: (r: number) => void }) {
  const [playing, setPlaying] = useState(viewport.state.playing);
  useEffect(() => viewport.subscribe((s, ch) => { if (ch.has('playing')) setPlaying(s.playing); }), [viewport]);
  return (
    <div class="player">
      <button type="button" class={`play-button${playing ? ' is-playing' : ''}`} onClick={() => player.toggle()} aria-keyshortcuts="Space">
        <span aria-hidden="true" class="play-icon">{playing ? '❚❚' : '▶'}</span>{playing ? 'Pause' : 'Play'}
      </button>
      <label class="speed">
        <span>Playback speed</span>
        <select value={String(rate)} onChange={(e) => onRate(Number((e.currentTarget).value))}>
          {PLAYBACK_RATES.map((r) => <option key={r} value={String(r)}>{r}×</option>)}
        </select>
      </label>
    </div>
  );
}
