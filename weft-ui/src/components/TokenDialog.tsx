import { useEffect, useRef, useState } from 'preact/hooks';
import { authNeeded, setToken, token } from '../lib/api';
import { useStore } from '../lib/store';

/** Asks for the server's token when the API answers 401. The token stays in this tab (sessionStorage). */
export function TokenDialog() {
  const needed = useStore(authNeeded);
  const current = useStore(token);
  const [value, setValue] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // Cleared when it closes, not when it opens: an effect runs after the dialog is painted, and clearing then would
    // wipe a token typed into the freshly shown field.
    if (needed) setTimeout(() => input.current?.focus(), 0);
    else setValue('');
  }, [needed]);
  if (!needed) return null;
  return (
    <div class="modal-backdrop">
      <form
        class="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="token-title"
        data-testid="token-dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) setToken(value.trim());
        }}
      >
        <h2 id="token-title">Token required</h2>
        <p>
          This Weft server runs with <code>--auth-token</code>.{' '}
          {current ? 'The token you entered was refused. ' : ''}Enter the token to continue. It is kept in this browser
          tab only and sent as <code>Authorization: Bearer</code>.
        </p>
        <label>
          Token
          <input
            ref={input}
            type="password"
            autocomplete="off"
            value={value}
            onInput={(e) => setValue((e.target as HTMLInputElement).value)}
            data-testid="token-input"
          />
        </label>
        <div class="actions">
          <button type="button" class="secondary" onClick={() => authNeeded.set(false)}>
            Cancel
          </button>
          <button type="submit" disabled={!value.trim()}>
            Use token
          </button>
        </div>
      </form>
    </div>
  );
}
