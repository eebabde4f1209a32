// Whole pages: the layout every page shares, the calendar list and one calendar.
import { calendarName, type Calendar } from '../discovery/calendars.js';
import type { CalendarSharees } from '../sharing/engine.js';
import { html, type Html } from './html.js';
import { calendarHref, shareForm, shareesSection, swatch, type FormContext } from './fragments.js';
import { otherLabel, sharingOthers } from '../sharing/sharees.js';
import { accessLabel, type OtherGrantee } from '../sharing/types.js';
import { MECHANISMS } from '../sharing/registry.js';
import { prop } from '../xml/multistatus.js';

/**
 * Whether the calendar's sharing can name a group: a mechanism that has group principals
 * (Nextcloud's oc:share) answered its state property in the listing. No extra request.
 */
export const sharesWithGroups = (c: Calendar): boolean =>
  c.owned && MECHANISMS.some((m) => m.groupPrincipal && m.stateProps.some((p) => prop(c.props, p.name) !== undefined));

/**
 * htmx settings (htmx 2 reads them from this meta tag): no inline style (the CSP forbids it), no
 * eval, no scripts from swapped content, no page snapshots in localStorage, no "style" attribute
 * carried over when an element is swapped (it would be an inline style), and error answers
 * (4xx/5xx) are swapped in like any other so their plain-words explanation shows.
 */
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  historyCacheSize: 0,
  selfRequestsOnly: true,
  attributesToSettle: ['class'],
  responseHandling: [
    { code: '204', swap: false },
    { code: '[2345]..', swap: true },
    { code: '...', swap: false },
  ],
});

export interface Who {
  user: string;
  server: string;
}

// Every in-page URL is relative: server.ts serves the UI under a secret per-launch path and sets
// <base href> to it, so the session cookie (Path=that prefix) never goes to another port's server.
export function layout(title: string, csrf: string, who: Who, main: Html): Html {
  // The CSRF token rides on <body> so htmx adds it as a header to every request (htmx 2 inherits
  // hx-headers); forms also carry it in a hidden field for the page without JavaScript.
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<title>${title} · calshare</title>
<link rel="stylesheet" href="static/app.css">
<script src="static/htmx.min.js" defer></script>
<script src="static/app.js" defer></script>
</head>
<body hx-headers="${JSON.stringify({ 'x-csrf-token': csrf })}">
<header class="top"><a href="./" class="brand">calshare</a> <nav class="views"><a href="./">My calendars</a> <a href="shared">Shared with me</a></nav> <span class="who">${who.user} on ${who.server}</span></header>
<main>
${main}
</main>
</body>
</html>
`;
}

export interface ListedCalendar {
  calendar: Calendar;
  /** undefined for calendars shared with the user (only the owner may see who else has them). */
  sharees: number | undefined;
  /** Grants to no person (everyone, signed-in users, groups …): shown next to the count. */
  others?: readonly OtherGrantee[];
}

/** "nobody", "2 people", "everyone (view-only)", "1 person + group staff (edit)": free/busy only is not sharing. */
export function sharedWithText(people: number, others: readonly OtherGrantee[] = []): string {
  const wide = sharingOthers(others).map((o) => `${otherLabel(o)} (${accessLabel(o.level)})`);
  if (people === 0) return wide.length ? wide.join(' + ') : 'nobody';
  return [people === 1 ? '1 person' : `${people} people`, ...wide].join(' + ');
}

export function calendarList(items: ListedCalendar[]): Html {
  const rows = items.map(({ calendar: c, sharees, others }) => html`<tr>
    <td data-label="Calendar">${swatch(c.color)}<a href="${calendarHref(c)}">${calendarName(c)}</a></td>
    <td data-label="Owner">${c.owned ? 'you' : html`shared with you${c.ownerHref ? html` by <span class="owner">${c.ownerHref}</span>` : ''}`}</td>
    <td data-label="Shared with">${sharees === undefined ? '—' : sharedWithText(sharees, others)}</td>
  </tr>`);
  return html`<h1>Your calendars</h1>
<p class="delegates-link"><a href="delegates">Delegates</a> <span class="help">— people with access to all your calendars at once</span></p>
${
  items.length === 0
    ? html`<p>This account has no calendars.</p>`
    : html`<table class="calendars">
  <caption class="visually-hidden">Calendars, their owner and how many people they are shared with</caption>
  <thead><tr><th scope="col">Calendar</th><th scope="col">Owner</th><th scope="col">Shared with</th></tr></thead>
  <tbody>${rows}</tbody>
</table>`
}`;
}

export function calendarPage(f: FormContext, sharees: CalendarSharees, domain: string | undefined, slots: { result?: Html; confirm?: Html } = {}, directoryNote = ''): Html {
  const c = f.calendar;
  return html`<p class="back"><a href="./">← All calendars</a></p>
<h1>${swatch(c.color)}${calendarName(c)}</h1>
<p class="path">${c.url.pathname}</p>
<div id="result" aria-live="polite">${slots.result}</div>
${shareesSection(f, sharees, slots.confirm ? { confirm: slots.confirm } : {})}
${c.owned ? shareForm(f, domain, directoryNote, sharesWithGroups(c)) : ''}`;
}

/** A page for visitors without a session: no style sheet (it needs the session), no script. */
export function standalone(body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>calshare</title></head>
<body><main>${body}</main></body>
</html>
`;
}
