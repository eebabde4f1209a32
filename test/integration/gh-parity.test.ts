// gh parity at the real CLI against staging Cyrus: --help shows the inherited global flags,
// --json takes a field list, tables fit a narrow terminal, and a reader that goes away ends
// calshare quietly.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { before, test } from 'node:test';
import { promisify } from 'node:util';
import { as, calshare } from '../helpers/cli.js';
import { deleteCalendar, freshCalendar } from '../helpers/dav.js';
import { CYRUS, ROOT, USERS, ensureStaging } from '../helpers/staging.js';
import { Tty } from '../helpers/tty.js';

const run = promisify(execFile);
const alice = as('alice', CYRUS.url);

before(() => ensureStaging('cyrus'));

test('every command --help lists the global flags it inherits', async () => {
  for (const cmd of ['share', 'unshare', 'sharees', 'calendars', 'login']) {
    const r = await calshare([cmd, '--help']);
    assert.equal(r.code, 0, r.stderr);
    const globals = r.stdout.slice(r.stdout.indexOf('Global Options:'));
    for (const flag of ['--url', '--username', '--account', '--json', '--verbose', '--ca-file']) assert.match(globals, new RegExp(flag), `${cmd} --help: ${flag}`);
  }
});

test('--json FIELDS keeps only those fields; an unknown field is exit 2 naming the available ones', async () => {
  const cal = await freshCalendar('alice');
  try {
    const r = await alice(['calendars', '--json', 'name,url']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { calendars: Record<string, unknown>[] };
    const mine = doc.calendars.find((c) => c.name === cal.name);
    assert.deepEqual(mine, { name: cal.name, url: cal.url });
    const eq = JSON.parse((await alice(['calendars', '--json=url'])).stdout) as { calendars: Record<string, unknown>[] };
    assert.ok(eq.calendars.every((c) => Object.keys(c).join() === 'url'));
    const bad = await alice(['calendars', '--json', 'name,colour']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown JSON field: colour/);
    assert.match(bad.stderr, /Available fields: .*sharedWith/);
    // A bare --json before a calendar argument still means the whole document.
    const whole = await alice(['sharees', '--json', cal.name]);
    assert.equal(whole.code, 0, whole.stderr);
    assert.equal((JSON.parse(whole.stdout) as { calendars: { name: string }[] }).calendars[0]!.name, cal.name);
  } finally {
    await deleteCalendar('alice', cal.url);
  }
});

test('a closed pipe ends calshare quietly (no EPIPE trace), exit 0', async () => {
  // `true` exits at once, so calshare's table is written into a pipe nobody reads.
  const script = `"${process.execPath}" "${ROOT}/dist/cli/main.js" calendars --url ${CYRUS.url} --username alice 2>"$ERR_FILE" | true; echo "\${PIPESTATUS[0]}"; cat "$ERR_FILE"`;
  const { stdout } = await run('bash', ['-c', script], { env: { ...process.env, CALSHARE_PASSWORD: USERS.alice, ERR_FILE: `/tmp/calshare-epipe-${process.pid}.err` } });
  const [status, ...stderr] = stdout.split('\n');
  assert.equal(status, '0', stdout);
  // alice is a shared account: other tests may leave her calendar home granting people, and then
  // calendars prints its one-line 'note: "from home" …' to stderr. That note is the only thing
  // allowed there: no EPIPE, no stack trace, no error line.
  const err = stderr.join('\n');
  assert.doesNotMatch(err, /EPIPE|^\s+at |error/im, `no EPIPE, stack trace or error on stderr:\n${err}`);
  assert.deepEqual(stderr.filter((l) => l.trim() !== '' && !l.startsWith('note: ')), [], `stderr holds nothing but informational notes:\n${err}`);
});

test('on a 60-column terminal the calendars table fits, headers whole', async () => {
  const cal = await freshCalendar('alice', `Long name for a narrow terminal ${Math.random().toString(36).slice(2, 8)}`.replace(/ /g, '-'));
  const t = await Tty.start(['calendars', '--url', CYRUS.url, '--username', 'alice'], { CALSHARE_PASSWORD: USERS.alice, NO_COLOR: '1' }, 60);
  try {
    assert.equal(await t.exitCode(), 0, await t.screen());
    const lines = (await t.screen()).split('\n');
    const header = lines.find((l) => l.startsWith('NAME'))!;
    assert.match(header, /^NAME\s+WHOSE\s+OWNER\s+YOUR ACCESS\s+SHARED WITH\s+URL$/);
    // With six columns in 60, the name itself is cut too ("Long-nam…").
    const row = lines.find((l) => l.startsWith('Long-'))!;
    assert.ok(row && row.length <= 60 && row.includes('…'), `cut to fit: ${row}\n${lines.join('\n')}`);
  } finally {
    await t.kill();
    await deleteCalendar('alice', cal.url);
  }
});
