import { useState } from 'preact/hooks';

export function SignIn({ message, onToken }: { message: string | null; onToken: (token: string) => void }) {
  const [value, setValue] = useState('');
  return (
    <main class="sign-in">
      <form onSubmit={(e) => { e.preventDefault(); if (value.trim()) onToken(value.trim()); }}>
        <h1>FieldSense console</h1>
        {message ? <p class="notice error" role="alert">{message}</p> : null}
        <label for="token">Your token</label>
        <input id="token" name="token" type="password" autocomplete="off" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}
