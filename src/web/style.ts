// The style sheet, served as /static/app.css (a separate file: the CSP allows no inline style).
// It lives in a module so the build (tsc) ships it in dist/ with no copy step.
export const STYLE = String.raw`
:root { color-scheme: light dark; --accent: #1f5fbf; --bad: #b3261e; --ok: #1e6b34; --line: #8884; font: 16px/1.5 system-ui, sans-serif; }
body { margin: 0 auto; max-width: 56rem; padding: 0 1rem 3rem; }
.top { display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: baseline; padding: .75rem 0; border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; text-decoration: none; }
.who, .path, .help { color: GrayText; }
.path { overflow-wrap: anywhere; font-family: ui-monospace, monospace; font-size: .875rem; }
h1 { overflow-wrap: anywhere; }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
td.select { width: 2.5rem; }
input[type=checkbox], input[type=radio] { width: 1.25rem; height: 1.25rem; vertical-align: middle; }
input[type=email] { display: block; width: 100%; max-width: 30rem; box-sizing: border-box; font: inherit; padding: .4rem; margin: .25rem 0; }
input:invalid:not(:placeholder-shown) { border-color: var(--bad); }
fieldset { border: 1px solid var(--line); margin: 0 0 1rem; }
fieldset label { display: block; padding: .2rem 0; }
button, .button { font: inherit; padding: .45rem 1rem; border-radius: .3rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
.button { background: transparent; color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); }
button:disabled { opacity: .6; cursor: progress; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.problem, .outcome, .confirm { border: 2px solid var(--line); border-radius: .4rem; padding: .25rem 1rem; margin: 1rem 0; }
.problem { border-color: var(--bad); }
.problem h2, .outcome.bad h2 { color: var(--bad); }
.outcome.ok { border-color: var(--ok); }
.outcome.ok h2 { color: var(--ok); }
.confirm { border-color: var(--bad); }
.hint, .message { white-space: pre-wrap; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; }
.swatch { width: .9em; height: .9em; vertical-align: -.05em; margin-right: .4em; }
.swatch.none { color: GrayText; }
.name { font-weight: 600; }
.address { overflow-wrap: anywhere; }
.tools { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; margin: .5rem 0 0; }
input[type=search], select { font: inherit; padding: .3rem .4rem; }
form.level, td.remove form { margin: 0; }
button.remove { background: transparent; color: var(--bad); border-color: var(--bad); padding: .25rem .6rem; }
td.remove { text-align: right; width: 1%; white-space: nowrap; }
.others { color: GrayText; }
tr[hidden] { display: none; }
@media (max-width: 40rem) {
  table, thead, tbody, tr, td, caption { display: block; }
  thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  tr { border-bottom: 1px solid var(--line); padding: .4rem 0; }
  td { border: 0; padding: .1rem 0; }
  td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; }
  td.select { width: auto; }
  td.remove { text-align: left; width: auto; }
  thead th:first-child { position: static; }
}
`;
