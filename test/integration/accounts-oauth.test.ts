// OAuth 2 against real parts: oidc-provider as the authorization server (in this process, on
// 127.0.0.1), the staging Cyrus taking its JWTs as bearer tokens (staging/cyrus-jwt.sh, with
// http_jwt_max_age 2 s so tokens really expire), the refresh token in a real Secret Service.
// Proves: code flow with PKCE through the loopback redirect, the state check, the device flow,
// refresh on expiry with one retry, a refused refresh → exit 3, and no token in any output.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { ensureStaging } from '../helpers/staging.js';
import { freshCalendar, canRead, tryWrite } from '../helpers/dav.js';
import { startSecretService, type SecretService } from '../helpers/keyring.js';
import { Recorder } from '../helpers/secrets.js';
import { ensureCyrusJwt, startAuthServer, selfSignedCert, FormClient, loginAndConsent, CLIENT_ID, SCOPE, type AuthServer } from '../helpers/oauth.js';

const MAX_AGE = 2;
let ss: SecretService;
let as: AuthServer;
let cli: Recorder;
let cyrus: string;
let jwtKey: Buffer;
/** What the tests' other authorization servers issued, for the final secret scan. */
const extraIssued: string[][] = [];

before(async () => {
  ensureStaging('cyrus');
  const jwt = ensureCyrusJwt(MAX_AGE);
  cyrus = jwt.url;
  jwtKey = jwt.key;
  as = await startAuthServer({ key: jwt.key, resource: cyrus });
  ss = await startSecretService();
  // BROWSER=true: "opening a browser" succeeds and does nothing; this test is the browser.
  cli = new Recorder({ ...ss.env, BROWSER: 'true' });
});

after(async () => {
  await ss?.stop();
  await as?.close();
});

const loginArgs = (account: string, user = 'alice', issuer = as.issuer) => [
  'login', '--url', cyrus, '--username', user, '--auth', 'oauth', '--issuer', issuer, '--client-id', CLIENT_ID, '--scope', SCOPE, '--account', account,
];

interface Stored {
  access_token: string;
  refresh_token?: string;
  expires_at?: number;
}
const stored = async (account: string): Promise<Stored> => JSON.parse((await ss.lookup(account)) ?? 'null');
const iatOf = (jwt: string): number => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).iat;

