// The parts of the calendar page that htmx replaces: who has access (with revoke), the share
// form, the confirm step and a verified result. Each is whole on its own, so the same markup
// serves an htmx swap and a full page load without JavaScript.
import { calendarName, type Calendar } from '../discovery/calendars.js';
import type { CalendarSharees, ChangeOutcome } from '../sharing/engine.js';
import { HOME_ADVICE, grantedBy } from '../sharing/home-grants.js';
import { RESULT_LABEL, accessLabel, type Sharee } from '../sharing/types.js';
import { otherLine, sharingOthers } from '../sharing/sharees.js';
import { html, type Html } from './html.js';
import type { Guidance } from '../invitations/steps.js';

const lvl = accessLabel;
export const calendarHref = (c: Calendar) => `calendar?path=${encodeURIComponent(c.url.pathname)}`;

const hidden = (name: string, value: string) => html`<input type="hidden" name="${name}" value="${value}">`;

export interface FormContext {
  csrf: string;
  calendar: Calendar;
}

/** A calendar colour as an SVG dot: a presentation attribute, which the CSP (no inline style) allows. */
export function swatch(color: string | undefined): Html {
  // CalDAV servers send #RRGGBB or #RRGGBBAA (Apple's calendar-color); anything else is not drawn.
  const c = color && /^#[0-9a-f]{6}([0-9a-f]{2})?$/i.test(color.trim()) ? color.trim() : undefined;
  return c ? html`<svg class="swatch" viewBox="0 0 10 10" aria-hidden="true" focusable="false"><circle cx="5" cy="5" r="5" fill="${c}"></circle></svg>` : html`<svg class="swatch none" viewBox="0 0 10 10" aria-hidden="true" focusable="false"><circle cx="5" cy="5" r="4" fill="none" stroke="currentColor"></circle></svg>`;
}

/** A sharee the page can change: a person by address, or a group by name (`field` is the form field). */
interface Target {
  field: 'email' | 'group';
  value: string;
  /** How the page names them: the address, or "group NAME". */
  label: string;
}

const targetOf = (s: Sharee): Target | undefined =>
  s.group !== undefined ? { field: 'group', value: s.group, label: `group ${s.group}` } : s.email ? { field: 'email', value: s.email, label: s.email } : undefined;

/** The per-sharee level selector: a change is sent at once (htmx) or with the Apply button (no script). */
function levelControl(f: FormContext, t: Target, level: Sharee['level'], i: number): Html {
  const opt = (value: string, label: string) => html`<option value="${value}"${level === value ? html` selected` : ''}>${label}</option>`;
  return html`<form method="post" action="calendar/level" hx-post="calendar/level" hx-trigger="change" hx-target="#result" class="level">
        ${hidden('path', f.calendar.url.pathname)}${hidden('csrf', f.csrf)}${hidden(t.field, t.value)}
        <label for="level-${i}" class="visually-hidden">Access for ${t.label}</label>
        <select id="level-${i}" name="level">${level === 'other' ? html`<option value="" selected disabled>${lvl('other')}</option>` : ''}${opt('read', lvl('read'))}${opt('edit', lvl('edit'))}</select>
        <noscript><button type="submit">Apply</button></noscript>
      </form>`;
}

