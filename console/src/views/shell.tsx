import type { ComponentChildren } from 'preact';
import { useConsole } from '../app';
import { onLinkClick, type Route } from '../router';

export function Shell({ route, children }: { route: Route; children: ComponentChildren }) {
  const { session, signOut } = useConsole();
  return (
    <div class="shell">
      <header class="topbar">
        <a href="/console/" class="brand" onClick={(e) => onLinkClick(e, '')}>FieldSense</a>
        <nav aria-label="Main">
          <a href="/console/" aria-current={route.name === 'queue' ? 'page' : undefined} onClick={(e) => onLinkClick(e, '')}>Work queue</a>
          {session.kind === 'admin' ? <a href="/console/coordinator" aria-current={route.name === 'coordinator' ? 'page' : undefined} onClick={(e) => onLinkClick(e, 'coordinator')}>Coordinator</a> : null}
        </nav>
        <span class="who">{session.name ?? session.kind}</span>
        <button type="button" class="link" onClick={() => signOut()}>Sign out</button>
      </header>
      <main class="content">{children}</main>
    </div>
  );
}
