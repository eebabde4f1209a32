// `calshare accept [INVITE]` and `calshare decline [INVITE]` (decline.ts): answer an invitation,
// or, where the server has none, put a calendar shared with you into your own calendar home
// (SOGo subscription, DAViCal BIND). INVITE: calendar name, owner address, invitation id, or the
// owner's calendar URL. On a terminal a missing INVITE is picked from a list, and declining asks
// for confirmation (--yes skips it); elsewhere both are usage errors.
import { withSession, type GlobalFlags } from '../connect.js';
import { printJson, table } from '../output.js';
import { UsageError } from '../../errors.js';
import { hrefUrl } from '../../xml/multistatus.js';
import { inertLine } from '../../util/inert.js';
import type { Session } from '../../session.js';
import type { Answer, ReplyOutcome } from '../../invitations/reply.js';
import type { Invitation } from '../../invitations/inbox.js';
import { canPrompt, missing } from '../interactive/gate.js';
import { progress } from '../interactive/progress.js';
import { noInvitationsNote } from './invites.js';

export interface ReplyFlags extends GlobalFlags {
  yes?: boolean;
}

const looksLikeUrl = (r: string) => r.startsWith('/') || /^https?:\/\//i.test(r);

export function replyJson(o: ReplyOutcome) {
  return {
    answer: o.answer,
    action: o.action,
    calendar: o.calendar,
    owner: o.owner ?? null,
    invite: o.status ?? null,
    inYourHome: o.inHome ?? null,
    note: o.note,
  };
}

type Target = { invitation: Invitation } | { url: URL };

async function choose(s: Session, ref: string | undefined, answer: Answer, ask: boolean): Promise<Target> {
  const { listInvitations, pickInvitation } = await import('../../invitations/inbox.js');
  const inbox = await listInvitations(s);
  const base = (await s.principal()).url;
  if (ref !== undefined) {
    if (inbox.collection && (!looksLikeUrl(ref) || inbox.invitations.length)) {
      try {
        return { invitation: pickInvitation(inbox.invitations, ref, base) };
      } catch (e) {
        if (!looksLikeUrl(ref)) throw e;
      }
    }
    if (!looksLikeUrl(ref)) {
      throw new UsageError(`"${inertLine(ref)}" is not a calendar URL, and this server has no invitations to pick from`, `${noInvitationsNote(inbox.step.kind)} Name the calendar by the URL its owner got from \`calshare share\`.`);
    }
    try {
      return { url: hrefUrl(ref, base) };
    } catch {
      throw new UsageError(`"${inertLine(ref)}" is not a valid calendar URL or path`);
    }
  }
  if (!ask) throw missing('INVITE argument', `Name the invitation by calendar name, owner address or id (\`calshare invites\` lists them), or give the calendar's URL: calshare ${answer} INVITE.`);
  const { promptFlow } = await import('../interactive/prompts.js');
  return promptFlow(async (p) => {
    const open = inbox.invitations.filter((i) => (answer === 'accept' ? i.status !== 'accepted' : i.status !== 'declined'));
    if (open.length) {
      const w = Math.max(...open.map((i) => inertLine(i.calendar.name).length));
      return {
        invitation: await p.select(
          answer === 'accept' ? 'Accept which invitation?' : 'Decline which invitation?',
          open.map((i) => ({ value: i, label: `${inertLine(i.calendar.name).padEnd(w)}  from ${inertLine(i.owner.email ?? i.owner.name ?? '?')}`, hint: `${i.status}, ${i.level === 'edit' ? 'edit' : 'view-only'}` })),
        ),
      };
    }
    const typed = await p.text(
      `${inbox.collection ? 'No open invitations. ' : ''}URL of the calendar shared with you?`,
      'https://cal.example.com/…/calendar/',
      (v) => (looksLikeUrl(v.trim()) ? undefined : 'Type the full URL or the path the owner sent you'),
    );
    return { url: hrefUrl(typed.trim(), base) };
  });
}

async function confirmDecline(target: Target, flags: ReplyFlags, ask: boolean): Promise<void> {
  if (flags.yes) return;
  if (!ask) throw missing('--yes', 'Add --yes to confirm declining.');
  const { promptFlow } = await import('../interactive/prompts.js');
  const { CancelledError } = await import('../interactive/cancel.js');
  const name = 'invitation' in target ? `"${inertLine(target.invitation.calendar.name)}"` : target.url.href;
  await promptFlow(async (p) => {
    if (!(await p.confirm(`Decline ${name}? (The owner sees it; your access stays until they take it back.)`))) throw new CancelledError('declined');
  });
}

export async function run(answer: Answer, ref: string | undefined, flags: ReplyFlags): Promise<void> {
  const ask = canPrompt(flags);
  if (!ask && ref === undefined) throw missing('INVITE argument', `Name the invitation by calendar name, owner address or id, or give the calendar's URL: calshare ${answer} INVITE.`);
  if (!ask && answer === 'decline' && !flags.yes) throw missing('--yes', 'Add --yes to confirm declining.');
  await withSession(flags, async (s) => {
    const target = await choose(s, ref, answer, ask);
    if (answer === 'decline') await confirmDecline(target, flags, ask);
    const { replyToInvitation, addSharedCalendar } = await import('../../invitations/reply.js');
    const busy = await progress(flags, `${answer === 'accept' ? 'Accepting' : 'Declining'}, then reading it back…`);
    const outcome = await ('invitation' in target ? replyToInvitation(s, target.invitation, answer) : addSharedCalendar(s, target.url, answer)).finally(() => busy.done('Done'));
    if (flags.json) return printJson(replyJson(outcome));
    process.stderr.write(`"${inertLine(outcome.calendar.name)}"${outcome.owner ? ` from ${inertLine(outcome.owner)}` : ''}: ${outcome.note}.\n`);
    process.stdout.write(
      table(['CALENDAR', 'ANSWER', 'INVITE', 'IN YOUR HOME'], [[outcome.calendar.name, outcome.answer === 'accept' ? 'accepted' : 'declined', outcome.status ?? '-', outcome.inHome ?? '-']]),
    );
  });
}