/** Waits until Cyrus rejects the stored access token by age: iat + max_age + 1 s, and no longer. */
async function untilExpired(account: string): Promise<void> {
  const wait = (iatOf((await stored(account)).access_token) + MAX_AGE + 1) * 1000 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

const count = (ev: string) => as.events.get(ev) ?? 0;

test('the access token oidc-provider issues is the JWT shape Cyrus takes (and nothing more)', async () => {
  const login = cli.start([...loginArgs('shape'), '--device']);
  const code = (await login.waitFor(/enter the code (\S+)/))[1]!;
  await approveDevice(code, 'alice');
  assert.equal((await login.done).code, 0);
  const [h, p] = (await stored('shape')).access_token.split('.').slice(0, 2).map((s) => JSON.parse(Buffer.from(s!, 'base64url').toString()));
  assert.deepEqual(h, { alg: 'HS256', typ: 'JWT' });
  assert.deepEqual(Object.keys(p).sort(), ['iat', 'sub']);
  assert.equal(p.sub, 'alice');
  assert.equal((await cli.run(['logout', '--account', 'shape'])).code, 0);
});

test('code flow with PKCE and a loopback redirect: login, then share as alice with the bearer token, proven as bob', async () => {
  const consumed = count('authorization_code.consumed');
  const login = cli.start(loginArgs('oauth-code'));
  const authUrl = new URL((await login.waitFor(/visit:\n\s+(\S+)/))[1]!);
  // RFC 7636 §4.3 (S256 challenge), RFC 6749 §10.12 (state), RFC 8252 §7.3 (loopback IP, any port).
  assert.equal(authUrl.searchParams.get('code_challenge_method'), 'S256');
  assert.match(authUrl.searchParams.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
  assert.ok(authUrl.searchParams.get('state'));
  assert.match(authUrl.searchParams.get('redirect_uri')!, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);

  const b = new FormClient();
  const last = await loginAndConsent(b, await b.go(authUrl), 'alice');
  assert.match(last.body, /calshare received the sign-in/, 'the browser ends on calshare\'s loopback page');
  const r = await login.done;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(count('authorization_code.consumed'), consumed + 1, 'the code was redeemed (with the PKCE verifier; the provider requires PKCE)');

  const saved = JSON.parse(await readFile(join(ss.env.XDG_CONFIG_HOME!, 'calshare', 'config.json'), 'utf8')).accounts['oauth-code'];
  assert.deepEqual(saved, { url: cyrus, username: 'alice', auth: 'oauth', oauth: { issuer: as.issuer, clientId: CLIENT_ID, scope: SCOPE } });
  assert.ok((await stored('oauth-code')).refresh_token, 'the refresh token is in the keyring');

  const cal = await freshCalendar('alice');
  const share = await cli.run(['share', cal.name, 'bob@example.test', '--view', '--account', 'oauth-code']);
  assert.equal(share.code, 0, share.stderr);
  assert.equal(await canRead('bob', cal.url, cal.eventUrl), true);
  assert.equal((await tryWrite('bob', cal.url)).create, 403);
});

test('a redirect with the wrong state is refused (exit 3) and nothing is saved', async () => {
  const login = cli.start(loginArgs('forged'));
  const authUrl = new URL((await login.waitFor(/visit:\n\s+(\S+)/))[1]!);
  const forged = new URL(authUrl.searchParams.get('redirect_uri')!);
  forged.search = new URLSearchParams({ code: 'attacker-code', state: 'not-the-state', iss: as.issuer }).toString();
  await (await request(forged)).body.text();
  const r = await login.done;
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /did not grant access.*state/i);
  assert.equal(await ss.lookup('forged'), null);
});

async function approveDevice(userCode: string, user: string, server = as, browser = new FormClient()): Promise<void> {
  const b = browser;
  const entry = await b.go(new URL('/device', server.issuer));
  const last = await loginAndConsent(b, await b.submit(entry, { user_code: userCode }), user);
  assert.match(last.body, /Sign-in Success|success/i, last.body.slice(0, 400));
}

test('device flow: login without a browser, then refresh on expiry with one retry', async () => {
  const login = cli.start([...loginArgs('oauth-device'), '--device']);
  const code = (await login.waitFor(/enter the code (\S+)/))[1]!;
  await login.waitFor(/Waiting for approval/);
  await approveDevice(code, 'alice');
  const r = await login.done;
  assert.equal(r.code, 0, r.stderr);
  const first = await stored('oauth-device');

  await untilExpired('oauth-device');
  const refreshes = count('refresh_token.consumed');
  const cal = await cli.run(['calendars', '--account', 'oauth-device', '--json', '-v']);
  assert.equal(cal.code, 0, cal.stderr);
  // The first request is rejected by age (Cyrus http_jwt_max_age), one refresh, then the retry works.
  assert.match(cal.stderr, /#\d+ PROPFIND (\S+) → 401[^\n]*\n(?:\s+oauth GET [^\n]*\n)?\s+oauth POST \S+\/token → 200[^\n]*\n\s+#\d+ PROPFIND \1 → 207/);
  assert.equal(cal.stderr.match(/→ 401/g)?.length, 1, 'one rejection, then the fresh token is used throughout');
  assert.equal(count('refresh_token.consumed'), refreshes + 1, 'exactly one refresh grant');
  assert.ok(JSON.parse(cal.stdout).calendars.length >= 1);
  const second = await stored('oauth-device');
  assert.notEqual(second.access_token, first.access_token, 'the new access token is stored back');
  assert.ok(second.refresh_token);
});

test('a refused refresh (revoked at the authorization server) is exit 3 saying to log in again', async () => {
  const login = cli.start([...loginArgs('oauth-revoked'), '--device']);
  const code = (await login.waitFor(/enter the code (\S+)/))[1]!;
  await approveDevice(code, 'alice');
  assert.equal((await login.done).code, 0);
  // RFC 7009 revocation at the real authorization server, as an administrator or the user would.
  const rt = (await stored('oauth-revoked')).refresh_token!;
  const rev = await request(new URL('/token/revocation', as.issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: rt, token_type_hint: 'refresh_token', client_id: CLIENT_ID }).toString(),
  });
  assert.equal(rev.statusCode, 200);
  await rev.body.text();
  await untilExpired('oauth-revoked');
  const r = await cli.run(['sharees', '--account', 'oauth-revoked']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /refused to refresh the login of account "oauth-revoked" \(invalid_grant/);
  assert.match(r.stderr, /calshare login --account oauth-revoked/);
  const j = await cli.run(['calendars', '--account', 'oauth-revoked', '--json']);
  assert.equal(j.code, 3);
  assert.equal(JSON.parse(j.stdout).error.kind, 'auth');
});

/** A device-flow login of `account` at `server`, approved as alice. */
async function deviceLogin(account: string, server = as, extra: string[] = [], browser?: FormClient): Promise<void> {
  const login = cli.start([...loginArgs(account, 'alice', server.issuer), '--device', ...extra]);
  const code = (await login.waitFor(/enter the code (\S+)/))[1]!;
  await approveDevice(code, 'alice', server, browser);
  const r = await login.done;
  assert.equal(r.code, 0, r.stderr);
}

/** RFC 6749 §6 straight at the token endpoint: does the server still honour this refresh token? */
async function refreshStatus(server: AuthServer, refreshToken: string): Promise<{ status: number; error?: string }> {
  const res = await request(new URL('/token', server.issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID }).toString(),
  });
  return { status: res.statusCode, error: ((await res.body.json()) as { error?: string }).error };
}