export function shareesSection(f: FormContext, listed: CalendarSharees, opts: { oob?: boolean; confirm?: Html } = {}): Html {
  const { calendar } = f;
  const { sharees, fromHome } = listed;
  const others = listed.others ?? [];
  const rows = sharees.map((s, i) => {
    const t = targetOf(s);
    const who = t?.label ?? s.principal ?? 'someone the server does not name';
    // A group is a row of its own kind (data-group), named as a group: everyone in it has this access.
    const name = s.group !== undefined ? '' : s.name && s.name !== s.email ? s.name : '';
    return html`<tr data-person="${s.group !== undefined ? '' : who}"${s.group !== undefined ? html` data-group="${s.group}"` : ''} data-name="${name}" data-level="${lvl(s.level)}">
      <td class="select">${
        t
          ? html`<input type="checkbox" form="bulk" name="${t.field}" value="${t.value}" id="sel-${i}"><label for="sel-${i}" class="visually-hidden">Select ${who}</label>`
          : html`<span title="calshare can change only people it can name by address, and groups by name">—</span>`
      }</td>
      <td data-label="Person">${name ? html`<span class="name">${name}</span> ` : ''}<span class="address">${who}</span>${s.group !== undefined ? html` <span class="help">— everyone in the group</span>` : ''}</td>
      <td data-label="Access" data-level="${lvl(s.level)}">${t ? levelControl(f, t, s.level, i) : lvl(s.level)}</td>
      <td data-label="Invitation">${s.status ?? '—'}</td>
      <td data-label="Granted by">${grantedBy(s, fromHome)}</td>
      <td class="remove">${
        t
          ? html`<form method="post" action="calendar/remove" hx-post="calendar/remove" hx-target="#result">${hidden('path', calendar.url.pathname)}${hidden('csrf', f.csrf)}${hidden(t.field, t.value)}<button type="submit" class="remove" aria-label="Remove ${who}" title="Remove ${who}">Remove</button></form>`
          : ''
      }</td>
    </tr>`;
  });
  const groups = sharees.filter((s) => s.group !== undefined).length;
  const people = sharees.length - groups;
  const caption = [people ? (people === 1 ? '1 person' : `${people} people`) : '', groups ? (groups === 1 ? '1 group' : `${groups} groups`) : ''].filter(Boolean).join(' and ');
  const body = !calendar.owned
    ? html`<p>This calendar is shared with you; only its owner can see and change who has access.</p>`
    : sharees.length === 0
      ? sharingOthers(others).length
        ? ''
        : html`<p class="empty">Not shared with anyone.</p>`
      : html`<form id="bulk" method="post" action="calendar/revoke" hx-post="calendar/revoke" hx-target="#revoke-confirm">${hidden('path', calendar.url.pathname)}${hidden('csrf', f.csrf)}</form>
  <p class="tools"><label><input type="checkbox" id="select-all"> Select all shown</label> <label for="filter-people">Filter</label> <input id="filter-people" type="search" autocomplete="off" placeholder="name or address" aria-controls="sharee-rows"></p>
  <table class="sharees">
    <caption>${caption} ${sharees.length === 1 ? 'has' : 'have'} access</caption>
    <thead><tr><th scope="col"><span class="visually-hidden">Select</span></th><th scope="col">Person</th><th scope="col">Access</th><th scope="col">Invitation</th><th scope="col">Granted by</th><th scope="col"><span class="visually-hidden">Remove</span></th></tr></thead>
    <tbody id="sharee-rows">${rows}</tbody>
  </table>
  <button type="submit" form="bulk">Remove selected…</button>`;
  return html`<section id="sharees" aria-labelledby="sharees-h"${opts.oob ? html` hx-swap-oob="true"` : ''}>
  <h2 id="sharees-h">Who has access</h2>
  ${body}
  ${fromHome.size ? html`<p class="hint"><strong>Inherited from the calendar home:</strong> ${HOME_ADVICE}</p>` : ''}
  ${others.length ? html`<p class="others"><strong>Also:</strong> ${others.map((o, i) => html`${i ? '; ' : ''}<span data-grantee="${o.kind}">${otherLine(o)}</span>`)} <span class="help">(not a person: calshare leaves these grants as they are)</span></p>` : ''}
  <div id="revoke-confirm">${opts.confirm}</div>
</section>`;
}

/** The address field; `value` keeps the good addresses after a share that named bad ones. */
export function emailField(domain: string | undefined, value = '', oob = false, required = true): Html {
  const example = `name@${domain ?? 'example.com'}`;
  return html`<input id="email" name="email" type="email" multiple${required ? html` required` : ''} autocomplete="off" spellcheck="false" list="people" value="${value}"
        pattern="[^@\\s]+@[^@\\s]+\\.[^@\\s]+" placeholder="${example}" aria-describedby="email-help directory-note"${oob ? html` hx-swap-oob="true"` : ''}>`;
}

export function peopleList(people: readonly { email: string; name: string | undefined }[]): Html {
  return html`<datalist id="people">${people.map((p) => html`<option value="${p.email}">${p.name ? `${p.name} <${p.email}>` : p.email}</option>`)}</datalist>`;
}

/**
 * The share form. `groups`: the calendar's sharing dialect can name a group (Nextcloud's oc:share),
 * so a group field is offered next to the address field, and either one is enough.
 */
