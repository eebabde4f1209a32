// The "Shared with me" page: invitations to accept or decline, the calendars others shared with the
// signed-in user (owner, level held, how they got into the list), and, on servers without
// invitations, a form to add a shared calendar by its URL. Same guards as every other page: the
// session gate and CSRF/Origin checks in server.ts, a confirm step before declining, and every
// change verified by reading back (src/invitations/reply.ts). All links are relative (server.ts
// sets <base> to the per-launch prefix). Forms post through htmx, like the rest of the page: a
// plain form post carries "Origin: null" under the page's Referrer-Policy and the gate refuses it;
// the answer is the whole page, of which htmx swaps in <main>.
import type { Session } from '../session.js';
import { calendarName } from '../discovery/calendars.js';
import { learnLayout } from '../sharing/identity.js';
import { UsageError } from '../errors.js';
import { hrefUrl } from '../xml/multistatus.js';
import { listInvitations, type Invitation } from '../invitations/inbox.js';
import { addSharedCalendar, replyToInvitation, type Answer, type ReplyOutcome } from '../invitations/reply.js';
import { ORIGIN_LABEL, sharedInfo } from '../invitations/shared-with-me.js';
import { noInvitationsNote } from '../cli/commands/invites.js';
import { accessLabel } from '../sharing/types.js';
import { html, type Html } from './html.js';

const hidden = (name: string, value: string) => html`<input type="hidden" name="${name}" value="${value}">`;
const HELD: Record<string, string> = { read: 'view-only', edit: 'edit', none: 'no access (taken back)', unknown: 'not shown by the server' };

function invitationRow(i: Invitation, csrf: string): Html {
  const from = i.owner.email ?? i.owner.name ?? i.owner.href ?? 'someone';
  const answer = (a: Answer, label: string) => html`<form method="post" action="shared/${a}" hx-post="shared/${a}" hx-target="main" hx-select="main" hx-swap="outerHTML" hx-disabled-elt="find button" class="inline">
      ${hidden('csrf', csrf)}${hidden('id', i.id)}<button type="submit"${a === 'decline' ? html` class="secondary"` : ''}>${label}</button></form>`;
  return html`<tr data-invite="${i.id}" data-calendar="${i.calendar.name}" data-status="${i.status}">
    <td data-label="Calendar">${i.calendar.name}</td>
    <td data-label="From">${from}</td>
    <td data-label="Level offered">${i.level === 'none' ? 'no access' : accessLabel(i.level)}</td>
    <td data-label="Status">${i.status}</td>
    <td data-label="Sent">${i.sent ? i.sent.slice(0, 16).replace('T', ' ') : '—'}</td>
    <td data-label="Answer">${i.status !== 'accepted' ? answer('accept', 'Accept') : ''}${i.status !== 'declined' ? answer('decline', 'Decline…') : ''}</td>
  </tr>`;
}

