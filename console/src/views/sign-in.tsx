import { useState } from 'preact/hooks';

/**
 * Paste the token once; it is kept for this tab's session only. A refused token comes back here with the API's
 * own message (revoked, unknown) in an alert, so the person knows whom to ask.
 */
export function SignIn({ message, onToken }: { message: string | null; onToken: (token: string) => void }) {
  const [value, setValue] = useState('');
  return (
    <main class="sign-in">
      <form class="card" onSubmit={(e) => { e.preventDefault(); if (value.trim()) onToken(value.trim()); }}>
        <h1>FieldSense console</h1>
        <p class="muted">Sign in with the annotator or admin token your study coordinator gave you.</p>
        {message ? <p class="notice error" role="alert">{message}</p> : null}
        <label for="token">Your token</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck={false} autoFocus value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary">Sign in</button>
        <p class="hint">Kept only while this tab is open.</p>
      </form>
    </main>
  );
}
