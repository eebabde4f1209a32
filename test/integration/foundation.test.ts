// The foundation against the real staging servers, through the built CLI: calendar listing,
// capability detection, TLS trust, authentication and URL errors, and the request budget.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { before, describe, test } from 'node:test';
import { as, calshare } from '../helpers/cli.js';
import { dav, deleteCalendar, freshCalendar } from '../helpers/dav.js';
import { CYRUS, RADICALE, XANDIKOS, ensureStaging } from '../helpers/staging.js';
import { requestCount, traced } from './sharing-lib.js';

interface Listed {
  name: string;
  url: string;
  owned: boolean;
}

const SERVERS = {
  cyrus: { url: CYRUS.url, home: CYRUS.home('alice') },
  radicale: { url: RADICALE.url, home: 'http://127.0.0.1:5232/alice/' },
  xandikos: { url: XANDIKOS.url, home: 'http://127.0.0.1:8300/alice/calendars/' },
} as const;
type Server = keyof typeof SERVERS;

async function listed(server: Server): Promise<Listed[]> {
  const r = await as('alice', SERVERS[server].url)(['calendars', '--json']);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { calendars: Listed[] }).calendars;
}

/** Collections in the home that are not calendars (scheduling inbox/outbox, notifications), seen raw. */
async function nonCalendarCollections(home: string): Promise<string[]> {
  const body = '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>';
  const r = await dav('alice', 'PROPFIND', home, body, { depth: '1' });
  assert.equal(r.status, 207, r.body);
  const out: string[] = [];
  for (const m of r.body.matchAll(/<(?:\w+:)?response\b[\s\S]*?<\/(?:\w+:)?response>/g)) {
    const href = /<(?:\w+:)?href>([^<]+)</.exec(m[0])?.[1];
    if (href && /schedule-(inbox|outbox)|notification/i.test(m[0])) out.push(new URL(href, home).href);
  }
  return out;
}

describe('calendars on every staging server', () => {
  before(() => ['cyrus', 'radicale', 'xandikos'].forEach((s) => ensureStaging(s as Server)));

  test('Cyrus: the default calendar and a fresh one, no inbox/outbox/notifications', async (t) => {
    const fresh = await freshCalendar('alice');
    t.after(() => deleteCalendar('alice', fresh.url));
    const cals = await listed('cyrus');
    assert.ok(cals.some((c) => c.name === 'personal' && c.url === `${CYRUS.home('alice')}Default/` && c.owned), JSON.stringify(cals));
    assert.ok(cals.some((c) => c.name === fresh.name && c.url === fresh.url && c.owned));
    const others = await nonCalendarCollections(CYRUS.home('alice'));
    assert.ok(others.length >= 2, `Cyrus has inbox and outbox in the home: ${others}`);
    for (const o of others) assert.ok(!cals.some((c) => c.url === o), `${o} is not a calendar`);
  });

  test('Radicale: Alice\'s calendar', async () => {
    const cals = await listed('radicale');
    assert.deepEqual(cals.map((c) => [c.name, c.url, c.owned]), [["Alice's calendar", RADICALE.calendar, true]]);
  });

  test('Xandikos: its calendar, not the inbox', async () => {
    const cals = await listed('xandikos');
    assert.deepEqual(cals.map((c) => [c.name, c.url, c.owned]), [['calendar', XANDIKOS.calendar, true]]);
    const others = await nonCalendarCollections(SERVERS.xandikos.home);
    for (const o of others) assert.ok(!cals.some((c) => c.url === o), `${o} is not a calendar`);
  });
});

