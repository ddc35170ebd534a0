import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { createApi, type Api } from './api/client';
import { clearToken, storeToken, storedToken, takeTokenFromAddress, type Session } from './session';
import { navigate, useRoute } from './router';
import { SignIn } from './views/sign-in';
import { Shell } from './views/shell';
import { Queue } from './views/queue';
import { Coordinator } from './views/coordinator';
import { RecordingPage } from './recording/recording-page';

export interface ConsoleContext {
  api: Api;
  session: Session;
  signOut: (message?: string) => void;
}

export const Ctx = createContext<ConsoleContext | null>(null);

/** The signed-in context; every view below the shell has one. */
export function useConsole(): ConsoleContext {
  const c = useContext(Ctx);
  if (!c) throw new Error('useConsole outside the signed-in app');
  return c;
}

export function App() {
  const route = useRoute();
  const [token, setToken] = useState<string | null>(() => {
    const fromAddress = takeTokenFromAddress();
    if (fromAddress) storeToken(fromAddress);
    return fromAddress ?? storedToken();
  });
  const [session, setSession] = useState<Session | null>(null);
  const [signInMessage, setSignInMessage] = useState<string | null>(null);

  const signOut = useCallback((message?: string) => {
    clearToken();
    setToken(null);
    setSession(null);
    setSignInMessage(message ?? null);
  }, []);

  const api = useMemo(() => (token ? createApi(token, (m) => signOut(m)) : null), [token, signOut]);

  useEffect(() => {
    if (!api || !token) return;
    let live = true;
    void api.GET('/v1/whoami').then((r) => {
      if (!live) return;
      if (r.data) setSession({ token, ...r.data } as Session);
      else if (r.response.status !== 401) setSignInMessage((r.error as { error?: { message?: string } } | undefined)?.error?.message ?? 'The API cannot be reached.');
    });
    return () => { live = false; };
  }, [api, token]);

  if (!token || !api) {
    return <SignIn message={signInMessage} onToken={(t) => { storeToken(t); setSignInMessage(null); setToken(t); if (route.name === 'sign-in') navigate('', true); }} />;
  }
  if (!session) return <div class="boot" role="status" aria-live="polite">{signInMessage ?? 'Signing in…'}</div>;

  const ctx: ConsoleContext = { api, session, signOut };
  return (
    <Ctx.Provider value={ctx}>
      <Shell route={route}>
        {route.name === 'recording' ? <RecordingPage id={route.id} review={route.review} initialT={route.t} />
          : route.name === 'coordinator' ? <Coordinator />
          : <Queue />}
      </Shell>
    </Ctx.Provider>
  );
}
