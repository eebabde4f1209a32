// `calshare invites [--json]`: invitations addressed to the signed-in user, with the state the
// owner sees. Where the server has none, it says why instead of printing an empty list that would
// look like "nothing was shared with you".
import { withSession, type GlobalFlags } from '../connect.js';
import { printJson, table } from '../output.js';
import { accessLabel } from '../../sharing/types.js';
import type { Inbox, Invitation } from '../../invitations/inbox.js';
import type { ShareeStepKind } from '../../invitations/steps.js';

/** Why there is nothing to answer on this server, and what to do instead. */
export function noInvitationsNote(kind: ShareeStepKind): string {
  switch (kind) {
    case 'in-home':
      return 'This server accepts shares on your behalf: there are no invitations to answer. Calendars shared with you are already in your calendar list (`calshare calendars`).';
    case 'subscribe':
      return 'This server sends no invitations. A calendar shared with you works at its owner\'s URL; `calshare accept URL` subscribes to it so your calendar app lists it.';
    case 'bind':
      return 'This server sends no invitations. A calendar shared with you works at its owner\'s URL; `calshare accept URL` binds it into your calendar home so your calendar app lists it.';
    default:
      return 'This server keeps no invitations (no notification collection). Calendars shared with you work at their owner\'s URL; `calshare calendars` lists those the server puts in your home.';
  }
}

const level = (l: Invitation['level']) => (l === 'none' ? 'no access' : accessLabel(l));

export function invitesJson(inbox: Inbox) {
  return {
    invitations: inbox.invitations.map((i) => ({
      id: i.id,
      calendar: { name: i.calendar.name, url: i.calendar.url.href },
      owner: { email: i.owner.email ?? null, name: i.owner.name ?? null, href: i.owner.href ?? null },
      level: level(i.level),
      status: i.status,
      sent: i.sent ?? null,
      summary: i.summary ?? null,
      inYourHome: i.sharedAs?.href ?? null,
    })),
    withdrawn: inbox.withdrawn,
    server: {
      invitations: inbox.collection !== undefined,
      notificationCollection: inbox.collection?.href ?? null,
      howSharesArrive: inbox.step.kind,
      ...(inbox.collection ? {} : { note: noInvitationsNote(inbox.step.kind) }),
    },
  };
}

export async function run(flags: GlobalFlags): Promise<void> {
  await withSession(flags, async (s) => {
    const { listInvitations } = await import('../../invitations/inbox.js');
    const inbox = await listInvitations(s);
    if (flags.json) return printJson(invitesJson(inbox));
    if (!inbox.collection) return void process.stderr.write(`${noInvitationsNote(inbox.step.kind)}\n`);
    if (inbox.invitations.length === 0) {
      process.stderr.write(`No invitations for ${s.transport.user}${inbox.withdrawn ? ` (${inbox.withdrawn} withdrawn by their owners)` : ''}.\n`);
      return;
    }
    process.stdout.write(
      table(
        ['ID', 'CALENDAR', 'OWNER', 'LEVEL', 'STATUS', 'SENT'],
        inbox.invitations.map((i) => [i.id, i.calendar.name, i.owner.email ?? i.owner.name ?? i.owner.href ?? '?', level(i.level), i.status, i.sent?.replace(/\.000Z$/, 'Z') ?? '']),
      ),
    );
    if (inbox.withdrawn) process.stderr.write(`(${inbox.withdrawn} more withdrawn by their owners)\n`);
    if (inbox.invitations.some((i) => i.status === 'pending')) process.stderr.write('Answer with `calshare accept INVITE` or `calshare decline INVITE` (calendar name, owner address or ID).\n');
  });
}
