// Where a server cannot share one calendar but can delegate the whole account (SabreDAV 1.8), the
// refusal says so and names `calshare delegate` — and says that delegation reaches EVERY calendar.
// calshare never delegates on its own: giving all calendars when one was asked for is not a fallback.
import type { Session } from '../session.js';
import { UnsupportedError } from '../errors.js';
import { detectDelegation } from './delegation.js';

export const DELEGATION_SCOPE = 'delegation gives access to EVERY calendar of your account (also ones made later), not only this one';

export function delegationHint(emails: readonly string[], level: 'read' | 'edit'): string {
  const who = emails.length ? emails.join(' ') : 'EMAIL...';
  return `This server cannot share a single calendar, but it can delegate your whole account: \`calshare delegate ${who} ${level === 'edit' ? '--edit' : '--view'}\`. Beware: ${DELEGATION_SCOPE}. calshare did not delegate anything.`;
}

/** The same refusal, its hint naming delegation when the server offers it; any other error unchanged. */
export async function withDelegationAdvice(session: Session, e: unknown, emails: readonly string[], level: 'read' | 'edit'): Promise<unknown> {
  if (!(e instanceof UnsupportedError)) return e;
  // The calendar can be shared another way (e.g. --via cs refused on Nextcloud, where oc-share
  // shares): "this server cannot share a single calendar" would be false, and the hint names the way.
  if (e.alternatives.length) return e;
  const support = await detectDelegation(session).catch(() => undefined);
  if (!support?.available) return e;
  return new UnsupportedError(e.message, `${delegationHint(emails, level)}${e.hint ? ` Otherwise: ${e.hint}` : ''}`, { cause: e });
}
