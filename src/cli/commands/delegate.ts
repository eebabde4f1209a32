// `calshare delegate EMAIL... --view|--edit`: access to EVERY calendar of the account through its
// calendar-proxy groups. On a terminal, missing people or level are asked; elsewhere a usage error.
import { withSession, type GlobalFlags } from '../connect.js';
import { printJson } from '../output.js';
import { UsageError } from '../../errors.js';
import type { Level } from '../../sharing/types.js';
import { canPrompt, missing } from '../interactive/gate.js';
import { progress } from '../interactive/progress.js';
import { assertDelegationVerified, delegationOutcomeJson, printDelegationOutcome } from './delegation-output.js';

export interface DelegateFlags extends GlobalFlags {
  view?: boolean;
  edit?: boolean;
  dryRun?: boolean;
}

export const EVERY_CALENDAR = 'Delegation gives access to EVERY calendar of your account, now and later, not to one calendar.';

function levelOf(flags: DelegateFlags): Level | undefined {
  if (flags.view && flags.edit) throw new UsageError('--view and --edit exclude each other', 'Choose one level.');
  return flags.edit ? 'edit' : flags.view ? 'read' : undefined;
}

export async function run(emails: string[], flags: DelegateFlags): Promise<void> {
  let level = levelOf(flags);
  const ask = canPrompt(flags) && (emails.length === 0 || !level);
  if (!ask) {
    if (emails.length === 0) throw missing('EMAIL argument', 'Name at least one person by e-mail address: calshare delegate EMAIL... --view|--edit.');
    if (!level) throw missing('--view or --edit', `Say which access to give: --view (read events) or --edit (create, change, delete). ${EVERY_CALENDAR}`);
  }
  const { parseEmails } = await import('../../sharing/identity.js');
  if (emails.length) parseEmails(emails);
  if (ask) {
    const { promptFlow } = await import('../interactive/prompts.js');
    ({ emails, level } = await promptFlow(async (p) => {
      const people = emails.length
        ? emails
        : (await p.text('Delegate to (e-mail addresses, separated by spaces or commas)', 'bob@example.com', (v) => {
            try {
              parseEmails(v.split(/[\s,;]+/).filter(Boolean));
              return v.trim() ? undefined : 'Type at least one address.';
            } catch (e) {
              return (e as Error).message;
            }
          })).split(/[\s,;]+/).filter(Boolean);
      const lvl =
        level ??
        (await p.select<Level>(`Access to ALL your calendars (${EVERY_CALENDAR.split('.')[0]!.toLowerCase()})`, [
          { value: 'read', label: 'view', hint: 'read events in every calendar (--view)' },
          { value: 'edit', label: 'edit', hint: 'create, change and delete events in every calendar (--edit)' },
        ]));
      return { emails: people, level: lvl };
    }));
  }
  await withSession(flags, async (s) => {
    const { delegate } = await import('../../delegation/delegation.js');
    const busy = await progress(flags, flags.dryRun ? 'Planning…' : 'Delegating, then reading it back…');
    const outcome = await delegate(s, emails, level!, { dryRun: Boolean(flags.dryRun) }).finally(() => busy.done('Done'));
    if (flags.json) printJson(delegationOutcomeJson(outcome));
    else printDelegationOutcome(outcome);
    assertDelegationVerified(outcome);
  });
}
