// The page's own script, served as /static/app.js (the CSP allows scripts from this origin only,
// none inline). Small conveniences on top of pages that work without it: select everyone shown,
// filter a long list of people, and clear the address field once a share went through.
export const SCRIPT = String.raw`
'use strict';
const rows = () => Array.from(document.querySelectorAll('#sharee-rows tr'));
document.addEventListener('change', (e) => {
  const t = e.target;
  if (t instanceof HTMLInputElement && t.id === 'select-all') {
    for (const tr of rows()) {
      const box = tr.querySelector('input[type=checkbox][name=email], input[type=checkbox][name=group]');
      if (box && !tr.hidden) box.checked = t.checked;
    }
  }
});
// Suggestions for the address being typed (after the last comma): people shared with before and,
// where the server allows, its directory. A plain GET of this page's own origin; the newest wins.
let suggestTimer = 0;
let suggestSeq = 0;
document.addEventListener('input', (e) => {
  const t = e.target;
  if (!(t instanceof HTMLInputElement) || t.id !== 'email') return;
  clearTimeout(suggestTimer);
  suggestTimer = setTimeout(async () => {
    const seq = ++suggestSeq;
    try {
      const res = await fetch(new URL('people?email=' + encodeURIComponent(t.value), document.baseURI), { credentials: 'same-origin' });
      if (!res.ok || seq !== suggestSeq) return;
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      const fresh = doc.getElementById('people');
      const list = document.getElementById('people');
      if (fresh && list && seq === suggestSeq) list.replaceChildren(...Array.from(fresh.children).map((o) => document.importNode(o, true)));
    } catch (_) { /* suggestions are a help only */ }
  }, 250);
});
document.addEventListener('input', (e) => {
  const t = e.target;
  if (!(t instanceof HTMLInputElement) || t.id !== 'filter-people') return;
  const q = t.value.trim().toLowerCase();
  for (const tr of rows()) {
    const text = ((tr.dataset.person || '') + ' ' + (tr.dataset.group || '') + ' ' + (tr.dataset.name || '')).toLowerCase();
    tr.hidden = q !== '' && !text.includes(q);
  }
});
// A share in flight: once its answer is in #result, the field clears (shared) or keeps only the
// addresses the server accepted (some could not be used; data-keep).
let sharing = null;
document.addEventListener('htmx:beforeRequest', (e) => {
  const elt = e.detail && e.detail.elt;
  if (elt instanceof HTMLFormElement && elt.classList.contains('share')) sharing = elt;
});
document.addEventListener('htmx:afterSettle', (e) => {
  // Only the share's own answer (into #result), not the suggestions swapped in meanwhile.
  if (!sharing || !(e.detail && e.detail.target && e.detail.target.id === 'result')) return;
  const form = sharing;
  sharing = null;
  const field = form.querySelector('input[name=email]');
  if (!field) return;
  const kept = document.querySelector('#result [data-keep]');
  if (kept) {
    field.value = kept.getAttribute('data-keep') || '';
    field.focus();
  } else if (document.querySelector('#result .outcome.ok')) {
    field.value = '';
    const group = form.querySelector('input[name=group]');
    if (group) group.value = '';
    const list = document.getElementById('people');
    if (list) list.replaceChildren();
  }
});

// The plan page: a plan file is read here and its text put into the plan field, so what is shown
// is what is sent (the server takes url-encoded forms of 64 KiB; bigger plans: calshare apply FILE).
// Its name goes along in plan-name so that a .csv is read as CSV.
const PLAN_FILE_MAX = 48 * 1024;
for (const p of document.querySelectorAll('.plan-file')) p.hidden = false;
document.addEventListener('change', async (e) => {
  const t = e.target;
  if (!(t instanceof HTMLInputElement) || t.id !== 'plan-file') return;
  const note = document.getElementById('plan-file-note');
  const field = document.getElementById('plan-text');
  const name = document.getElementById('plan-name');
  const file = t.files && t.files[0];
  if (!file || !note || !field || !name) return;
  const say = (text) => { note.textContent = text; };
  if (file.size > PLAN_FILE_MAX) {
    t.value = '';
    return say(file.name + ' is larger than ' + PLAN_FILE_MAX / 1024 + ' KiB, too large for this page: use calshare apply FILE in a terminal.');
  }
  let text;
  try {
    text = await file.text();
  } catch (_) {
    t.value = '';
    return say('Could not read ' + file.name + '.');
  }
  if (text.includes('\u0000')) {
    t.value = '';
    return say(file.name + ' is not a text file: a plan is YAML, JSON or CSV.');
  }
  field.value = text;
  name.value = file.name;
  say('Read ' + file.name + ' into the plan below; check it, then show the difference.');
});
`;
