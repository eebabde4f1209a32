// The README's pictures and console example, made from a demo account on staging Cyrus (run by
// scripts/screenshots.sh after the server and the demo users exist). Every run brings the account
// to the same state first, so re-running converges and the pictures only change when calshare does:
//   1. maria's calendars Work, Family, On-call (+ her Default, named Personal): display name and
//      colour set by MKCALENDAR or, when they exist, PROPPATCH.
//   2. Who has what, by `calshare apply demo-plan.yaml --yes --prune` (calshare itself does the
//      sharing, so the pictures show what it really reads back).
//   3. The console example: real output of real commands, written between markers in README.md.
//   4. `calshare ui` in Debian's chromium: a wide and a narrow window, PNGs in docs/screenshots/.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CYRUS, ROOT } from '../test/helpers/staging.js';
import { dav } from '../test/helpers/dav.js';
import { launchBrowser, startUi } from '../test/helpers/browser.js';

const OWNER = 'maria';
const me = { user: OWNER, password: `${OWNER}-pw` };
const SHOTS = join(ROOT, 'docs/screenshots');
const README = join(ROOT, 'README.md');
const CLI = join(ROOT, 'dist/cli/main.js');
const at = (u: string) => `${u}@${CYRUS.domain}`;

/** path segment -> [display name, colour (Apple's calendar-color, #RRGGBBAA as iCloud writes it)]. */
const CALENDARS: [string, string, string][] = [
  ['Default', 'Personal', '#8E8E93FF'],
  ['work', 'Work', '#1D6FD6FF'],
  ['family', 'Family', '#2E9E4FFF'],
  ['on-call', 'On-call', '#D9480FFF'],
];

/** The fixed state (people absent here lose their access: --prune). */
const PLAN = `# The demo account behind the README's screenshots (scripts/screenshots.ts).
calendars:
  - calendar: Work
    sharees:
      - { email: ${at('tom')}, level: edit }
      - { email: ${at('lena')}, level: view }
      - { email: ${at('jonas')}, level: view }
  - calendar: Family
    sharees:
      - { email: ${at('tom')}, level: edit }
  - calendar: On-call
    sharees:
      - { email: ${at('jonas')}, level: edit }
      - { email: ${at('lena')}, level: view }
  - calendar: Personal
    sharees: []
`;

const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const props = (name: string, colour: string) =>
  `<d:prop><d:displayname>${xmlText(name)}</d:displayname><a:calendar-color>${colour}</a:calendar-color></d:prop>`;
const NS = 'xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:a="http://apple.com/ns/ical/"';

async function ensureCalendars(): Promise<void> {
  for (const [seg, name, colour] of CALENDARS) {
    const url = `${CYRUS.home(OWNER)}${seg}/`;
    const found = await dav(me, 'PROPFIND', url, undefined, { depth: '0' });
    if (found.status === 404) {
      const mk = await dav(me, 'MKCALENDAR', url, `<?xml version="1.0" encoding="utf-8"?><c:mkcalendar ${NS}><d:set>${props(name, colour)}</d:set></c:mkcalendar>`);
      if (mk.status !== 201) throw new Error(`MKCALENDAR ${url}: ${mk.status}`);
    } else {
      const pp = await dav(me, 'PROPPATCH', url, `<?xml version="1.0" encoding="utf-8"?><d:propertyupdate ${NS}><d:set>${props(name, colour)}</d:set></d:propertyupdate>`);
      if (pp.status !== 207) throw new Error(`PROPPATCH ${url}: ${pp.status}`);
    }
  }
}

/** Runs the built CLI as maria, the way a person with a saved account would (no flags for the server). */
function calshare(args: string[], env: Record<string, string>): string {
  try {
    return execFileSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    throw new Error(`calshare ${args.join(' ')} exited ${err.status}:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

/** Replaces what stands between <!-- demo:NAME --> and <!-- /demo:NAME --> in the README. */
function splice(readme: string, name: string, body: string): string {
  const open = `<!-- demo:${name} -->\n`;
  const close = `<!-- /demo:${name} -->`;
  const a = readme.indexOf(open);
  const b = readme.indexOf(close, a);
  if (a < 0 || b < 0) throw new Error(`README.md has no ${open.trim()} … ${close} block`);
  return readme.slice(0, a + open.length) + body + readme.slice(b);
}

async function main(): Promise<void> {
  await ensureCalendars();
  const home = await mkdtemp(join(tmpdir(), 'calshare-shots-'));
  try {
    // CALSHARE_URL/USERNAME stand in for a saved account; the password comes from the environment
    // as in CI (never argv). An empty config dir: nothing from whoever runs this leaks in.
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      XDG_CONFIG_HOME: home,
      NO_COLOR: '1',
      COLUMNS: '100',
      CALSHARE_URL: CYRUS.url,
      CALSHARE_USERNAME: OWNER,
      CALSHARE_PASSWORD: me.password,
    };
    const plan = join(home, 'demo-plan.yaml');
    await writeFile(plan, PLAN);
    calshare(['apply', plan, '--yes', '--prune'], env);
    // Some invitations answered, as people do (accepting again is a no-op, so this converges too).
    for (const [who, cals] of [['tom', ['Work', 'Family']], ['jonas', ['On-call']]] as const) {
      for (const c of cals) calshare(['accept', c], { ...env, CALSHARE_USERNAME: who, CALSHARE_PASSWORD: `${who}-pw` });
    }

    // The console example: share with one more person, list, take it back (ends in the plan's state).
    const shown: [string, string[]][] = [
      ['calshare share On-call priya@example.test --view', ['share', 'On-call', at('priya'), '--view']],
      ['calshare sharees On-call', ['sharees', 'On-call']],
      ['calshare unshare On-call priya@example.test --yes', ['unshare', 'On-call', at('priya'), '--yes']],
      ['calshare calendars', ['calendars']],
    ];
    let block = '```console\n';
    for (const [line, args] of shown) block += `$ ${line}\n${calshare(args, env).trimEnd()}\n\n`;
    block = block.trimEnd() + '\n```\n';
    if (/\bt-[0-9a-f]{8}\b/.test(block)) throw new Error(`test debris in the demo output:\n${block}`);
    await writeFile(README, splice(await readFile(README, 'utf8'), 'console', block));
    calshare(['apply', plan, '--yes', '--prune'], env); // in case a step above left anything

    await mkdir(SHOTS, { recursive: true });
    const ui = await startUi(OWNER);
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 1100, height: 440 }); // fullPage grows it to the content
      await page.goto(ui.launchUrl);
      await page.getByRole('heading', { name: 'Your calendars' }).waitFor();
      await page.screenshot({ path: join(SHOTS, 'calendar-list.png'), fullPage: true });
      await page.getByRole('link', { name: 'Work', exact: true }).click();
      await page.locator(`#sharees tbody tr[data-person="${at('tom')}"]`).waitFor();
      await page.screenshot({ path: join(SHOTS, 'calendar-sharees.png'), fullPage: true });
      // A phone-sized window: the tables turn into labelled rows.
      await page.setViewportSize({ width: 390, height: 600 });
      await page.screenshot({ path: join(SHOTS, 'calendar-sharees-narrow.png'), fullPage: true });
    } finally {
      await browser.close();
      await ui.stop();
    }
    process.stdout.write(`screenshots: ${SHOTS}/calendar-list.png, calendar-sharees.png, calendar-sharees-narrow.png and README.md's console example\n`);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

await main();