export async function sharedWithMePage(s: Session, csrf: string, slots: { result?: Html; confirm?: Html } = {}): Promise<Html> {
  s.invalidate();
  const [inbox, cals, me] = await Promise.all([listInvitations(s), s.calendars(), s.principal()]);
  const layout = learnLayout(me, s.transport.user);
  const shared = cals.filter((c) => !c.owned).map((c) => ({ c, info: sharedInfo(c, layout) }));
  const invitations = inbox.collection
    ? inbox.invitations.length
      ? html`<table class="invitations">
  <caption class="visually-hidden">Invitations to calendars others shared with you</caption>
  <thead><tr><th scope="col">Calendar</th><th scope="col">From</th><th scope="col">Level offered</th><th scope="col">Status</th><th scope="col">Sent</th><th scope="col">Answer</th></tr></thead>
  <tbody>${inbox.invitations.map((i) => invitationRow(i, csrf))}</tbody>
</table>`
      : html`<p class="empty">No invitations.</p>`
    : html`<p class="note">${noInvitationsNote(inbox.step.kind)}</p>
${inbox.step.kind === 'subscribe' || inbox.step.kind === 'bind'
  ? html`<form method="post" action="shared/add" hx-post="shared/add" hx-target="main" hx-select="main" hx-swap="outerHTML" hx-disabled-elt="find button">
  ${hidden('csrf', csrf)}
  <p><label for="cal-url">URL of a calendar shared with you</label>
  <input id="cal-url" name="url" type="url" required autocomplete="off" spellcheck="false" placeholder="${s.baseUrl.origin}/…/calendar/">
  <span class="help">The owner sees it in calshare after sharing.</span></p>
  <button type="submit">Add to my calendars</button>
</form>`
  : ''}`;
  const list = shared.length
    ? html`<table class="shared">
  <caption class="visually-hidden">Calendars shared with you</caption>
  <thead><tr><th scope="col">Calendar</th><th scope="col">Owner</th><th scope="col">Your access</th><th scope="col">How it got here</th></tr></thead>
  <tbody>${shared.map(({ c, info }) => html`<tr data-url="${c.url.href}"><td data-label="Calendar">${calendarName(c)}</td><td data-label="Owner">${info.owner}</td><td data-label="Your access">${HELD[info.level]}</td><td data-label="How it got here">${ORIGIN_LABEL[info.origin]}</td></tr>`)}</tbody>
</table>`
    : html`<p class="empty">No calendar of someone else is in your calendar list yet.</p>`;
  return html`<p class="back"><a href="./">← All calendars</a></p>
<h1>Shared with me</h1>
<div id="result" aria-live="polite">${slots.result}</div>
<section aria-labelledby="inv-h"><h2 id="inv-h">Invitations</h2>${slots.confirm}${invitations}</section>
<section aria-labelledby="list-h"><h2 id="list-h">In your calendar list</h2>${list}</section>`;
}

/** The invitation a form names by id, read fresh. */
async function invitationById(s: Session, id: string | null): Promise<Invitation> {
  if (!id) throw new UsageError('no invitation named in the request', 'Pick an invitation from the list.');
  const hit = (await listInvitations(s)).invitations.find((i) => i.id === id);
  if (!hit) throw new UsageError('that invitation is no longer there', 'Reload the page: the owner may have withdrawn it.');
  return hit;
}

export function confirmDecline(i: Invitation, csrf: string): Html {
  return html`<div class="confirm" role="group" aria-labelledby="confirm-h">
  <h3 id="confirm-h">Decline “${i.calendar.name}”?</h3>
  <p>${i.owner.email ?? i.owner.name ?? 'The owner'} will see that you declined. Your access stays until they take it back.</p>
  <form method="post" action="shared/decline/confirm" hx-post="shared/decline/confirm" hx-target="main" hx-select="main" hx-swap="outerHTML" hx-disabled-elt="find button">
    ${hidden('csrf', csrf)}${hidden('id', i.id)}
    <button type="submit" class="danger" autofocus>Yes, decline</button>
    <a class="button" href="shared">Cancel</a>
  </form>
</div>`;
}

export function replyBox(o: ReplyOutcome): Html {
  return html`<div class="outcome ok" role="status" data-answer="${o.answer}" data-action="${o.action}">
  <h2>${o.answer === 'accept' ? 'Accepted' : 'Declined'}: checked by reading it back</h2>
  <p>“${o.calendar.name}”${o.owner ? html` from ${o.owner}` : ''}: ${o.note}.</p>
  ${o.inHome ? html`<p>In your calendar list at <code class="in-home">${o.inHome}</code></p>` : ''}
</div>`;
}

export type SharedAction = (s: Session, form: URLSearchParams, csrf: string) => Promise<{ result?: Html; confirm?: Html }>;

export const SHARED_ACTIONS: Record<string, SharedAction> = {
  async '/shared/accept'(s, form) {
    return { result: replyBox(await replyToInvitation(s, await invitationById(s, form.get('id')), 'accept')) };
  },
  async '/shared/decline'(s, form, csrf) {
    return { confirm: confirmDecline(await invitationById(s, form.get('id')), csrf) };
  },
  async '/shared/decline/confirm'(s, form) {
    return { result: replyBox(await replyToInvitation(s, await invitationById(s, form.get('id')), 'decline')) };
  },
  async '/shared/add'(s, form) {
    const typed = (form.get('url') ?? '').trim();
    let url: URL;
    try {
      url = hrefUrl(typed, s.baseUrl);
    } catch {
      throw new UsageError('that is not a calendar URL', 'Paste the full URL the owner sent you.');
    }
    return { result: replyBox(await addSharedCalendar(s, url, 'accept')) };
  },
};
