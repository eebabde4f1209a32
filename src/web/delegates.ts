// The "Delegates" panel: who holds access to ALL of the user's calendars (calendar-proxy), add one,
// remove with a confirm step. Same gate as every page (server.ts: session cookie, CSRF token,
// Origin check on POST); every change verified by reading the groups back, like the CLI.
import type { Session } from '../session.js';
import { UsageError } from '../errors.js';
import { parseEmails } from '../sharing/identity.js';
import { RESULT_LABEL, accessLabel, type Level } from '../sharing/types.js';
import { delegate, detectDelegation, listDelegates, undelegate, type Delegate, type DelegationOutcome } from '../delegation/delegation.js';
import { html, type Html } from './html.js';

const hidden = (name: string, value: string) => html`<input type="hidden" name="${name}" value="${value}">`;

export const EVERY_CALENDAR = 'Delegation gives access to EVERY calendar of your account, also ones you make later — not to one calendar. To share a single calendar, open it from the list instead.';

export function delegatesList(csrf: string, delegates: readonly Delegate[], opts: { oob?: boolean; confirm?: Html } = {}): Html {
  const rows = delegates.map((d, i) => {
    const who = d.email ?? d.principal;
    return html`<tr data-person="${who}">
      <td class="select"><input type="checkbox" name="email" value="${who}" id="dsel-${i}"><label for="dsel-${i}" class="visually-hidden">Select ${who}</label></td>
      <td data-label="Person">${who}${d.name && d.name !== d.email ? html` <span class="name">(${d.name})</span>` : ''}</td>
      <td data-label="Access">${accessLabel(d.level)}</td>
      <td data-label="Scope">all calendars</td>
    </tr>`;
  });
  const body = delegates.length === 0
    ? html`<p class="empty">No delegates: nobody has access to all of your calendars.</p>`
    : html`<form method="post" action="delegates/remove" hx-post="delegates/remove" hx-target="#delegate-confirm">
  ${hidden('csrf', csrf)}
  <table class="sharees delegates">
    <caption>${delegates.length === 1 ? '1 person has' : `${delegates.length} people have`} access to all your calendars</caption>
    <thead><tr><th scope="col"><span class="visually-hidden">Select</span></th><th scope="col">Person</th><th scope="col">Access</th><th scope="col">Scope</th></tr></thead>
    <tbody>${rows}</tbody>
  </table>
  <button type="submit">Remove delegation…</button>
</form>`;
  return html`<section id="delegates" aria-labelledby="delegates-h"${opts.oob ? html` hx-swap-oob="true"` : ''}>
  <h2 id="delegates-h">Who has access to all your calendars</h2>
  ${body}
  <div id="delegate-confirm">${opts.confirm}</div>
</section>`;
}

function addForm(csrf: string, domain: string | undefined): Html {
  const example = `name@${domain ?? 'example.com'}`;
  return html`<section aria-labelledby="delegate-h">
  <h2 id="delegate-h">Delegate</h2>
  <form method="post" action="delegates/add" hx-post="delegates/add" hx-target="#result" hx-disabled-elt="find button">
    ${hidden('csrf', csrf)}
    <p>
      <label for="delegate-email">E-mail address</label>
      <input id="delegate-email" name="email" type="email" multiple required autocomplete="off" spellcheck="false"
        pattern="[^@\\s]+@[^@\\s]+\\.[^@\\s]+" placeholder="${example}" aria-describedby="delegate-help">
      <span id="delegate-help" class="help">Someone with an account on this server. ${EVERY_CALENDAR}</span>
    </p>
    <fieldset>
      <legend>Access to all your calendars</legend>
      <label><input type="radio" name="level" value="read" checked> View only <span class="help">— can read events in every calendar</span></label>
      <label><input type="radio" name="level" value="edit"> Edit <span class="help">— can create, change and delete events in every calendar</span></label>
    </fieldset>
    <button type="submit">Delegate all calendars</button>
  </form>
</section>`;
}

export function confirmUndelegate(csrf: string, who: string[]): Html {
  const n = who.length === 1 ? who[0]! : `${who.length} people`;
  return html`<div class="confirm" role="group" aria-labelledby="dconfirm-h">
  <h3 id="dconfirm-h">Remove delegation for ${n}?</h3>
  <ul>${who.map((e) => html`<li>${e}</li>`)}</ul>
  <p>They will no longer see or change the events of any of your calendars through delegation.</p>
  <form method="post" action="delegates/remove/confirm" hx-post="delegates/remove/confirm" hx-target="#result" hx-disabled-elt="find button">
    ${hidden('csrf', csrf)}${who.map((e) => hidden('email', e))}
    <button type="submit" class="danger" autofocus>Yes, remove delegation</button>
    <a class="button" href="delegates">Cancel</a>
  </form>
</div>`;
}

