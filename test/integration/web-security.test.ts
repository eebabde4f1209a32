// The local web server's defences, probed over plain HTTP against the real `calshare ui` process:
// every refused request is followed by proof, read as the owner and as the would-be sharee over
// CalDAV, that nothing changed; a correct request then succeeds, so the refusals are not accidents.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { networkInterfaces } from 'node:os';
import { CYRUS, USERS, ensureStaging } from '../helpers/staging.js';
import { canRead, deleteCalendar, freshCalendar, rawAcl } from '../helpers/dav.js';
import { startUi, type RunningUi } from '../helpers/browser.js';

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let ui: RunningUi;
let cal: { url: string; name: string; eventUrl: string };
let calPath: string;
let cookie = '';
let csrf = '';
let aclBefore = '';
const bob = `bob@${CYRUS.domain}`;

/** A request to a path of the UI (under its secret prefix unless the path already is). */
function send(method: string, path: string, o: { host?: string; headers?: Record<string, string>; body?: string; address?: string } = {}): Promise<Res> {
  const prefix = new URL(ui.base).pathname;
  const full = path.startsWith(prefix) ? path : prefix + path.replace(/^\//, '');
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: o.address ?? '127.0.0.1', port: ui.port, method, path: full, headers: { host: o.host ?? `127.0.0.1:${ui.port}`, ...o.headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/** A request to exactly this path, not under the UI's prefix. */
function sendRaw(method: string, path: string, headers: Record<string, string>): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: ui.port, method, path, headers: { host: `127.0.0.1:${ui.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A share POST as the page would send it; each test spoils one part. */
function sharePost(o: { origin?: string | null; csrfHeader?: string | null; fields?: Record<string, string>; extra?: Record<string, string> } = {}) {
  const fields = { path: calPath, email: bob, level: 'read', ...o.fields };
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', cookie, 'hx-request': 'true', ...o.extra };
  const origin = o.origin === undefined ? `http://127.0.0.1:${ui.port}` : o.origin;
  if (origin !== null) headers.origin = origin;
  const token = o.csrfHeader === undefined ? csrf : o.csrfHeader;
  if (token !== null) headers['x-csrf-token'] = token;
  return send('POST', '/calendar/share', { headers, body: new URLSearchParams(fields).toString() });
}

async function assertNothingChanged(): Promise<void> {
  assert.equal(await rawAcl('alice', cal.url), aclBefore, "the calendar's ACL is unchanged");
  assert.equal(await canRead('bob', cal.url, cal.eventUrl), false, 'bob still cannot read');
}

before(async () => {
  ensureStaging('cyrus');
  cal = await freshCalendar('alice');
  calPath = new URL(cal.url).pathname;
  aclBefore = await rawAcl('alice', cal.url);
  ui = await startUi('alice');
});

after(async () => {
  if (ui && ui.child.exitCode === null) await ui.stop();
  if (cal) await deleteCalendar('alice', cal.url);
});

const launchPath = () => new URL(ui.launchUrl).pathname + new URL(ui.launchUrl).search;

test('a foreign Host is refused before the launch token is even looked at (DNS rebinding)', async () => {
  for (const host of [`evil.example:${ui.port}`, `127.0.0.1:${ui.port + 1}`, `127.0.0.1`, `localhost.evil.example:${ui.port}`, `[::1]:${ui.port}`]) {
    const r = await send('GET', launchPath(), { host });
    assert.equal(r.status, 421, `Host: ${host}`);
    assert.equal(r.headers['set-cookie'], undefined);
  }
});

test('the launch token gives one HttpOnly SameSite=Strict cookie, once, and a clean address', async () => {
  const r = await send('GET', launchPath());
  const prefix = new URL(ui.base).pathname;
  assert.equal(r.status, 200);
  assert.ok(r.body.includes(`<meta http-equiv="refresh" content="0;url=${prefix}">`), 'the page moves on to the UI, without the token');
  const set = String(r.headers['set-cookie']);
  // Path = the secret prefix: no other server on 127.0.0.1 ever receives the cookie (issue 11 §4).
  assert.match(set, new RegExp(`^calshare_ui_${ui.port}=[A-Za-z0-9_-]{43}; Path=${prefix}; Max-Age=43200; HttpOnly; SameSite=Strict$`));
  assert.match(prefix, /^\/[A-Za-z0-9_-]{43}\/$/);
  cookie = set.split(';')[0]!;
  const again = await send('GET', launchPath());
  assert.equal(again.status, 403, 'the launch link works once');
  assert.equal(again.headers['set-cookie'], undefined);

  const page = await send('GET', '/', { headers: { cookie } });
  assert.equal(page.status, 200);
  csrf = /x-csrf-token&quot;:&quot;([A-Za-z0-9_-]+)&quot;/.exec(page.body)?.[1] ?? '';
  assert.equal(csrf.length, 43, 'the page carries a CSRF token for htmx');
});

test('without the launch token or its cookie every page is refused', async () => {
  const token = new URL(ui.launchUrl).searchParams.get('t')!;
  const wrong = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
  for (const path of ['/', `/?t=${wrong}`, '/?t=', `/calendar?path=${encodeURIComponent(calPath)}`]) {
    assert.equal((await send('GET', path)).status, 403, path);
    assert.equal((await send('GET', path, { headers: { cookie: `calshare_ui_${ui.port}=${wrong}` } })).status, 403, `${path} with a made-up cookie`);
  }
  const post = await sharePost({ extra: { cookie: '' } });
  assert.equal(post.status, 403);
  // Outside the secret prefix nothing answers, whatever the cookie (the launch path without it too).
  for (const path of ['/', `/?t=${token}`, '/calendar', '/static/app.css']) {
    const r = await sendRaw('GET', path, { cookie });
    assert.equal(r.status, 404, path);
    assert.equal(r.headers['set-cookie'], undefined);
  }
  await assertNothingChanged();
});

test('a foreign Host is refused even with a valid cookie', async () => {
  assert.equal((await send('GET', '/', { host: `evil.example:${ui.port}`, headers: { cookie } })).status, 421);
  const r = await send('POST', '/calendar/share', {
    host: `evil.example:${ui.port}`,
    headers: { cookie, 'x-csrf-token': csrf, origin: `http://evil.example:${ui.port}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ path: calPath, email: bob, level: 'read' }).toString(),
  });
  assert.equal(r.status, 421);
  await assertNothingChanged();
});

test('every answer has the CSP, no-store and no-framing headers; no secret reaches the page', async () => {
  for (const path of ['/', `/calendar?path=${encodeURIComponent(calPath)}`, '/static/app.css', '/nowhere']) {
    const r = await send('GET', path, { headers: { cookie } });
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /(^|; )default-src 'self'(;|$)/, path);
    assert.match(csp, /(^|; )frame-ancestors 'none'(;|$)/, path);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
    assert.equal(r.headers['cache-control'], 'no-store', path);
    assert.equal(r.headers['x-frame-options'], 'DENY', path);
    assert.equal(r.headers['referrer-policy'], 'no-referrer', path);
    for (const secret of [USERS.alice, Buffer.from(`alice:${USERS.alice}`).toString('base64'), new URL(ui.launchUrl).searchParams.get('t')!, cookie.split('=')[1]!]) {
      assert.equal(r.body.includes(secret), false, `${path} leaks a secret`);
    }
    if (path === '/static/app.css') continue;
    // Real tags only (escaped server text such as "&lt;img onerror=…" is inert and may appear).
    for (const tag of r.body.match(/<[a-z][^>]*>/gi) ?? []) {
      assert.doesNotMatch(tag, /^<script(?![^>]*\bsrc=)|^<style|\sstyle=|\son[a-z]+=/i, `${path}: inline script or style in ${tag}`);
    }
  }
  assert.equal((await send('GET', '/static/htmx.min.js', { headers: { cookie } })).headers['content-type'], 'text/javascript; charset=utf-8');
});

test('a cross-origin POST is refused and changes nothing', async () => {
  const cases: Array<[string, Parameters<typeof sharePost>[0]]> = [
    ['another origin', { origin: 'http://evil.example' }],
    ['a rebinding origin on our port', { origin: `http://evil.example:${ui.port}` }],
    ['no Origin at all', { origin: null }],
    ['"null" origin (sandboxed frame, file:)', { origin: 'null' }],
    ['the other loopback name than the Host', { origin: `http://localhost:${ui.port}` }],
    ['https instead of http', { origin: `https://127.0.0.1:${ui.port}` }],
    ['Sec-Fetch-Site: cross-site', { extra: { 'sec-fetch-site': 'cross-site' } }],
    ['Sec-Fetch-Site: same-site', { extra: { 'sec-fetch-site': 'same-site' } }],
  ];
  for (const [what, o] of cases) {
    const r = await sharePost(o);
    assert.equal(r.status, 403, what);
    assert.match(r.body, /nothing was changed/);
  }
  await assertNothingChanged();
});

test('a POST without the right CSRF token is refused and changes nothing', async () => {
  const sameLength = csrf.replace(/^./, (c) => (c === 'x' ? 'y' : 'x'));
  const cases: Array<[string, Parameters<typeof sharePost>[0]]> = [
    ['no token', { csrfHeader: null }],
    ['an empty token', { csrfHeader: '' }],
    ['a wrong token of the same length', { csrfHeader: sameLength }],
    ['a wrong token in the form field', { csrfHeader: null, fields: { csrf: sameLength } }],
    ['the session cookie as token', { csrfHeader: cookie.split('=')[1]! }],
  ];
  for (const [what, o] of cases) assert.equal((await sharePost(o)).status, 403, what);
  const plain = await send('POST', '/calendar/share', {
    headers: { cookie, origin: `http://127.0.0.1:${ui.port}`, 'x-csrf-token': csrf, 'content-type': 'text/plain' },
    body: `path=${calPath}&email=${bob}&level=read`,
  });
  assert.equal(plain.status, 415, 'only form posts are taken');
  await assertNothingChanged();
});

test('addresses and levels are validated again on the server; nothing changes', async () => {
  for (const [email, level] of [['bob@@example.test', 'read'], ['bob', 'read'], ['<script>@example.test', 'read'], [bob, 'admin'], ['', 'read']] as const) {
    const r = await sharePost({ fields: { email, level } });
    assert.equal(r.status, 422, `${email} / ${level}`);
    assert.match(r.body, /data-kind="usage"/);
    assert.equal(r.body.includes('<script>@'), false, 'the bad input is shown escaped');
  }
  await assertNothingChanged();
});

test('the same POST done right shares, and a confirmed revoke removes (the refusals above were real)', async () => {
  const r = await sharePost();
  assert.equal(r.status, 200, r.body);
  assert.match(r.body, new RegExp(`data-person="${bob}" data-result="shared"`));
  assert.equal(await canRead('bob', cal.url, cal.eventUrl), true);

  const form = new URLSearchParams({ path: calPath, email: bob }).toString();
  const headers = { cookie, origin: `http://127.0.0.1:${ui.port}`, 'x-csrf-token': csrf, 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true' };
  const ask = await send('POST', '/calendar/revoke', { headers, body: form });
  assert.match(ask.body, /Yes, remove access/);
  assert.equal(await canRead('bob', cal.url, cal.eventUrl), true, 'asking to confirm revokes nothing');
  const done = await send('POST', '/calendar/revoke/confirm', { headers, body: form });
  assert.equal(done.status, 200, done.body);
  assert.match(done.body, new RegExp(`data-person="${bob}" data-result="removed"`));
  assert.equal(await canRead('bob', cal.url, cal.eventUrl), false);
});

test('listens on loopback only', async () => {
  const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
  if (!external) return; // no other interface on this machine to try
  await assert.rejects(send('GET', '/', { address: external.address, headers: { cookie } }), /ECONNREFUSED/);
});

test('stops cleanly on SIGTERM: exit 0, port closed', async () => {
  assert.equal(await ui.stop(), 0, ui.stderr());
  assert.match(ui.stderr(), /stopped/);
  await assert.rejects(send('GET', '/', { headers: { cookie } }), /ECONNREFUSED/);
});