export function shareForm(f: FormContext, domain: string | undefined, directory: string, groups = false): Html {
  const example = `name@${domain ?? 'example.com'}`;
  return html`<section aria-labelledby="share-h">
  <h2 id="share-h">Share</h2>
  <form method="post" action="calendar/share" hx-post="calendar/share" hx-target="#result" hx-disabled-elt="find button[type=submit]" hx-disinherit="hx-disabled-elt" class="share">
    ${hidden('path', f.calendar.url.pathname)}${hidden('csrf', f.csrf)}
    <p>
      <label for="email">E-mail address</label>
      ${emailField(domain, '', false, !groups)}
      ${peopleList([])}
      <span id="email-help" class="help">Someone with an account on this server, e.g. ${example}. Separate several with commas.</span>
      <span id="directory-note" class="help">${directory}</span>
    </p>
    ${
      groups
        ? html`<p>
      <label for="group">Group</label>
      <input id="group" name="group" type="text" autocomplete="off" spellcheck="false" aria-describedby="group-help">
      <span id="group-help" class="help">Or a group of this server, by its name as the server shows it (e.g. Team A): everyone in it gets this access.</span>
    </p>`
        : ''
    }
    <fieldset>
      <legend>Access</legend>
      <label><input type="radio" name="level" value="read" checked> View only <span class="help">— can read events</span></label>
      <label><input type="radio" name="level" value="edit"> Edit <span class="help">— can create, change and delete events</span></label>
    </fieldset>
    <button type="submit">Share</button>
  </form>
</section>`;
}

export function confirmRevoke(f: FormContext, emails: string[], groups: string[] = []): Html {
  const all = [...emails, ...groups.map((g) => `group ${g}`)];
  const n = all.length === 1 ? all[0]! : groups.length ? `${all.length} people and groups` : `${all.length} people`;
  return html`<div class="confirm" role="group" aria-labelledby="confirm-h">
  <h3 id="confirm-h">Remove access for ${n}?</h3>
  <ul>${all.map((e) => html`<li>${e}</li>`)}</ul>
  <p>They will no longer see or change the events of “${calendarName(f.calendar)}”${groups.length ? ' (a group: everyone in it, unless shared with them directly)' : ''}.</p>
  <form method="post" action="calendar/revoke/confirm" hx-post="calendar/revoke/confirm" hx-target="#result" hx-disabled-elt="find button">
    ${hidden('path', f.calendar.url.pathname)}${hidden('csrf', f.csrf)}${emails.map((e) => hidden('email', e))}${groups.map((g) => hidden('group', g))}
    <button type="submit" class="danger" autofocus>Yes, remove access</button>
    <a class="button" href="${calendarHref(f.calendar)}">Cancel</a>
  </form>
</div>`;
}

const WORD = RESULT_LABEL;

/** Per person: where they will find the calendar in their own app, or what they must do first. */
export function nextSteps(next: ReadonlyMap<string, Guidance> | undefined): Html | '' {
  if (!next?.size) return '';
  return html`<section class="next-steps" aria-labelledby="next-h">
  <h3 id="next-h">Where they find it in their own calendar app</h3>
  <ul>${[...next].map(([who, g]) => html`<li data-person="${who}" data-step="${g.step}">${g.text}</li>`)}</ul>
</section>`;
}

export function resultBox(o: ChangeOutcome, verb: 'Shared' | 'Removed access' | 'Access changed', next?: ReadonlyMap<string, Guidance>): Html {
  const ok = o.mismatches.length === 0;
  return html`<div class="outcome ${ok ? 'ok' : 'bad'}" role="status">
  <h2>${ok ? `${verb}: checked by reading it back` : 'The server said yes, but reading it back shows the change did not take effect'}</h2>
  <table class="results">
    <thead><tr><th scope="col">Person</th><th scope="col">Access now</th><th scope="col">Result</th><th scope="col">Invitation</th></tr></thead>
    <tbody>${o.results.map(
      (r) => html`<tr ${r.group !== undefined ? html`data-group="${r.group}"` : html`data-person="${r.email}"`} data-result="${r.result}"><td data-label="Person">${r.group !== undefined ? `group ${r.group}` : r.email}</td><td data-label="Access now">${lvl(r.after)}</td><td data-label="Result">${WORD[r.result]}</td><td data-label="Invitation">${r.status ?? '—'}</td></tr>`,
    )}</tbody>
  </table>
  ${nextSteps(next)}
  ${ok ? '' : html`<p class="hint"><strong>What to do:</strong> reload this page to see the current state; the server may need its administrator to allow this kind of sharing.</p>`}
  ${o.warnings.map((w) => html`<p class="hint"><strong>Warning:</strong> ${w}</p>`)}
</div>`;
}
