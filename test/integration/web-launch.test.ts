// Issue 11 §4: the local web UI cannot be borrowed. In real chromium: the opener's command line
// holds no token and no secret path (a fake xdg-open records its argv and environment), neither
// it nor the browser gets CALSHARE_PASSWORD, the one-time page it is given signs the browser in,
// and a server on another 127.0.0.1 port never receives the session cookie.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, type Browser } from '../helpers/browser.js';
import { HostileDav } from '../helpers/hostile-dav.js';
import { CYRUS, ROOT, USERS, ensureStaging } from '../helpers/staging.js';

let child: ChildProcess;
let browser: Browser;
let other: HostileDav;
let launchUrl: URL;
let recorded: { argv: string[]; env: string };
const bin = mkdtempSync(join(tmpdir(), 'calshare-opener-'));

before(async () => {
  ensureStaging('cyrus');
  // The desktop opener, replaced: it writes down what any local process could read in /proc.
  writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${bin}/argv"\nenv > "${bin}/env"\n`, { mode: 0o700 });
  chmodSync(join(bin, 'xdg-open'), 0o700);
  other = await HostileDav.start();
  other.routes.push((_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>other</title><p>another local server'));
  child = spawn(process.execPath, [`${ROOT}/dist/cli/main.js`, 'ui', '--port', '0', '--url', CYRUS.url, '--username', 'alice'], {
    env: { ...process.env, NO_COLOR: '1', CALSHARE_PASSWORD: USERS.alice, PATH: `${bin}:${process.env.PATH}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  launchUrl = await new Promise<URL>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('http://'));
      if (line) resolve(new URL(line.trim()));
    });
    child.on('exit', (code) => reject(new Error(`calshare ui exited ${code}: ${err}`)));
  });
  for (let i = 0; i < 200 && !existsSync(join(bin, 'env')); i++) await new Promise((r) => setTimeout(r, 100));
  recorded = { argv: readFileSync(join(bin, 'argv'), 'utf8').trim().split('\n'), env: readFileSync(join(bin, 'env'), 'utf8') };
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (child && child.exitCode === null) child.kill('SIGTERM');
  await other?.close();
});

test('the opener gets a private one-time file: no token, no secret path, no password in its argv or environment', () => {
  const token = launchUrl.searchParams.get('t')!;
  const secretPath = launchUrl.pathname.replace(/\//g, '');
  assert.equal(recorded.argv.length, 1);
  const arg = recorded.argv[0]!;
  assert.match(arg, /^file:\/\//);
  for (const secret of [token, secretPath, USERS.alice]) assert.equal(arg.includes(secret), false, 'argv holds no secret');
  assert.doesNotMatch(recorded.env, /CALSHARE_/, 'no calshare variable reaches the opener or the browser');
  assert.equal(recorded.env.includes(USERS.alice), false);
  const file = fileURLToPath(arg);
  assert.equal(readFileSync(file, 'utf8').includes(token), true, 'the token is in the file, readable by the user only');
});

test('in chromium the one-time page signs in, and another 127.0.0.1 port never receives the cookie', async () => {
  const page = await browser.context.newPage();
  await page.goto(recorded.argv[0]!);
  await page.getByRole('heading', { name: 'Your calendars' }).waitFor();
  const base = launchUrl.origin + launchUrl.pathname;
  assert.equal(page.url(), base, 'the token is gone from the address bar');
  assert.equal(existsSync(fileURLToPath(recorded.argv[0]!)), false, 'the one-time file is gone once used');
  const cookies = await browser.context.cookies(base);
  assert.ok(cookies.some((c) => c.name.startsWith('calshare_ui_') && c.httpOnly && c.path === launchUrl.pathname));

  // Another local server, as pages in the same browser would reach it.
  for (const path of ['/', '/calendar', '/static/app.css', '/anything/else']) await page.goto(new URL(path, other.url).href);
  await page.goto(`http://localhost:${other.port}/`);
  const cookieHeaders = other.seen.map((s) => String(s.headers.cookie ?? ''));
  assert.ok(other.seen.length >= 5, 'the other server was visited');
  assert.deepEqual(cookieHeaders.filter((c) => c.includes('calshare_ui_')), [], 'no calshare cookie reached the other port');
});
