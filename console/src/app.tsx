import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { createApi, type Api } from './api/client';
import { clearToken, storeToken, storedToken, takeTokenFromAddress, type Session } from './session';
import { navigate, useRoute } from './router';
import { SignIn } from './views/sign-in';
import { BootScreen, RETRY_S } from './views/boot-screen';
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

/** Where the boot stands once there is a token: asking who it is, or the API cannot say. */
type Boot = { state: 'checking' } | { state: 'down'; message: string } | { state: 'ready'; session: Session };

const PARTICIPANT_REFUSED = "This is a participant's token: the console is for annotators and study coordinators. Ask your coordinator for an annotator token.";

export function App() {
  const route = useRoute();
  const [token, setToken] = useState<string | null>(() => {
    const fromAddress = takeTokenFromAddress();
    if (fromAddress) storeToken(fromAddress);
    return fromAddress ?? storedToken();
  });
  const [boot, setBoot] = useState<Boot>({ state: 'checking' });
  const [attempt, setAttempt] = useState(0);
  const [signInMessage, setSignInMessage] = useState<string | null>(null);

  const signOut = useCallback((message?: string) => {
    clearToken();
    setToken(null);
    setBoot({ state: 'checking' });
    setSignInMessage(message ?? null);
  }, []);

  // A 401 from any call (expired, revoked, unknown token) lands here through the client, with the API's message.
  const api = useMemo(() => (token ? createApi(token, (m) => signOut(m)) : null), [token, signOut]);

  useEffect(() => {
    if (!api || !token) return;
    let live = true;
    // While the API is down the down screen stays up during each new try (no flicker every few seconds).
    setBoot((b) => (b.state === 'down' ? b : { state: 'checking' }));
    void api.GET('/v1/whoami').then((r) => {
      if (!live) return;
      if (r.data) {
        if (r.data.kind === 'participant') signOut(PARTICIPANT_REFUSED);
        else setBoot({ state: 'ready', session: { token, ...r.data } });
      } else if (r.response.status !== 401) {
        // The API down (network error, 5xx) is not the token's fault: keep it and offer to try again.
        const body = r.error as { error?: { message?: string } } | undefined;
        setBoot({ state: 'down', message: body?.error?.message ?? `The API answered ${r.response.status}.` });
      }
    });
    return () => { live = false; };
  }, [api, token, attempt, signOut]);

  // The API down is usually brief (a restart, a deploy): ask again by itself, as the screen says.
  useEffect(() => {
    if (boot.state !== 'down') return;
    const t = setTimeout(() => setAttempt((n) => n + 1), RETRY_S * 1000);
    return () => clearTimeout(t);
  }, [boot]);

  // Signed in on the sign-in address (a bookmark, a refused token put right): on to the queue.
  useEffect(() => {
    if (boot.state === 'ready' && route.name === 'sign-in') navigate('', true);
  }, [boot.state, route.name]);

  if (!token || !api) {
    return <SignIn message={signInMessage} onToken={(t) => { storeToken(t); setSignInMessage(null); setToken(t); if (route.name === 'sign-in') navigate('', true); }} />;
  }
  if (boot.state !== 'ready') {
    return <BootScreen down={boot.state === 'down' ? boot.message : null} onRetry={() => setAttempt((n) => n + 1)} onSignOut={() => signOut()} />;
  }

  const ctx: ConsoleContext = { api, session: boot.session, signOut };
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
