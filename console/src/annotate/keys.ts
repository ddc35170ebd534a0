/**
 * The annotation layer's keys (the allocation the recording view keeps to): label hotkeys, `.`, Enter, Delete,
 * `]`/`[`, undo/redo and Escape. Listened to on the window, never while typing in a field or while the conflict
 * dialog waits for an answer.
 */
import { useEffect } from 'preact/hooks';
import { typingInField, useHelp } from '../help';
import type { AnnotateProps } from './index';
import type { AnnotationStore } from './store';
import { goToProposal, pointAtCursor } from './actions';

export function useAnnotateKeys(store: AnnotationStore, props: AnnotateProps): void {
  const { study, viewport } = props;
  const labels = study.labels;
  const hot = labels.filter((l) => l.hotkey);
  useHelp({
    title: 'Annotating',
    entries: [
      // One line for all label hotkeys: a study can have a dozen labels, and the help must stay readable.
      ...(hot.length > 0 ? [{ keys: hot.map((l) => l.hotkey!).join(' '), does: `Label the selection (${hot.map((l) => `${l.hotkey} ${l.name}`).join(', ')}); while playing, mark the moment at the cursor` }] : []),
      { keys: 'Drag', does: 'Draw a region on empty space; drag an edge to resize, the middle to move' },
      { keys: 'Shift+Drag', does: 'Draw a region over others (overlapping labels)' },
      { keys: 'Click', does: 'Seek (on empty space) or select an annotation' },
      { keys: '.', does: 'Point event at the cursor with the last label' },
      { keys: 'Enter', does: 'Accept the selected proposal' },
      { keys: 'Delete / Backspace', does: 'Reject the selected proposal, or delete the selected annotation' },
      { keys: '] / [', does: 'Next / previous proposal' },
      { keys: 'Ctrl+Z', does: 'Undo' },
      { keys: 'Ctrl+Shift+Z / Ctrl+Y', does: 'Redo' },
      { keys: 'Escape', does: 'Clear the selection' },
    ],
  });

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented || typingInField(e) || store.conflict) return;
      if (document.querySelector('[role=dialog][aria-modal=true]')) return;
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key;
      if (mod && !e.altKey && (k === 'z' || k === 'Z')) { e.preventDefault(); if (e.shiftKey) store.redo(); else store.undo(); return; }
      if (mod && !e.altKey && (k === 'y' || k === 'Y')) { e.preventDefault(); store.redo(); return; }
      if (mod || e.altKey) return;
      const target = e.target as HTMLElement | null;
      // Enter on a button presses that button; the layer's Enter is for when no control has the focus.
      const onControl = !!target && (target.tagName === 'BUTTON' || target.tagName === 'A') && !target.classList.contains('ann');
      const sel = store.selected ? store.items.get(store.selected) : undefined;
      switch (k) {
        case 'Escape':
          if (store.selected || store.draft) { store.select(null); e.preventDefault(); }
          return;
        case 'Enter':
          if (onControl) return;
          if (store.draft && store.lastLabel) { store.create(store.draft.startS, store.draft.endS, store.lastLabel, store.draft.adjudicated); e.preventDefault(); }
          else if (sel && sel.status !== 'accepted') { store.change(sel.key, { status: 'accepted' }); e.preventDefault(); }
          return;
        case 'Delete':
        case 'Backspace':
          if (!sel) return;
          e.preventDefault();
          if (sel.source === 'auto') store.change(sel.key, { status: 'rejected' });
          else store.remove(sel.key);
          return;
        case ']':
        case '[':
          e.preventDefault();
          goToProposal(store, viewport, k === ']' ? 1 : -1);
          return;
        case '.':
          e.preventDefault();
          pointAtCursor(store, viewport, store.lastLabel ?? store.currentLabel ?? labels[0]?.name ?? null);
          return;
      }
      const label = labels.find((l) => l.hotkey && l.hotkey.toLowerCase() === k.toLowerCase());
      if (!label) return;
      e.preventDefault();
      if (store.draft) store.create(store.draft.startS, store.draft.endS, label.name, store.draft.adjudicated);
      else if (viewport.state.playing) pointAtCursor(store, viewport, label.name);
      else if (sel) store.change(sel.key, { label: label.name });
      else store.set('currentLabel', store.currentLabel === label.name ? null : label.name);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store, viewport, labels]);
}
