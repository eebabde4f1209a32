// `calshare share [CALENDAR] [EMAIL...] --view|--edit`. On a terminal, what is missing is asked
// (interactive/share-flow.ts); anywhere else it is a usage error naming the missing piece.
import { withSession, type GlobalFlags } from '../connect.js';
import { printJson } from '../output.js';
import { UsageError } from '../../errors.js';
import type { MechanismId } from '../../discovery/capabilities.js';
import type { Calendar } from '../../discovery/calendars.js';
import type { Level } from '../../sharing/types.js';
import { canPrompt, missing } from '../interactive/gate.js';
import { progress } from '../interactive/progress.js';
import { assertVerified, outcomeJson, printOutcome } from './sharing-output.js';

export interface ShareFlags extends GlobalFlags {
  view?: boolean;
  edit?: boolean;
  via?: MechanismId;
  dryRun?: boolean;
  account?: string;
  /** --calendar, repeated: several calendars; then every argument is a person. */
  calendar?: string[];
  /** --group NAME, repeatable. */
  group?: string[];
}

const USAGE = 'calshare share CALENDAR EMAIL...|--group NAME --view|--edit';

function levelOf(flags: ShareFlags): Level | undefined {
  if (flags.view && flags.edit) throw new UsageError('--view and --edit exclude each other', 'Choose one level.');
  return flags.edit ? 'edit' : flags.view ? 'read' : undefined;
}

/** Without a terminal every piece must be on the command line; checked before any request. */
function requireAll(calendar: string | undefined, emails: string[], groups: string[], level: Level | undefined): void {
  if (!calendar) throw missing('CALENDAR argument', `Name the calendar by display name, path or URL: ${USAGE}.`);
  if (emails.length === 0 && groups.length === 0) throw missing('EMAIL argument', `Name at least one person by e-mail address (or a group with --group): ${USAGE}.`);
  if (!level) throw missing('--view or --edit', 'Say which access to grant: --view (read events) or --edit (create, change, delete).');
}

export async function run(calendar: string | undefined, emails: string[], flags: ShareFlags): Promise<void> {
  const level = levelOf(flags);
  if (flags.calendar?.length) return runMany(flags.calendar, [calendar, ...emails].filter((x): x is string => Boolean(x)), level, flags);
  const groups = flags.group ?? [];
  const ask = canPrompt(flags) && (!calendar || (emails.length === 0 && groups.length === 0) || !level);
  if (!ask) requireAll(calendar, emails, groups, level);
  const { parseEmails } = await import('../../sharing/identity.js');
  // Every bad address reported before any request; on a terminal the prompt asks again instead.
  if (emails.length && !ask) parseEmails(emails);
  if (groups.length) (await import('../../sharing/engine.js')).parseGroups(groups);
  await withSession(flags, async (s) => {
    let plan: { cal: Calendar; emails: string[]; level: Level };
    if (ask) {
      const { askShare } = await import('../interactive/share-flow.js');
      plan = await askShare(s, { calendar, emails, level, via: flags.via, groups }, flags);
    } else {
      plan = { cal: await s.resolveCalendar(calendar!, 'change'), emails, level: level! };
    }
    const { share } = await import('../../sharing/engine.js');
    const busy = await progress(flags, flags.dryRun ? 'Planning…' : 'Sharing, then reading it back…');
    // "Done" only once the read-back is in; a failure stops the spinner without a success word.
    const outcome = await share(s, plan.cal, plan.emails, plan.level, { ...(flags.via ? { via: flags.via } : {}), dryRun: Boolean(flags.dryRun), groups })
      .catch(async (e) => {
        busy.fail();
        // A server that cannot share one calendar may delegate the whole account: say so, never do it.
        if (!plan.cal.owned) throw e;
        throw await (await import('../../delegation/advice.js')).withDelegationAdvice(s, e, plan.emails, plan.level);
      })
      .then((o) => (busy.done(o.mismatches.length ? 'Checked: see below' : 'Done'), o));
    const { shareeGuidance } = await import('../../invitations/guidance.js');
    const next = await shareeGuidance(s, outcome);
    if (flags.json) printJson(outcomeJson(outcome, next));
    else printOutcome(outcome, next);
    assertVerified(outcome);
  });
}

/** `--calendar A --calendar B EMAIL... --view|--edit`: the same share on each calendar. */
async function runMany(calendars: string[], emails: string[], level: Level | undefined, flags: ShareFlags): Promise<void> {
  if (emails.length === 0) throw missing('EMAIL argument', `Name at least one person by e-mail address: calshare share --calendar CAL [--calendar CAL]... EMAIL... --view|--edit.`);
  if (!level) throw missing('--view or --edit', 'Say which access to grant: --view (read events) or --edit (create, change, delete).');
  (await import('../../sharing/identity.js')).parseEmails(emails);
  await withSession(flags, async (s) => {
    const { share } = await import('../../sharing/engine.js');
    const { forEachCalendar } = await import('./many-calendars.js');
    await forEachCalendar(s, calendars, flags, (cal) => share(s, cal, emails, level, { ...(flags.via ? { via: flags.via } : {}), dryRun: Boolean(flags.dryRun) }));
  });
}