export function delegationResult(o: DelegationOutcome, verb: string): Html {
  const ok = o.mismatches.length === 0;
  return html`<div class="outcome ${ok ? 'ok' : 'bad'}" role="status">
  <h2>${ok ? `${verb}: checked by reading it back` : 'The server said yes, but reading it back shows the change did not take effect'}</h2>
  <table class="results">
    <thead><tr><th scope="col">Person</th><th scope="col">Access now</th><th scope="col">Scope</th><th scope="col">Result</th></tr></thead>
    <tbody>${o.results.map(
      (r) => html`<tr data-person="${r.email}" data-result="${r.result}"><td data-label="Person">${r.email}</td><td data-label="Access now">${accessLabel(r.after)}</td><td data-label="Scope">all calendars</td><td data-label="Result">${RESULT_LABEL[r.result]}</td></tr>`,
    )}</tbody>
  </table>
  ${ok ? '' : html`<p class="hint"><strong>What to do:</strong> reload this page to see the current state.</p>`}
</div>`;
}

/** The whole panel; where the server has no delegation, it says so instead of offering a form. */
export async function delegatesPage(session: Session, csrf: string, domain: string | undefined, slots: { result?: Html; confirm?: Html } = {}): Promise<Html> {
  const support = await detectDelegation(session);
  const head = html`<p class="back"><a href="./">← All calendars</a></p>
<h1>Delegates</h1>
<p class="hint"><strong>${EVERY_CALENDAR}</strong></p>
<div id="result" aria-live="polite">${slots.result}</div>`;
  if (!support.available) {
    return html`${head}<p class="empty">This server offers no delegation (calendar-proxy) for your account: ${support.evidence.join('; ')}. Share single calendars from the list instead.</p>`;
  }
  const { delegates } = await listDelegates(session);
  return html`${head}${delegatesList(csrf, delegates, slots.confirm ? { confirm: slots.confirm } : {})}${addForm(csrf, domain)}`;
}

function levelOf(form: URLSearchParams): Level {
  const l = form.get('level');
  if (l === 'read' || l === 'edit') return l;
  throw new UsageError('choose view-only or edit', 'Pick one of the two access levels.');
}

/** Addresses from the add form (validated again here), or delegates picked by address or principal URL. */
function whoOf(form: URLSearchParams, adding: boolean): string[] {
  const all = form.getAll('email').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (all.length === 0) throw new UsageError(adding ? 'no e-mail address given' : 'no one selected', adding ? 'Type the address of the person, e.g. bob@example.com.' : 'Tick the box in front of each delegate to remove.');
  if (adding) return parseEmails(all);
  // Delegates without a known address are named by their principal URL; those go through as-is.
  parseEmails(all.filter((a) => !/^https?:\/\//i.test(a)));
  return all;
}

export type DelegatesAction = (session: Session, form: URLSearchParams) => Promise<{ kind: 'result'; body: Html; ok: boolean } | { kind: 'confirm'; who: string[] }>;

export const DELEGATES_ACTIONS: Record<string, DelegatesAction> = {
  async '/delegates/add'(session, form) {
    const o = await delegate(session, whoOf(form, true), levelOf(form));
    return { kind: 'result', body: delegationResult(o, 'Delegated'), ok: o.mismatches.length === 0 };
  },
  async '/delegates/remove'(_session, form) {
    return { kind: 'confirm', who: whoOf(form, false) };
  },
  async '/delegates/remove/confirm'(session, form) {
    const o = await undelegate(session, whoOf(form, false));
    return { kind: 'result', body: delegationResult(o, 'Removed delegation'), ok: o.mismatches.length === 0 };
  },
};

/** On a calendar page: the delegates who reach it as well, marked "all calendars". */
export function delegatesNote(delegates: readonly Delegate[]): Html | '' {
  if (delegates.length === 0) return '';
  return html`<section id="calendar-delegates" aria-labelledby="cdel-h">
  <h2 id="cdel-h">Also has access: delegates</h2>
  <table class="sharees">
    <thead><tr><th scope="col">Person</th><th scope="col">Access</th><th scope="col">Scope</th></tr></thead>
    <tbody>${delegates.map((d) => html`<tr data-person="${d.email ?? d.principal}"><td data-label="Person">${d.email ?? d.principal}</td><td data-label="Access">${accessLabel(d.level)}</td><td data-label="Scope">all calendars</td></tr>`)}</tbody>
  </table>
  <p class="help">They reach every calendar of your account through delegation; change that on the <a href="delegates">Delegates</a> page.</p>
</section>`;
}
