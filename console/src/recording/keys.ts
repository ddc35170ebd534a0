/**
 * The recording view's keys (see the key allocation): Space play/pause; ←/→ pan 10 % (Shift: 50 %); ↑/+ zoom in,
 * ↓/- zoom out around the cursor (when visible) or the centre; Home or 0 the whole recording; < / > playback
 * slower / faster. Registered with the keyboard help; never while typing in a field.
 */
import { useEffect } from 'preact/hooks';
import { typingInField, useHelp } from '../help';
import type { Viewport } from './viewport';

export interface KeyActions {
  togglePlay: (() => void) | null;
  slower: (() => void) | null;
  faster: (() => void) | null;
}

function zoomCentre(v: Viewport): number {
  const { cursorS, fromS, toS } = v.state;
  return cursorS !== null && cursorS >= fromS && cursorS <= toS ? cursorS : (fromS + toS) / 2;
}

export function useRecordingKeys(viewport: Viewport, actions: KeyActions): void {
  const audio = actions.togglePlay !== null;
  useHelp({
    title: 'Recording',
    entries: [
      ...(audio ? [{ keys: 'Space', does: 'Play / pause from the cursor' }] : []),
      { keys: '← / →', does: 'Pan 10 % (Shift: 50 %)' },
      { keys: '↑ or + / ↓ or -', does: 'Zoom in / out around the cursor or the centre' },
      { keys: 'Home or 0', does: 'Whole recording' },
      ...(audio ? [{ keys: '< / >', does: 'Playback slower / faster' }] : []),
      { keys: 'Wheel / pinch', does: 'Zoom around the pointer; Shift + wheel or sideways: pan' },
    ],
  });

  useEffect(() => {
    const on = (e: KeyboardEvent): void => {
      if (typingInField(e) || e.defaultPrevented || e.metaKey || e.altKey) return;
      if (e.ctrlKey) return;
      let done = true;
      switch (e.key) {
        case ' ':
          // Space on a focused button presses that button.
          if ((e.target as HTMLElement | null)?.tagName === 'BUTTON' || !actions.togglePlay) { done = false; break; }
          actions.togglePlay();
          break;
        case 'ArrowLeft': viewport.panBy(e.shiftKey ? -0.5 : -0.1); break;
        case 'ArrowRight': viewport.panBy(e.shiftKey ? 0.5 : 0.1); break;
        case 'ArrowUp': case '+': case '=': viewport.zoomAt(zoomCentre(viewport), 0.5); break;
        case 'ArrowDown': case '-': case '_': viewport.zoomAt(zoomCentre(viewport), 2); break;
        case 'Home': case '0': viewport.setWindow(0, viewport.state.durationS); break;
        case '<': if (actions.slower) actions.slower(); else done = false; break;
        case '>': if (actions.faster) actions.faster(); else done = false; break;
        default: done = false;
      }
      if (done) e.preventDefault();
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, [viewport, actions.togglePlay, actions.slower, actions.faster]);
}
