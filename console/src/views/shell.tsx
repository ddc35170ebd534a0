import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useConsole } from '../app';
import { onLinkClick, type Route } from '../router';
import { typingInField, useHelp } from '../help';
import { HelpOverlay } from './help-overlay';
import { StudyProvider, useStudy } from './study-context';

/** The frame of every signed-in screen: the top bar, the study in view, and the `?` help overlay. */
export function Shell({ route, children }: { route: Route; children: ComponentChildren }) {
  const [helpOpen, setHelpOpen] = useState(false);

  useHelp({ title: 'Everywhere', entries: [{ keys: '?', does: 'Show or hide these keyboard shortcuts' }, { keys: 'Esc', does: 'Close this help' }] });
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== '?' || e.ctrlKey || e.metaKey || e.altKey || typingInField(e)) return;
      e.preventDefault();
      setHelpOpen((open) => !open);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <StudyProvider>
      <div class="shell">
        <TopBar route={route} onHelp={() => setHelpOpen(true)} />
        <main class="content" id="content">{children}</main>
        {helpOpen ? <HelpOverlay onClose={() => setHelpOpen(false)} /> : null}
      </div>
    </StudyProvider>
  );
}

function TopBar({ route, onHelp }: { route: Route; onHelp: () => void }) {
  const { session, signOut } = useConsole();
  const who = session.kind === 'admin' ? 'Study coordinator (admin)' : session.name ?? 'Annotator';
  return (
    <header class="topbar">
      <a href="/console/" class="brand" onClick={(e) => onLinkClick(e, '')}>FieldSense</a>
      <StudyPicker />
      <nav aria-label="Main">
        <a href="/console/" aria-current={route.name === 'queue' ? 'page' : undefined} onClick={(e) => onLinkClick(e, '')}>Work queue</a>
        {session.kind === 'admin' ? <a href="/console/coordinator" aria-current={route.name === 'coordinator' ? 'page' : undefined} onClick={(e) => onLinkClick(e, 'coordinator')}>Coordinator</a> : null}
      </nav>
      <button type="button" class="icon" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onClick={onHelp}>?</button>
      <span class="who" title={session.kind === 'annotator' ? 'Signed in as an annotator' : undefined}>
        <span class="sr-only">Signed in as </span>{who}
      </span>
      <button type="button" class="ghost" onClick={() => signOut()}>Sign out</button>
    </header>
  );
}

/** The study's name; a selector when the token sees several. */
function StudyPicker() {
  const { state, studies, study, select } = useStudy();
  if (state === 'loading') return <span class="study placeholder" aria-hidden="true" />;
  if (!study) return <span class="study muted">{state === 'error' ? 'Study unavailable' : 'No study'}</span>;
  if (studies.length < 2) return <span class="study" title={study.slug}>{study.name}</span>;
  return (
    <label class="study">
      <span class="sr-only">Study</span>
      <select aria-label="Study" title={study.name} value={study.id} onChange={(e) => select((e.target as HTMLSelectElement).value)}>
        {studies.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
      </select>
    </label>
  );
}
