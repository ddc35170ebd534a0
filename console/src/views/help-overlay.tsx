import { useEffect, useRef, useState } from 'preact/hooks';
import { helpSections, onHelpChange, type HelpSection } from '../help';

/**
 * The `?` overlay: the keys of the views on screen, as they registered them (live: a view that mounts while it is
 * open adds its section). Modal: focus stays inside while it is open and goes back where it was when it closes.
 */
export function HelpOverlay({ onClose }: { onClose: () => void }) {
  const [sections, setSections] = useState<HelpSection[]>(helpSections);
  const dialog = useRef<HTMLDivElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);

  useEffect(() => onHelpChange(() => setSections(helpSections())), []);

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    closeButton.current?.focus();
    return () => { if (before && document.contains(before)) before.focus(); };
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        onClose();
      } else if (e.key === 'Tab' && dialog.current) {
        trapTab(e, dialog.current);
      }
    };
    // Capture: the views' own keys (Escape clears a selection, Space plays) must not fire behind the dialog.
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [onClose]);

  return (
    <div class="overlay" onMouseDown={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div class="dialog help" role="dialog" aria-modal="true" aria-labelledby="help-title" ref={dialog}>
        <header>
          <h2 id="help-title">Keyboard shortcuts</h2>
          <button type="button" class="icon" ref={closeButton} aria-label="Close" onClick={onClose}>×</button>
        </header>
        <p class="hint">Shortcuts do nothing while you type in a field. Press <kbd>?</kbd> or <kbd>Esc</kbd> to close.</p>
        <div class="help-sections">
          {sections.map((s) => (
            <section key={s.title} aria-labelledby={`help-${slug(s.title)}`}>
              <h3 id={`help-${slug(s.title)}`}>{s.title}</h3>
              <dl>
                {s.entries.map((e) => (
                  <div class="help-row" key={e.keys + e.does}>
                    <dt><Keys keys={e.keys} /></dt>
                    <dd>{e.does}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
      </div>
    </div>
  );
}

/**
 * "↑ or + / ↓ or -": groups split by "/" (zoom in / zoom out), alternatives inside a group by "or"; each key its own
 * <kbd>, so long combinations wrap instead of overflowing.
 */
function Keys({ keys }: { keys: string }) {
  const groups = keys.split(/\s+\/\s+/);
  return (
    <>
      {groups.map((g, i) => (
        <span key={g} class="key-alt">
          {i > 0 ? <span class="or">/</span> : null}
          {g.split(/\s+or\s+/).map((k, j) => <span key={k} class="key-alt">{j > 0 ? <span class="or">or</span> : null}<kbd>{k}</kbd></span>)}
        </span>
      ))}
    </>
  );
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Keeps Tab and Shift+Tab cycling inside the dialog. */
function trapTab(e: KeyboardEvent, root: HTMLElement): void {
  const items = [...root.querySelectorAll<HTMLElement>(FOCUSABLE)];
  const first = items[0];
  const last = items[items.length - 1];
  if (!first || !last) { e.preventDefault(); return; }
  const active = document.activeElement;
  if (e.shiftKey && (active === first || !root.contains(active))) { e.preventDefault(); last.focus(); }
  else if (!e.shiftKey && (active === last || !root.contains(active))) { e.preventDefault(); first.focus(); }
}
