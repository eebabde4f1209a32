// Errors in plain words, one wording per error class (src/errors.ts), with the HTTP status the
// page gets. The message and hint come from the core and are shown as text, never as markup.
import { isCalshareError, type CalshareError } from '../errors.js';
import { html, type Html } from './html.js';

interface Wording {
  title: string;
  status: number;
  hintLabel: string;
}

const WORDING: Record<CalshareError['kind'], Wording> = {
  usage: { title: 'Please check what you entered', status: 422, hintLabel: 'What to do' },
  auth: { title: 'The calendar server did not accept your sign-in', status: 502, hintLabel: 'What to do' },
  network: { title: 'Could not reach the calendar server', status: 504, hintLabel: 'What to do' },
  refused: { title: 'The calendar server refused', status: 502, hintLabel: 'What to do' },
  unsupported: { title: 'This server cannot share this calendar over CalDAV', status: 501, hintLabel: 'What an administrator can do' },
  verification: { title: 'The server said yes, but reading it back shows the change did not take effect', status: 502, hintLabel: 'What to do' },
  partial: { title: 'Only part of the change was made', status: 502, hintLabel: 'What to do' },
};

export interface Problem {
  status: number;
  body: Html;
}

export function problem(e: unknown): Problem {
  if (!isCalshareError(e)) {
    // A bug: the details go to the terminal (for a report), not to the page.
    process.stderr.write(`calshare ui: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return { status: 500, body: box('Something went wrong inside calshare', 'The details are in the terminal where calshare ui runs.', undefined, []) };
  }
  const w = WORDING[e.kind];
  const extra: Html[] = [];
  if ('serverMessage' in e && typeof e.serverMessage === 'string' && e.serverMessage) extra.push(html`<p>The server said: <q>${e.serverMessage}</q></p>`);
  if ('preconditions' in e && Array.isArray(e.preconditions) && e.preconditions.length) {
    extra.push(html`<p>Condition not met (RFC 4918 §16): ${e.preconditions.join(', ')}</p>`);
  }
  return { status: w.status, body: box(w.title, e.message, e.hint ? { label: w.hintLabel, text: e.hint } : undefined, extra, e.kind) };
}

/** A refusal by the UI server itself (security checks, unknown page). */
export function refusal(status: number, title: string, text: string): Problem {
  return { status, body: box(title, text, undefined, []) };
}

function box(title: string, message: string, hint: { label: string; text: string } | undefined, extra: Html[], kind = 'internal'): Html {
  return html`<div class="problem" role="alert" data-kind="${kind}">
  <h2>${title}</h2>
  <p class="message">${message}</p>
  ${extra}
  ${hint && html`<p class="hint"><strong>${hint.label}:</strong> ${hint.text}</p>`}
</div>`;
}
