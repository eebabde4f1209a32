// `calshare unshare [CALENDAR] [EMAIL...|--all] --yes`. On a terminal, what is missing is asked and
// the removal confirmed (interactive/unshare-flow.ts); anywhere else missing input is a usage error.
import { withSession, type GlobalFlags } from '../connect.js';
import { printJson } from '../output.js';
import { UsageError } from '../../errors.js';
import type { MechanismId } from '../../discovery/capabilities.js';
import type { Calendar } from '../../discovery/calendars.js';
import { canPrompt, missing } from '../interactive/gate.js';
import { progress } from '../interactive/progress.js';
import { assertVerified, outcomeJson, printOutcome } from './sharing-output.js';

export interface UnshareFlags extends GlobalFlags {
  all?: boolean;
  yes?: boolean;
  via?: MechanismId;
  dryRun?: boolean;
  account?: string;
  /** --calendar, repeated: several calendars; then every argument is a person. */
  calendar?: string[];
  /** --group NAME, repeatable. */
  group?: string[];
}

const USAGE = 'calshare unshare CALENDAR EMAIL...|--all --yes';

function requireAll(calendar: string | undefined, emails: string[], flags: UnshareFlags): void {
  if (!calendar) throw missing('CALENDAR argument', `Name the calendar by display name, path or URL: ${USAGE}.`);
  if (!flags.all && emails.length === 0 && !flags.group?.length) throw missing('EMAIL argument or --all', 'Name the people to remove, or pass --all to remove everyone.');
  if (!flags.yes && !flags.dryRun) throw missing('--yes', 'Add --yes to confirm the removal, or --dry-run to see what would be sent.');
}

export async function run(calendar: string | undefined, emails: string[], flags: UnshareFlags): Promise<void> {
  if (flags.calendar?.length) return runMany(flags.calendar, [calendar, ...emails].filter((x): x is string => Boolean(x)), flags);
  if (flags.all && emails.length) throw new UsageError('give either EMAIL... or --all, not both');
  const settled = Boolean(flags.yes || flags.dryRun);
  const groups = flags.group ?? [];
  const ask = canPrompt(flags) && (!calendar || (!flags.all && emails.length === 0 && groups.length === 0) || !settled);
  if (!ask) requireAll(calendar, emails, flags);
  if (emails.length) (await import('../../sharing/identity.js')).parseEmails(emails);
  if (groups.length) (await import('../../sharing/engine.js')).parseGroups(groups);
  await withSession(flags, async (s) => {
    let plan: { cal: Calendar; who: string[] | 'all'; groups: string[] };
    if (ask) {
      const { askUnshare } = await import('../interactive/unshare-flow.js');
      plan = await askUnshare(s, { calendar, emails, all: Boolean(flags.all), yes: settled, via: flags.via, groups }, flags);
    } else {
      plan = { cal: await s.resolveCalendar(calendar!, 'change'), who: flags.all ? 'all' : emails, groups };
    }
    const { unshare } = await import('../../sharing/engine.js');
    const busy = await progress(flags, flags.dryRun ? 'Planning…' : 'Removing, then reading it back…');
    const outcome = await unshare(s, plan.cal, plan.who, { ...(flags.via ? { via: flags.via } : {}), dryRun: Boolean(flags.dryRun), groups: plan.groups }).then(
      (o) => (busy.done(o.mismatches.length ? 'Checked: see below' : 'Done'), o),
      (e: unknown) => (busy.fail(), Promise.reject(e)),
    );
    if (flags.json) printJson(outcomeJson(outcome));
    else printOutcome(outcome);
    assertVerified(outcome);
  });
}

/** `--calendar A --calendar B EMAIL...|--all --yes`: the same removal on each calendar. */
async function runMany(calendars: string[], emails: string[], flags: UnshareFlags): Promise<void> {
  if (flags.all && emails.length) throw new UsageError('give either EMAIL... or --all, not both');
  if (!flags.all && emails.length === 0) throw missing('EMAIL argument or --all', 'Name the people to remove, or pass --all to remove everyone.');
  if (!flags.yes && !flags.dryRun) throw missing('--yes', 'Add --yes to confirm the removal, or --dry-run to see what would be sent.');
  if (emails.length) (await import('../../sharing/identity.js')).parseEmails(emails);
  await withSession(flags, async (s) => {
    const { unshare } = await import('../../sharing/engine.js');
    const { forEachCalendar } = await import('./many-calendars.js');
    await forEachCalendar(s, calendars, flags, (cal) => unshare(s, cal, flags.all ? 'all' : emails, { ...(flags.via ? { via: flags.via } : {}), dryRun: Boolean(flags.dryRun) }));
  });
}