test('logout revokes the login at the authorization server (RFC 7009), proven by a refused refresh', async () => {
  await deviceLogin('oauth-logout');
  // Not refreshed here first: oidc-provider rotates refresh tokens, so using it would kill it anyway.
  const rt = (await stored('oauth-logout')).refresh_token!;
  const r = await cli.run(['logout', '--account', 'oauth-logout', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { account: 'oauth-logout', removed: true, keyring: 'removed', revocation: { state: 'revoked' } });
  assert.equal(await ss.lookup('oauth-logout'), null);
  assert.deepEqual(await refreshStatus(as, rt), { status: 400, error: 'invalid_grant' }, 'the refresh token is dead at the server');
});

test('logout with the authorization server gone still logs out here, and says what to revoke by hand', async () => {
  const gone = await startAuthServer({ key: jwtKey, resource: cyrus });
  extraIssued.push(gone.issued);
  await deviceLogin('oauth-gone', gone);
  await gone.close();
  const r = await cli.run(['logout', '--account', 'oauth-gone']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Logged out of "oauth-gone": the account is removed and its secret is deleted from the OS keyring/);
  assert.match(r.stderr, /warning: could not revoke the login at 127\.0\.0\.1:\d+: nothing is listening at 127\.0\.0\.1:\d+ \(connection refused\); its refresh token stays valid until it expires/);
  assert.match(r.stderr, /hint: Remove calshare's access in your account's security settings/);
  assert.equal(await ss.lookup('oauth-gone'), null);
  assert.equal((await cli.run(['accounts', '--json'])).stdout.includes('oauth-gone'), false);
});

test('an https issuer signed by a private CA: refused without --ca-file, trusted with it, for login, refresh and logout', async () => {
  const tls = selfSignedCert();
  const priv = await startAuthServer({ key: jwtKey, resource: cyrus, tls });
  extraIssued.push(priv.issued);
  try {
    const refused = await cli.run([...loginArgs('oauth-ca', 'alice', priv.issuer), '--device']);
    assert.equal(refused.code, 4, refused.stderr);
    assert.match(refused.stderr, /error: the certificate of 127\.0\.0\.1:\d+ is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    assert.match(refused.stderr, /hint: .*--ca-file PATH/);
    assert.equal(await ss.lookup('oauth-ca'), null, 'nothing saved');

    const browser = new FormClient(new Agent({ connect: { ca: readFileSync(tls.certFile, 'utf8') } }));
    await deviceLogin('oauth-ca', priv, ['--ca-file', tls.certFile], browser);
    const saved = JSON.parse(await readFile(join(ss.env.XDG_CONFIG_HOME!, 'calshare', 'config.json'), 'utf8')).accounts['oauth-ca'];
    assert.equal(saved.caFile, tls.certFile, 'the CA is remembered with the account');

    await untilExpired('oauth-ca');
    const cal = await cli.run(['calendars', '--account', 'oauth-ca', '--json', '-v']);
    assert.equal(cal.code, 0, cal.stderr);
    assert.match(cal.stderr, /oauth POST https:\/\/127\.0\.0\.1:\d+\/token → 200/, 'the refresh went to the https issuer, trusting the account\'s CA');

    const out = await cli.run(['logout', '--account', 'oauth-ca', '--json']);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout).revocation, { state: 'revoked' });
  } finally {
    await priv.close();
  }
});

test('nothing calshare printed or wrote contains a token or device code', async () => {
  assert.ok(as.issued.length >= 6, `tokens were issued (${as.issued.length})`);
  assert.deepEqual(await cli.scan([...as.issued, ...extraIssued.flat()]), []);
  const canary = new Recorder({});
  canary.outputs.push(`leak: ${as.issued[0]}`);
  assert.equal((await canary.scan(as.issued)).length, 1, 'the scan finds a leaked token');
});
