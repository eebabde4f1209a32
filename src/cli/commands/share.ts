import { withSession, type GlobalFlags } from '../connect.js';
import { printJson } from '../output.js';
import { UsageError } from '../../errors.js';
import type { MechanismId } from '../../discovery/capabilities.js';
import { assertVerified, outcomeJson, printOutcome } from './sharing-output.js';

export interface ShareFlags extends GlobalFlags {
  view?: boolean;
  edit?: boolean;
  via?: MechanismId;
  dryRun?: boolean;
}

export async function run(calendar: string, emails: string[], flags: ShareFlags): Promise<void> {
  if (flags.view && flags.edit) throw new UsageError('--view and --edit exclude each other', 'Choose one level.');
  if (!flags.view && !flags.edit) throw new UsageError('missing --view or --edit', 'Say which access to grant: --view (read events) or --edit (create, change, delete).');
  if (emails.length === 0) throw new UsageError('missing EMAIL', 'Name at least one person by e-mail address.');
  const { parseEmails } = await import('../../sharing/identity.js');
  parseEmails(emails); // every bad address reported before any request
  await withSession(flags, async (s) => {
    const { share } = await import('../../sharing/engine.js');
    const cal = await s.resolveCalendar(calendar);
    const outcome = await share(s, cal, emails, flags.edit ? 'edit' : 'read', { ...(flags.via ? { via: flags.via } : {}), dryRun: Boolean(flags.dryRun) });
    if (flags.json) printJson(outcomeJson(outcome));
    else printOutcome(outcome);
    assertVerified(outcome);
  });
}
