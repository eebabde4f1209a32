// The fetch oauth4webapi uses (src/transport/fetch.ts), against real HTTP servers on this machine.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nodeFetch } from '../../src/transport/fetch.js';
import { networkError } from '../../src/transport/classify.js';
import { NetworkError } from '../../src/errors.js';

const servers: Server[] = [];
after(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

async function serve(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<URL> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
}

describe('nodeFetch', () => {
  it('POSTs a form body with its type and length, and returns a Response oauth4webapi can read', async () => {
    let seen: { method?: string; type?: string; length?: string; body?: string; accept?: string } = {};
    const url = await serve((req, body, res) => {
      seen = { method: req.method, type: req.headers['content-type'], length: req.headers['content-length'], body, accept: req.headers.accept };
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end('{"access_token":"t","token_type":"bearer"}');
    });
    const res = await nodeFetch()(new URL('/token', url).href, {
      method: 'POST',
      headers: { accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'r é' }),
    });
    assert.ok(res instanceof Response);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await res.json(), { access_token: 't', token_type: 'bearer' });
    assert.equal(seen.method, 'POST');
    assert.equal(seen.type, 'application/x-www-form-urlencoded;charset=UTF-8');
    assert.equal(seen.body, 'grant_type=refresh_token&refresh_token=r+%C3%A9');
    assert.equal(seen.length, String(Buffer.byteLength(seen.body)));
    assert.equal(seen.accept, 'application/json');
  });

  it('returns a redirect as it is (oauth4webapi asks for redirect: manual) and a 204 without a body', async () => {
    const url = await serve((req, _b, res) => {
      if (req.url === '/moved') res.writeHead(302, { location: 'https://elsewhere.example/' }).end('go');
      else res.writeHead(204).end();
    });
    const f = nodeFetch();
    const moved = await f(new URL('/moved', url).href, { redirect: 'manual' });
    assert.equal(moved.status, 302);
    assert.equal(moved.headers.get('location'), 'https://elsewhere.example/');
    const empty = await f(new URL('/revoke', url).href, { method: 'POST', body: 'token=x' });
    assert.equal(empty.status, 204);
    assert.equal(await empty.text(), '');
  });

  it('a server that never answers ends at the signal, and is classified as a timeout', { timeout: 10_000 }, async () => {
    const url = await serve(() => {
      /* never answers */
    });
    const err = await nodeFetch()(url.href, { signal: AbortSignal.timeout(200) }).then(
      () => assert.fail('no answer was expected'),
      (e: unknown) => e,
    );
    const classified = networkError(err, url, 200);
    assert.ok(classified instanceof NetworkError);
    assert.equal(classified.code, 'ETIMEDOUT');
  });

  it('a refused connection keeps its code for classify.ts', async () => {
    const url = await serve(() => {});
    const port = url.port;
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const err = await nodeFetch()(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    assert.equal(networkError(err, url, 1000).code, 'ECONNREFUSED');
  });
});
