// The Transport against real HTTP servers on this machine: no mocks between node:http and the socket.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { Transport, type Credentials, type TraceEntry, type TransportOptions } from '../../src/transport/http.js';
import { AuthError, NetworkError } from '../../src/errors.js';
import { Session } from '../../src/session.js';
import { basicCredentials } from '../../src/credentials/basic.js';

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface TestServer {
  url: URL;
  seen: Seen[];
  server: Server;
}

type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen, index: number) => void;

const servers: Server[] = [];
const transports: Transport[] = [];
const netServers: NetServer[] = [];

after(async () => {
  await Promise.all(transports.map((t) => t.close()));
  for (const s of servers) s.closeAllConnections();
  await Promise.all([...servers, ...netServers].map((s) => new Promise((resolve) => s.close(resolve))));
});

/**
 * A server that records every request (after reading its body) before handing it to `handler`.
 * host null: every local address, reached as "localhost".
 */
async function serve(handler: Handler, host: string | null = '127.0.0.1'): Promise<TestServer> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      handler(req, res, s, seen.length - 1);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => (host === null ? server.listen(0, resolve) : server.listen(0, host, resolve)));
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://${host ?? 'localhost'}:${port}/`), seen, server };
}

const PASSWORD = 'correct horse battery staple';
const BASIC = `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`;
const basic: Credentials = { user: 'alice', scheme: 'basic', authorization: async () => BASIC };

function transport(opts: Partial<TransportOptions> = {}): Transport {
  const t = new Transport({ credentials: basic, timeoutMs: 5_000, ...opts });
  transports.push(t);
  return t;
}

const MULTISTATUS = '<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"/>';
const PROPFIND_BODY = '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:displayname/></d:prop></d:propfind>';
const ok207: Handler = (_req, res) => {
  res.writeHead(207, { 'content-type': 'application/xml' }).end(MULTISTATUS);
};

