// Every address checked as it is entered, and every problem reported at once (issue 16 §2): first
// the spelling (pure, parseEmail), then whether the server knows the person (the same lookups the
// engine makes before any change, one address at a time so one unknown person does not hide
// another). Nothing here changes state; callers share only with `good`, or ask again.
import type { Session } from '../session.js';
import { isCalshareError } from '../errors.js';
import { parseEmail, resolveIdentities } from '../sharing/identity.js';
import type { MechanismContext } from '../sharing/types.js';

export interface Rejected {
  /** What was typed, as typed. */
  input: string;
  /** What is wrong with it, in plain words (one line). */
  why: string;
}

export interface Checked {
  /** Usable addresses, normalised, repeats dropped, in the order given. */
  good: string[];
  bad: Rejected[];
}

/** The spelling of each address; pure. */
export function checkSpelling(inputs: readonly string[]): Checked {
  const good = new Map<string, string>();
  const bad: Rejected[] = [];
  for (const input of inputs) {
    try {
      const e = parseEmail(input);
      if (!good.has(e.toLowerCase())) good.set(e.toLowerCase(), e);
    } catch (err) {
      bad.push({ input, why: (err as Error).message });
    }
  }
  return { good: [...good.values()], bad };
}

/** Spelling, then existence on the server, for every address; throws only for non-input failures. */
export async function checkPeople(session: Session, ctx: MechanismContext, inputs: readonly string[]): Promise<Checked> {
  const spelled = checkSpelling(inputs);
  const looked = await Promise.all(
    spelled.good.map(async (email) => {
      try {
        const [who] = await resolveIdentities(session.transport, ctx.me, [email], ctx.quirks);
        return { email: who?.email ?? email };
      } catch (e) {
        // A usage error is about this address (unknown, foreign domain, yourself); anything else
        // (network, authentication) is not the person's fault and ends the command as usual.
        if (isCalshareError(e) && e.kind === 'usage') return { rejected: { input: email, why: e.message } };
        throw e;
      }
    }),
  );
  return {
    good: looked.flatMap((l) => ('email' in l ? [l.email!] : [])),
    bad: [...spelled.bad, ...looked.flatMap((l) => ('rejected' in l ? [l.rejected!] : []))],
  };
}

/** One line per rejected address, for terminals and messages. */
export const describeRejected = (bad: readonly Rejected[]): string => bad.map((b) => `  ${b.why}`).join('\n');
