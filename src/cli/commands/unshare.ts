import { createInterface } from 'node:readline/promises';
import { withSession, type GlobalFlags } from '../connect.js';
import { printJson } from '../output.js';
import { UsageError } from '../../errors.js';
import type { MechanismId } from '../../discovery/capabilities.js';
import { calendarName } from '../../discovery/calendars.js';
import { inert } from '../../util/inert.js';
import { assertVerified, outcomeJson, printOutcome } from './sharing-output.js';

export interface UnshareFlags extends GlobalFlags {
  all?: boolean;
  yes?: boolean;
  via?: MechanismId;
  dryRun?: boolean;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export async function run(calendar: string, emails: string[], flags: UnshareFlags): Promise<void> {
  if (flags.all && emails.length) throw new UsageError('give either EMAIL... or --all, not both');
  if (!flags.all && emails.length === 0) throw new UsageError('missing EMAIL or --all', 'Name the people to remove, or pass --all to remove everyone.');
  const interactive = process.stdin.isTTY && process.stderr.isTTY;
  if (!flags.yes && !flags.dryRun && !interactive) {
    throw new UsageError('unshare needs --yes when not run at a terminal', 'Add --yes to confirm, or --dry-run to see what would be sent.');
  }
  if (!flags.all) (await import('../../sharing/identity.js')).parseEmails(emails);
  await withSession(flags, async (s) => {
    const { unshare } = await import('../../sharing/engine.js');
    const cal = await s.resolveCalendar(calendar);
    if (!flags.yes && !flags.dryRun) {
      const who = flags.all ? 'everyone' : emails.join(', ');
      if (!(await confirm(`Remove ${who} from "${inert(calendarName(cal))}"?`))) throw new UsageError('cancelled; nothing was changed');
    }
    const outcome = await unshare(s, cal, flags.all ? 'all' : emails, { ...(flags.via ? { via: flags.via } : {}), dryRun: Boolean(flags.dryRun) });
    if (flags.json) printJson(outcomeJson(outcome));
    else printOutcome(outcome);
    assertVerified(outcome);
  });
}