describe('Transport', () => {
  it('sends the credentials and counts every request', async () => {
    const s = await serve(ok207);
    const t = transport();
    for (let i = 0; i < 3; i++) {
      const res = await t.send({ method: 'PROPFIND', url: new URL('/dav/', s.url), headers: { depth: '0' }, body: PROPFIND_BODY, purpose: 'testing' });
      assert.equal(res.status, 207);
      assert.equal(res.body, MULTISTATUS);
    }
    assert.equal(t.requestCount, 3);
    assert.equal(s.seen.length, 3);
    for (const r of s.seen) {
      assert.equal(r.headers.authorization, BASIC);
      assert.equal(r.headers.depth, '0');
      assert.equal(r.headers['content-type'], 'application/xml; charset=utf-8');
    }
  });

  it('follows a same-origin 301 on PROPFIND, re-sending method, body and Authorization', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/old/') res.writeHead(301, { location: '/new/' }).end();
      else ok207(req, res, undefined as never, 0);
    });
    const t = transport();
    const res = await t.send({ method: 'PROPFIND', url: new URL('/old/', s.url), headers: { depth: '1' }, body: PROPFIND_BODY, purpose: 'testing' });
    assert.equal(res.status, 207);
    assert.equal(res.url.href, new URL('/new/', s.url).href, 'the answer is based at the redirect target');
    assert.deepEqual(
      s.seen.map((r) => [r.method, r.path, r.body, r.headers.authorization, r.headers.depth]),
      [
        ['PROPFIND', '/old/', PROPFIND_BODY, BASIC, '1'],
        ['PROPFIND', '/new/', PROPFIND_BODY, BASIC, '1'],
      ],
    );
    assert.equal(t.requestCount, 2);
  });

  it('refuses a redirect to another host, which never hears from us', async () => {
    // Listening on every local address, so "localhost" would reach it whichever way it resolves.
    const other = await serve(ok207, null);
    const probe = await fetch(new URL('/probe', other.url)); // it is reachable as "localhost"
    await probe.arrayBuffer();
    assert.equal(other.seen.length, 1);
    const target = new URL('/dav/', other.url).href; // http://localhost:PORT/dav/
    const s = await serve((_req, res) => void res.writeHead(302, { location: target }).end());
    const t = transport();
    await assert.rejects(
      t.send({ method: 'PROPFIND', url: new URL('/dav/', s.url), body: PROPFIND_BODY, purpose: 'listing your calendars' }),
      (e: unknown) =>
        e instanceof NetworkError && e.code === 'REDIRECT_REFUSED' && /another host/.test(e.message) && e.exitCode === 4,
    );
    assert.equal(s.seen.length, 1);
    assert.equal(other.seen.length, 1, 'no request (and so no credentials) reached the other host');
  });

  it('gives up on a redirect loop', async () => {
    const s = await serve((req, res) => void res.writeHead(307, { location: `${req.url}x` }).end());
    const t = transport();
    await assert.rejects(t.send({ method: 'GET', url: new URL('/a', s.url), purpose: 'testing' }), (e: unknown) => e instanceof NetworkError && e.code === 'REDIRECT_LOOP');
    assert.equal(s.seen.length, 6); // the first request and five followed redirects
  });

  it('returns a redirect the caller accepts instead of following it', async () => {
    const s = await serve((_req, res) => void res.writeHead(301, { location: '/elsewhere' }).end());
    const res = await transport().send({ method: 'GET', url: new URL('/a', s.url), purpose: 'testing', accept: [301] });
    assert.equal(res.status, 301);
    assert.equal(s.seen.length, 1);
  });

  it('turns 401 into an AuthError naming the user', async () => {
    const s = await serve((_req, res) => void res.writeHead(401, { 'www-authenticate': 'Basic realm="cal"' }).end('nope'));
    await assert.rejects(
      transport().send({ method: 'PROPFIND', url: s.url, body: PROPFIND_BODY, purpose: 'reading your principal' }),
      (e: unknown) => e instanceof AuthError && e.exitCode === 3 && /"alice"/.test(e.message) && e.message.includes(s.url.origin),
    );
    assert.equal(s.seen.length, 1, 'without a renew hook there is no second try');
  });

  it('calls renew() once on 401, then retries with the renewed secret', async () => {
    let token = 'old';
    let renewals = 0;
    const bearer: Credentials = {
      user: 'alice',
      scheme: 'bearer',
      authorization: async () => `Bearer ${token}`,
      renew: async () => {
        renewals++;
        token = 'new';
        return true;
      },
    };
    const s = await serve((req, res) => {
      if (req.headers.authorization === 'Bearer new') ok207(req, res, undefined as never, 0);
      else res.writeHead(401).end();
    });
    const res = await transport({ credentials: bearer }).send({ method: 'PROPFIND', url: s.url, body: PROPFIND_BODY, purpose: 'testing' });
    assert.equal(res.status, 207);
    assert.equal(renewals, 1);
    assert.deepEqual(s.seen.map((r) => r.headers.authorization), ['Bearer old', 'Bearer new']);
  });

  it('renews at most once: a second 401 is an AuthError', async () => {
    let renewals = 0;
    const creds: Credentials = { ...basic, renew: async () => (renewals++, true) };
    const s = await serve((_req, res) => void res.writeHead(401).end());
    await assert.rejects(transport({ credentials: creds }).send({ method: 'GET', url: s.url, purpose: 'testing' }), AuthError);
    assert.equal(renewals, 1);
    assert.equal(s.seen.length, 2);
  });

  it('does not retry after 401 when renew() says it is not worth it', async () => {
    const creds: Credentials = { ...basic, renew: async () => false };
    const s = await serve((_req, res) => void res.writeHead(401).end());
    await assert.rejects(transport({ credentials: creds }).send({ method: 'GET', url: s.url, purpose: 'testing' }), AuthError);
    assert.equal(s.seen.length, 1);
  });

  it('refuses a response body larger than maxBodyBytes', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(207, { 'content-type': 'application/xml' });
      res.end(`<d:multistatus xmlns:d="DAV:">${'<d:response/>'.repeat(10_000)}</d:multistatus>`);
    });
    await assert.rejects(
      transport({ maxBodyBytes: 4096 }).send({ method: 'PROPFIND', url: s.url, body: PROPFIND_BODY, purpose: 'testing' }),
      (e: unknown) => e instanceof NetworkError && e.code === 'RESPONSE_TOO_LARGE',
    );
  });

  it('gives up on a server that never answers, as a timeout', { timeout: 10_000 }, async () => {
    const s = await serve(() => {
      /* never answers */
    });
    const started = Date.now();
    await assert.rejects(
      transport({ timeoutMs: 300 }).send({ method: 'PROPFIND', url: s.url, body: PROPFIND_BODY, purpose: 'testing' }),
      (e: unknown) => e instanceof NetworkError && e.code === 'ETIMEDOUT' && /--timeout/.test(e.hint ?? ''),
    );
    assert.ok(Date.now() - started < 5_000, 'the deadline applies, not some default much longer one');
    assert.equal(s.seen.length, 1, 'a timeout is not retried');
  });

  describe('a connection reset mid-request', () => {
    const resetAlways: Handler = (req) => void req.socket.resetAndDestroy();
    const isBrokenOff = (e: unknown) => e instanceof NetworkError && ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'].includes(e.code ?? '');

    it('is retried once for PROPFIND', async () => {
      const s = await serve(resetAlways);
      await assert.rejects(transport().send({ method: 'PROPFIND', url: s.url, body: PROPFIND_BODY, purpose: 'testing' }), isBrokenOff);
      assert.equal(s.seen.length, 2);
    });

    it('and the retry can succeed', async () => {
      const s = await serve((req, res, seen, i) => (i === 0 ? resetAlways(req, res, seen, i) : ok207(req, res, seen, i)));
      const t = transport();
      const res = await t.send({ method: 'PROPFIND', url: s.url, body: PROPFIND_BODY, purpose: 'testing' });
      assert.equal(res.status, 207);
      assert.equal(s.seen.length, 2);
      assert.equal(t.requestCount, 2);
    });

    for (const method of ['POST', 'ACL']) {
      it(`is not retried for ${method}, which may already have changed something`, async () => {
        const s = await serve(resetAlways);
        await assert.rejects(transport().send({ method, url: s.url, body: '<x/>', purpose: 'sharing' }), isBrokenOff);
        assert.equal(s.seen.length, 1);
      });
    }
  });

  describe('a server that ends connections without saying so (SOGo)', () => {
    // SOGo ends each connection after its answer and says "Connection: close" only on some; a
    // request that takes the socket before its FIN is seen meets a reset, and a write must not be
    // re-sent. A raw server plays it: every connection is ended after one answer, except the
    // second, which stays open but resets whatever comes next on it (its FIN "not yet seen").
    async function closer() {
      const processed: string[] = [];
      const server = createNetServer((sock) => {
        const index = ++stats.connections;
        let served = 0;
        let buf = '';
        sock.on('data', (d: Buffer) => {
          if (served > 0) return void sock.resetAndDestroy();
          buf += d.toString('latin1');
          const head = buf.indexOf('\r\n\r\n');
          const length = Number(/content-length: *(\d+)/i.exec(buf.slice(0, head))?.[1] ?? 0);
          if (head < 0 || buf.length < head + 4 + length) return;
          served++;
          processed.push(buf.slice(0, buf.indexOf(' ')));
          sock.write(`HTTP/1.1 207 Multi-Status\r\nContent-Length: 0\r\n\r\n`);
          if (index !== 2) sock.end();
        });
      });
      const stats = { connections: 0, processed };
      netServers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/cal/`), stats };
    }
    const finSeen = () => new Promise((resolve) => setTimeout(resolve, 50));

    it('once seen, every request, reads in parallel and writes, goes on a connection of its own', async () => {
      const { url, stats } = await closer();
      const t = transport();
      await t.send({ method: 'PROPFIND', url, body: PROPFIND_BODY, purpose: 'testing' });
      await finSeen();
      // smallAnswer changes nothing here: this server is not keeping the connection at all.
      await Promise.all([1, 2, 3].map((i) => t.send({ method: 'PROPFIND', url, body: PROPFIND_BODY, purpose: 'testing', smallAnswer: i === 2 })));
      await t.send({ method: 'PROPFIND', url, body: PROPFIND_BODY, purpose: 'testing' });
      assert.equal((await t.send({ method: 'POST', url, body: '<x/>', purpose: 'sharing' })).status, 207);
      assert.deepEqual(stats.processed, ['PROPFIND', 'PROPFIND', 'PROPFIND', 'PROPFIND', 'PROPFIND', 'POST'], 'each went once');
      assert.equal(stats.connections, 6);
      assert.equal(t.requestCount, 6, 'nothing met a dead socket, nothing was retried');
    });
  });

  it('keeps the connection alive: requests in turn reuse one socket', async () => {
    const s = await serve(ok207);
    let connections = 0;
    s.server.on('connection', () => connections++);
    const t = transport();
    for (let i = 0; i < 5; i++) await t.send({ method: 'PROPFIND', url: s.url, body: PROPFIND_BODY, purpose: 'testing' });
    assert.equal(s.seen.length, 5);
    assert.equal(connections, 1, 'one kept-alive connection carried all five requests');
  });

  describe('a product whose answers stall on a reused connection (quirk connection-per-request: Cyrus)', () => {
    const counted = async (headers: Record<string, string>) => {
      const s = await serve((req, res, seen, i) => (req.method === 'OPTIONS' ? void res.writeHead(200, headers).end() : ok207(req, res, seen, i)));
      const conns = { n: 0 };
      s.server.on('connection', () => conns.n++);
      return { s, conns };
    };
    const threeReads = async (t: Transport, url: URL) => {
      for (let i = 0; i < 3; i++) await t.send({ method: 'PROPFIND', url, body: PROPFIND_BODY, purpose: 'testing' });
    };

    it('once named, every request to that origin goes on a connection of its own', async () => {
      const { s, conns } = await counted({});
      const t = transport();
      await threeReads(t, s.url);
      assert.equal(conns.n, 1, 'kept alive until told');
      t.connectionPerRequest(s.url.origin);
      await threeReads(t, s.url);
      assert.equal(conns.n, 4);
    });

    it('a smallAnswer request (an existence check) still takes the kept-alive connection: the stall needs a long answer', async () => {
      const { s, conns } = await counted({});
      const t = transport();
      t.connectionPerRequest(s.url.origin);
      for (let i = 0; i < 3; i++) await t.send({ method: 'PROPFIND', url: s.url, body: PROPFIND_BODY, purpose: 'testing', smallAnswer: true });
      await threeReads(t, s.url);
      assert.equal(conns.n, 4, 'one kept-alive connection for the three small answers, then one each');
    });

    for (const [product, server, connections] of [
      ['Cyrus', 'Cyrus-HTTP/3.6.1-Debian-3.6.1-4+deb12u5 Cyrus-SASL/2.1.28', 4],
      ['a server without the quirk', 'Apache/2.4.62 (Debian)', 1],
    ] as const) {
      it(`a Session that learns from OPTIONS it talks to ${product} tells the transport: ${connections} connection(s) for OPTIONS + 3 reads`, async () => {
        const { s, conns } = await counted({ server, dav: '1, 2, 3, access-control, calendar-access' });
        const session = await Session.open({ url: s.url.href, credentials: basicCredentials('alice', async () => PASSWORD) });
        try {
          await session.serverOptions(s.url);
          await threeReads(session.transport, s.url);
          assert.equal(conns.n, connections);
        } finally {
          await session.close();
        }
      });
    }
  });

  for (const perRequest of [false, true]) {
    it(`bounds the connections: 20 concurrent requests to one origin, at most 8 at once${perRequest ? ', still a new connection for each (600 at once overran Cyrus)' : ''}`, async () => {
      let open = 0;
      let peak = 0;
      let total = 0;
      // Each answer waits a little, so the requests really overlap.
      const s = await serve((req, res, seen, i) => void setTimeout(() => ok207(req, res, seen, i), 30));
      s.server.on('connection', (sock) => {
        peak = Math.max(peak, ++open);
        total++;
        sock.on('close', () => open--);
      });
      const t = transport();
      if (perRequest) t.connectionPerRequest(s.url.origin);
      const all = await Promise.all(Array.from({ length: 20 }, () => t.send({ method: 'PROPFIND', url: s.url, body: PROPFIND_BODY, purpose: 'testing' })));
      assert.ok(all.every((r) => r.status === 207));
      assert.equal(s.seen.length, 20);
      assert.ok(peak <= 8 && peak >= 2, `connections at once: ${peak}`);
      if (perRequest) assert.equal(total, 20, 'no socket was handed on to a queued request');
      else assert.ok(total <= 8, `connections in all: ${total}`);
    });
  }

  it('sends a body with its length, never chunked, and a body-less write with length 0', async () => {
    const s = await serve(ok207);
    const t = transport();
    const body = '<?xml version="1.0"?><x:share xmlns:x="http://calendarserver.org/ns/">é</x:share>';
    await t.send({ method: 'POST', url: s.url, body, purpose: 'testing' });
    await t.send({ method: 'MKCOL', url: s.url, purpose: 'testing' });
    await t.send({ method: 'GET', url: s.url, purpose: 'testing' });
    assert.deepEqual(
      s.seen.map((r) => [r.method, r.headers['content-length'], r.headers['transfer-encoding'], r.body]),
      [
        ['POST', String(Buffer.byteLength(body)), undefined, body],
        ['MKCOL', '0', undefined, ''],
        ['GET', undefined, undefined, ''],
      ],
    );
  });

  it('a body that stalls after the head is a timeout too', { timeout: 10_000 }, async () => {
    const s = await serve((_req, res) => {
      res.writeHead(207, { 'content-type': 'application/xml' });
      res.write('<d:multistatus xmlns:d="DAV:">'); // and never more
    });
    await assert.rejects(
      transport({ timeoutMs: 300 }).send({ method: 'PROPFIND', url: s.url, body: PROPFIND_BODY, purpose: 'testing' }),
      (e: unknown) => e instanceof NetworkError && e.code === 'ETIMEDOUT',
    );
  });

  it('never puts the password or the Authorization header in the trace', async () => {
    const s = await serve((req, res, seen, i) => {
      if (req.url === '/moved') return void res.writeHead(301, { location: '/dav/' }).end();
      if (req.url === '/denied') return void res.writeHead(401).end();
      if (req.url === '/reset') return void req.socket.resetAndDestroy();
      ok207(req, res, seen, i);
    });
    const trace: TraceEntry[] = [];
    const t = transport({ onTrace: (e) => trace.push(e) });
    await t.send({ method: 'PROPFIND', url: new URL('/moved', s.url), body: PROPFIND_BODY, purpose: 'testing' });
    await assert.rejects(t.send({ method: 'GET', url: new URL('/denied', s.url), purpose: 'testing' }), AuthError);
    await assert.rejects(t.send({ method: 'POST', url: new URL('/reset', s.url), body: '<x/>', purpose: 'testing' }), NetworkError);

    assert.equal(trace.length, 4);
    assert.deepEqual(trace.map((e) => e.n), [1, 2, 3, 4]);
    assert.deepEqual(trace.slice(0, 3).map((e) => [e.method, new URL(e.url).pathname, e.status]), [
      ['PROPFIND', '/moved', 301],
      ['PROPFIND', '/dav/', 207],
      ['GET', '/denied', 401],
    ]);
    assert.equal(typeof trace[3]?.status, 'string', 'a failed request is traced with its error code');
    const json = JSON.stringify(trace);
    for (const secret of [PASSWORD, BASIC, BASIC.slice('Basic '.length), 'authorization', 'Basic ']) {
      assert.ok(!json.toLowerCase().includes(secret.toLowerCase()), `trace does not contain ${JSON.stringify(secret)}`);
    }
    // The server did receive the credentials: the trace leaves them out, the requests do not.
    assert.ok(s.seen.every((r) => r.headers.authorization === BASIC));
  });
});