describe('capabilities --json', () => {
  const caps = async (server: Server, cal: string) => {
    const r = await as('alice', SERVERS[server].url)(['capabilities', cal, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const [c] = (JSON.parse(r.stdout) as { calendars: { preferred: string | null; mechanisms: { id: string; available: boolean }[] }[] }).calendars;
    return { preferred: c!.preferred, available: Object.fromEntries(c!.mechanisms.map((m) => [m.id, m.available])) };
  };

  test('Cyrus: all three mechanisms, CalendarServer sharing preferred', async () => {
    ensureStaging('cyrus');
    assert.deepEqual(await caps('cyrus', 'personal'), { preferred: 'cs', available: { cs: true, 'resource-sharing': true, acl: true, 'oc-share': false, 'acl-query': false } });
  });

  test('Radicale and Xandikos: none', async () => {
    ensureStaging('radicale');
    ensureStaging('xandikos');
    const none = { preferred: null, available: { cs: false, 'resource-sharing': false, acl: false, 'oc-share': false, 'acl-query': false } };
    assert.deepEqual(await caps('radicale', "Alice's calendar"), none);
    assert.deepEqual(await caps('xandikos', 'calendar'), none);
  });
});

describe('connection errors', () => {
  before(() => ensureStaging('cyrus'));

  test('HTTPS to Cyrus: untrusted without --ca-file (exit 4, names the flag), works with it', async () => {
    const https = as('alice', CYRUS.httpsUrl);
    const refused = await https(['calendars']);
    assert.equal(refused.code, 4, refused.stderr);
    assert.match(refused.stderr, /--ca-file/);
    const ok = await https(['calendars', '--json', '--ca-file', CYRUS.ca]);
    assert.equal(ok.code, 0, ok.stderr);
    const cals = (JSON.parse(ok.stdout) as { calendars: Listed[] }).calendars;
    assert.ok(cals.some((c) => c.url === 'https://127.0.0.1:8443/dav/calendars/user/alice/Default/'), ok.stdout);
  });

  test('wrong password: exit 3, names the user, never shows the password', async () => {
    const secret = 'Wr0ng-pa55-93127';
    for (const json of [[], ['--json']]) {
      const r = await calshare(['calendars', '--url', CYRUS.url, '--username', 'alice', ...json], { env: { CALSHARE_PASSWORD: secret } });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /alice/);
      assert.ok(!(r.stdout + r.stderr).includes(secret), 'the password is never echoed');
      assert.ok(!(r.stdout + r.stderr).includes(Buffer.from(`alice:${secret}`).toString('base64')), 'nor its Basic encoding');
    }
  });

  test('plain http to a non-loopback host: exit 2 before any connection', async (t) => {
    // A listener on this machine's own non-loopback address proves no connection was even tried.
    const addr = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    let connections = 0;
    const server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
    t.after(() => server.close());
    const port = (server.address() as { port: number }).port;
    const hosts = [...(addr ? [`http://${addr}:${port}/`] : []), 'http://calendar.example.com/'];
    for (const url of hosts) {
      const r = await calshare(['calendars', '--url', url, '--username', 'alice', '-v'], { env: { CALSHARE_PASSWORD: 'alice-pw' } });
      assert.equal(r.code, 2, `${url}: ${r.stderr}`);
      assert.match(r.stderr, /https/i, 'the message says https is needed');
      assert.deepEqual(traced(r.stderr), [], 'no request was traced');
    }
    assert.equal(connections, 0, 'nothing connected to the listener');
  });

  test('unknown calendar name: exit 2 listing the candidates', async () => {
    const r = await as('alice', CYRUS.url)(['capabilities', 'No Such Calendar']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /No Such Calendar/);
    assert.match(r.stderr, /personal\s+\/dav\/calendars\/user\/alice\/Default\//, 'the candidates are listed');
  });
});

test('--verbose: cold discovery plus listing takes at most 4 requests on Cyrus', async () => {
  ensureStaging('cyrus');
  const r = await as('alice', CYRUS.url)(['calendars', '-v']);
  assert.equal(r.code, 0, r.stderr);
  const n = requestCount(r.stderr);
  assert.equal(traced(r.stderr).length, n, 'the counter matches the traced requests');
  assert.ok(n <= 4, `${n} requests:\n${r.stderr}`);
  assert.ok(traced(r.stderr).every((t) => t.method === 'PROPFIND'), 'discovery and listing are PROPFINDs only');
});
