/**
 * What shows between having a token and knowing who it is: a quiet "Signing in…", or, when the API cannot be
 * reached, why and a way to try again (the token is kept: the API being down is not the token's fault).
 */
/** How often the boot asks again by itself while the API is down. */
export const RETRY_S = 10;

export function BootScreen({ down, onRetry, onSignOut }: { down: string | null; onRetry: () => void; onSignOut: () => void }) {
  return (
    <main class="sign-in">
      <div class="card boot-card">
        <h1>FieldSense console</h1>
        {down === null ? (
          <p role="status" aria-live="polite" class="muted">Signing in…</p>
        ) : (
          <>
            <div role="alert" class="notice error">
              <strong>The FieldSense API cannot be reached.</strong>
              <p>Your token is kept; the console tries again every {RETRY_S} seconds.</p>
            </div>
            <p class="hint detail">{down}</p>
            <div class="actions">
              <button type="button" class="primary" onClick={onRetry}>Retry</button>
              <button type="button" onClick={onSignOut}>Use another token</button>
            </div>
          </>
        )}
      </div>
    </main>
  );
}
