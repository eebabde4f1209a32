// Verdicts on a change: what happened to each person, and what a failure leaves the user knowing.
import type { Calendar } from '../discovery/calendars.js';
import { AuthError, NetworkError, ServerRefusedError, isCalshareError } from '../errors.js';
import type { Level, PersonResultKind } from './types.js';

/**
 * Whether a failed write may still have changed the calendar: the request may have reached the
 * server when the connection broke, timed out, or the server failed (5xx) while answering. Not when
 * the connection never opened, the server refused with a 4xx (it did not act, RFC 9110 §15.5), or a
 * redirect was declined (nothing was sent there).
 */
export function mayHaveLanded(e: unknown): boolean {
  if (e instanceof ServerRefusedError) return e.status >= 500;
  if (e instanceof NetworkError) return !['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'REDIRECT_REFUSED', 'REDIRECT_LOOP', 'UND_ERR_CONNECT_TIMEOUT'].includes(e.code ?? '');
  return false;
}

/** The same error, its hint led by what the user most needs: the change's fate is unknown, and how to learn it. */
export function unverified(e: unknown, cal: Calendar, accepted: boolean): unknown {
  if (!isCalshareError(e)) return e;
  const check = `run \`calshare sharees ${cal.url.pathname}\` to see the current state; running the same command again is safe.`;
  const lead = accepted
    ? `The server accepted the change, but it could not be verified: ${check}`
    : `The change may or may not have been made: ${check}`;
  const hint = e.hint ? `${lead} ${e.hint}` : lead;
  if (e instanceof NetworkError) return new NetworkError(e.message, hint, e.code, { cause: e });
  if (e instanceof ServerRefusedError) return new ServerRefusedError(e.message, hint, e.status, e.preconditions, e.serverMessage);
  if (e instanceof AuthError) return new AuthError(e.message, hint, { cause: e });
  return e;
}

type Seen = Level | 'other' | 'none';

/** What happened to one person, from what was asked and their level before and after the change. */
export function resultKind(requested: Level | 'none', before: Seen, after: Seen, dryRun: boolean): PersonResultKind {
  const already = requested === 'none' ? 'not-shared' : 'unchanged';
  if (dryRun) return before === requested ? already : 'planned';
  if (after !== requested) return 'mismatch';
  if (before === requested) return already;
  if (requested === 'none') return 'removed';
  return before === 'none' ? 'shared' : 'changed';
}
