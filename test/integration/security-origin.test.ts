// Issue 11 §1: nothing leaves the origin the user named. Hostile servers in this process hand out
// absolute hrefs and redirects to other origins; a second server on another port stands for
// "another host" and must see no connection at all. iCloud's partition host (same registrable
// domain, https) is the one cross-host case allowed, shown under --verbose and recorded at login.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calshare, type CliResult } from '../helpers/cli.js';
import { HostileDav } from '../helpers/hostile-dav.js';
import { ROOT } from '../helpers/staging.js';

const PW = 'hostile-test-pw';
const env = { CALSHARE_PASSWORD: PW };
const run = (url: string, args: string[], extra: Record<string, string> = {}): Promise<CliResult> =>
  calshare([...args, '--url', url, '--username', 'alice'], { env: { ...env, ...extra } });

/** Exit 4, one error line naming `host`, and the password never in any output. */
function refused(r: CliResult, host: string): void {
  assert.equal(r.code, 4, `exit 4 for a refused origin\n${r.stderr}`);
  const error = r.stderr.split('\n').find((l) => l.startsWith('error: ')) ?? '';
  assert.ok(error.includes(host), `the error names ${host}: ${error}`);
  assert.doesNotMatch(r.stdout + r.stderr, /at .*\.js:\d+/, 'no stack trace');
}

describe('origin confinement', () => {
  let good: HostileDav;
  let other: HostileDav;
  before(async () => {
    other = await HostileDav.start();
    other.caldav({});
  });
  after(async () => {
    await Promise.all([other.close(), good?.close()]);
  });

  const fresh = async (o: Parameters<HostileDav['caldav']>[0]) => {
    good?.close().catch(() => {});
    good = await HostileDav.start();
    return good.caldav(o);
  };

  it('a current-user-principal on another origin is refused, and that origin sees nothing', async () => {
    const before = other.connections;
    const s = await fresh({ principal: new URL('/principals/alice/', other.url).href });
    refused(await run(s.url.href, ['calendars']), other.url.host);
    assert.equal(other.connections, before, 'no connection to the other origin');
  });

  it('a calendar-home-set on another origin, or over plain http to another machine, is refused', async () => {
    const before = other.connections;
    let s = await fresh({ home: new URL('/calendars/alice/', other.url).href });
    refused(await run(s.url.href, ['calendars']), other.url.host);
    s = await fresh({ home: 'http://calendars.evil.example/calendars/alice/' });
    refused(await run(s.url.href, ['calendars']), 'calendars.evil.example');
    assert.equal(other.connections, before);
  });

  it('a calendar href on another origin in the listing is refused before share sends anything', async () => {
    const before = other.connections;
    const s = await fresh({ calendars: [{ href: new URL('/calendars/alice/work/', other.url).href, name: 'Work' }] });
    refused(await run(s.url.href, ['calendars']), other.url.host);
    refused(await run(s.url.href, ['share', 'Work', 'bob@example.test', '--view']), other.url.host);
    assert.equal(other.connections, before);
    assert.ok(!s.seen.some((q) => q.method === 'ACL' || q.method === 'POST'), 'nothing written anywhere');
  });

  it('login does not save an account whose server points elsewhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'calshare-origin-'));
    const s = await fresh({ home: new URL('/calendars/alice/', other.url).href });
    const r = await calshare(['login', '--url', s.url.href, '--username', 'alice', '--account', 'evil', '--password-command', `printf ${PW}`], {
      env: { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/calshare-no-bus' },
    });
    refused(r, other.url.host);
    assert.equal(existsSync(join(dir, 'config', 'calshare', 'config.json')), false, 'nothing saved');
  });

  it('a redirect upgrading to https on another port is refused like any other origin change', async () => {
    const before = other.connections;
    const s = await fresh({});
    s.routes.unshift((req, res) => {
      if (req.path !== '/.well-known/caldav') return false;
      res.writeHead(301, { location: `https://127.0.0.1:${other.port}/dav/` }).end();
      return true;
    });
    refused(await run(s.url.href, ['calendars']), `127.0.0.1:${other.port}`);
    assert.equal(other.connections, before, 'no TLS attempt to the other port');
  });

  it('the well-behaved server works, and its password went nowhere else', async () => {
    const s = await fresh({ calendars: [{ href: '/calendars/alice/work/', name: 'Work' }] });
    const r = await run(s.url.href, ['calendars', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).calendars?.[0]?.name ?? JSON.parse(r.stdout)[0]?.name, 'Work');
  });
});

describe('iCloud: a partition host of the same registrable domain, over https', () => {
  let dav: HostileDav;
  let ca: string;
  const names = 'caldav.icloud.com,p07-caldav.icloud.com,caldav.icloud.com.evil.test';
  const dnsEnv = { NODE_OPTIONS: `--import ${join(ROOT, 'test/helpers/fake-dns.mjs')}`, CALSHARE_TEST_LOOPBACK_NAMES: names };
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'calshare-icloud-'));
    const [certFile, keyFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=caldav.icloud.com',
      '-addext', `subjectAltName=${names.split(',').map((n) => `DNS:${n}`).join(',')}`, '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    ca = certFile;
    dav = await HostileDav.start({ tls: { certFile, keyFile }, host: 'caldav.icloud.com' });
  });
  after(() => dav.close());

  it('login follows the calendar home to pNN-caldav.icloud.com, says so under --verbose, and records it', async () => {
    const partition = `https://p07-caldav.icloud.com:${dav.port}`;
    dav.routes.length = 0;
    dav.caldav({ home: `${partition}/123/calendars/`, calendars: [{ href: `${partition}/123/calendars/work/`, name: 'Work' }] });
    const dir = mkdtempSync(join(tmpdir(), 'calshare-icloud-cfg-'));
    const cfgEnv = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/calshare-no-bus', ...dnsEnv };
    const login = await calshare(['login', '--url', dav.url.href, '--username', 'alice', '--account', 'icloud', '--ca-file', ca, '--password-command', `printf ${PW}`, '--verbose'], { env: cfgEnv });
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stderr, new RegExp(`note: ${partition.replace(/[.]/g, '\\.')} is another host than --url.*same registrable domain icloud\\.com`));
    const saved = JSON.parse(readFileSync(join(dir, 'config', 'calshare', 'config.json'), 'utf8'));
    assert.deepEqual(saved.accounts.icloud.origins, [partition]);
    const list = await calshare(['calendars', '--account', 'icloud', '--json'], { env: cfgEnv });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /"Work"/);
    assert.ok(dav.seen.some((q) => q.headers.host === `p07-caldav.icloud.com:${dav.port}`), 'the partition host was used');
  });

  it('a host that merely contains icloud.com is another registrable domain: refused', async () => {
    dav.routes.length = 0;
    dav.caldav({ home: `https://caldav.icloud.com.evil.test:${dav.port}/123/calendars/` });
    const from = dav.seen.length;
    const r = await calshare(['calendars', '--url', dav.url.href, '--username', 'alice', '--ca-file', ca], { env: { ...env, ...dnsEnv } });
    refused(r, 'caldav.icloud.com.evil.test');
    assert.ok(!dav.seen.slice(from).some((q) => q.headers.host?.startsWith('caldav.icloud.com.evil.test')), 'nothing sent there');
  });
});
