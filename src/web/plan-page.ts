// The sharing-plan page: paste a plan or read a file (YAML, JSON or the CSV export), see the difference, apply
// it, see per-calendar and per-person verdicts. The same core as `calshare plan` / `apply`; the
// plan text travels in the form (the server takes 64 KiB forms, CSRF-checked like every POST).
import { calendarName } from '../discovery/calendars.js';
import { accessLabel, RESULT_LABEL } from '../sharing/types.js';
import type { CalendarVerdict, PlanReport } from '../plans/apply.js';
import type { Action } from '../plans/diff.js';
import { html, type Html } from './html.js';

const ACTION: Record<Action, string> = {
  add: 'to add',
  change: 'to change',
  remove: 'to remove',
  ok: 'already right',
  keep: 'left as it is',
  extra: 'not in the plan, kept (tick "remove people not in the plan" to remove)',
  unmanaged: 'not a person by address, kept',
  'not-by-plan': 'a plan does not make this (see the error below)',
};

const STATUS: Record<CalendarVerdict['status'], string> = {
  planned: 'Changes planned',
  unchanged: 'Already as planned: nothing to send',
  applied: 'Applied, verified by reading it back',
  'not-verified': 'NOT VERIFIED: the server accepted, reading it back shows otherwise',
  unsupported: 'Cannot be shared here',
  'not-found': 'Not found',
  failed: 'Failed',
};

const EXAMPLE = `calendars:
  - calendar: Work
    sharees:
      - { email: bob@example.com, level: edit }
      - { email: carol@example.com, level: view }`;

/**
 * The plan text comes from the field: pasted, or read from a file by the page's script (script.ts),
 * which puts the file's text in the field so what is shown is what is sent (forms are url-encoded,
 * 64 KiB). The file's name travels in plan-name only to tell CSV from YAML/JSON (schema.ts looksCsv).
 * Without the script the file picker stays hidden: pasting works everywhere.
 */
export function planForm(csrf: string, text = '', prune = false, fileName = ''): Html {
  return html`<p class="back"><a href="./">← All calendars</a></p>
<h1>Sharing plan</h1>
<p class="help">Say who should have which access to which calendars; calshare shows the difference from what the server says now, and applies exactly that. <code>calshare sharees --format json</code> (or csv) writes the current state as a plan to start from.</p>
<form method="post" action="plan/diff" hx-post="plan/diff" hx-target="#plan-result" class="plan">
  <input type="hidden" name="csrf" value="${csrf}">
  <input type="hidden" name="plan-name" id="plan-name" value="${fileName}">
  <p class="plan-file" hidden><label for="plan-file">Read a plan file</label>
  <input id="plan-file" type="file" accept=".yaml,.yml,.json,.csv,.txt,text/csv,application/json,application/yaml,text/yaml,text/plain">
  <span id="plan-file-note" class="help" aria-live="polite"></span></p>
  <label for="plan-text">Plan (YAML, JSON or CSV)</label>
  <textarea id="plan-text" name="plan" rows="14" spellcheck="false" placeholder="${EXAMPLE}" required>${text}</textarea>
  <label><input type="checkbox" name="prune" value="1"${prune ? html` checked` : ''}> Remove people who are not in the plan</label>
  <button type="submit">Show the difference</button>
</form>
<div id="plan-result" aria-live="polite"></div>`;
}

function verdict(v: CalendarVerdict): Html {
  const bad = ['not-verified', 'unsupported', 'not-found', 'failed'].includes(v.status);
  const results = new Map((v.outcome?.results ?? []).map((x) => [x.email.toLowerCase(), x]));
  return html`<section class="outcome ${bad ? 'bad' : 'ok'}" data-calendar="${v.calendar?.url.pathname ?? v.ref}" data-status="${v.status}">
  <h2>${v.calendar ? calendarName(v.calendar) : v.ref} <span class="path">${v.calendar?.url.pathname ?? ''}</span></h2>
  <p><strong>${STATUS[v.status]}</strong></p>
  ${v.rows.length
    ? html`<table class="results"><thead><tr><th scope="col">Person</th><th scope="col">${v.outcome ? 'Before' : 'Now'}</th><th scope="col">Plan</th><th scope="col">${v.outcome ? 'Result' : 'Action'}</th></tr></thead><tbody>
    ${v.rows.map((d) => {
      const res = d.email ? results.get(d.email.toLowerCase()) : undefined;
      return html`<tr data-person="${d.who}" data-action="${d.action}" data-result="${res?.result ?? ''}"><td data-label="Person">${d.who}</td><td data-label="Before">${accessLabel(d.now)}</td><td data-label="Plan">${accessLabel(d.want)}</td><td data-label="Result">${res ? RESULT_LABEL[res.result] : ACTION[d.action]}</td></tr>`;
    })}</tbody></table>`
    : html`<p class="empty">No one, as planned.</p>`}
  ${v.error ? html`<p class="hint"><strong>${v.error.message}</strong>${v.error.hint ? html` ${v.error.hint}` : ''}</p>` : ''}
  ${v.left ? html`<p class="hint">Left: ${v.left}.</p>` : ''}
  ${(v.outcome?.warnings ?? []).map((w) => html`<p class="hint"><strong>Warning:</strong> ${w}</p>`)}
</section>`;
}

/** The difference, and (when there is something to do) the form that applies exactly this plan. */
export function planDiff(csrf: string, report: PlanReport, text: string, prune: boolean, fileName = ''): Html {
  const todo = report.calendars.some((c) => c.status === 'planned');
  return html`${report.calendars.map(verdict)}
${todo
  ? html`<form method="post" action="plan/apply" hx-post="plan/apply" hx-target="#plan-result" class="plan-apply">
  <input type="hidden" name="csrf" value="${csrf}">
  <input type="hidden" name="plan" value="${text}">
  ${fileName ? html`<input type="hidden" name="plan-name" value="${fileName}">` : ''}
  ${prune ? html`<input type="hidden" name="prune" value="1">` : ''}
  <button type="submit">Apply these changes</button>
</form>`
  : html`<p>Nothing to change.</p>`}`;
}

export function planApplied(report: PlanReport): Html {
  const failed = report.calendars.filter((c) => ['not-verified', 'unsupported', 'not-found', 'failed'].includes(c.status)).length;
  return html`<p role="status"><strong>${failed ? `${failed} of ${report.calendars.length} calendar(s) were not changed as planned; the others were.` : 'Done: every calendar matches the plan.'}</strong></p>
${report.calendars.map(verdict)}`;
}
