// A scripted, deliberately hostile CalDAV server in this process (node:http or node:https on
// 127.0.0.1, a random port): it answers discovery and listing with whatever a test puts in, and
// records every connection and request, so a test can prove that nothing at all reached it.
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

export interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Route = (req: Seen, res: ServerResponse, server: HostileDav) => void | boolean;

export class HostileDav {
  readonly seen: Seen[] = [];
  /** TCP connections accepted, whether or not a request followed (a TLS attempt counts). */
  connections = 0;
  readonly routes: Route[] = [];
  private constructor(
    readonly server: Server,
    readonly url: URL,
  ) {}

  static async start(opts: { tls?: { certFile: string; keyFile: string }; host?: string } = {}): Promise<HostileDav> {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const s: Seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        dav.seen.push(s);
        // A route answers, or returns true to keep the request hanging (a server that never answers).
        for (const r of dav.routes) if (r(s, res, dav) === true || res.headersSent) return;
        if (!res.headersSent) res.writeHead(404).end();
      });
    };
    const server = opts.tls ? createHttps({ cert: readFileSync(opts.tls.certFile), key: readFileSync(opts.tls.keyFile) }, handler) : createHttp(handler);
    server.keepAliveTimeout = 1000;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const dav: HostileDav = new HostileDav(server, new URL(`${opts.tls ? 'https' : 'http'}://${opts.host ?? '127.0.0.1'}:${port}/`));
    server.on('connection', () => dav.connections++);
    return dav;
  }

  get port(): number {
    return Number(this.url.port);
  }

  /** Answers `method path` (path without query) with a status and body. */
  on(method: string, path: string, status: number, body = '', headers: Record<string, string> = {}): this {
    this.routes.push((req, res) => {
      if (req.method !== method || req.path.split('?')[0] !== path) return false;
      res.writeHead(status, { 'content-type': 'application/xml; charset=utf-8', ...headers }).end(body);
      return true;
    });
    return this;
  }

  /** A minimal well-behaved CalDAV account whose hrefs the test chooses (relative or absolute). */
  caldav(o: { principal?: string; home?: string; calendars?: { href: string; name: string; extra?: string }[]; principalExtra?: string }): this {
    const principal = o.principal ?? '/principals/alice/';
    const home = o.home ?? '/calendars/alice/';
    this.on('PROPFIND', '/.well-known/caldav', 207, ms(r('/.well-known/caldav', `<d:current-user-principal><d:href>${x(principal)}</d:href></d:current-user-principal>`)));
    this.on('PROPFIND', '/', 207, ms(r('/', `<d:current-user-principal><d:href>${x(principal)}</d:href></d:current-user-principal>`)));
    const pPath = pathOf(principal);
    this.on(
      'PROPFIND',
      pPath,
      207,
      ms(
        r(
          pPath,
          `<c:calendar-home-set><d:href>${x(home)}</d:href></c:calendar-home-set><d:displayname>Alice</d:displayname>` +
            `<c:calendar-user-address-set><d:href>mailto:alice@example.test</d:href></c:calendar-user-address-set>${o.principalExtra ?? ''}`,
        ),
      ),
    );
    const hPath = pathOf(home);
    this.on(
      'PROPFIND',
      hPath,
      207,
      ms(
        r(hPath, '<d:resourcetype><d:collection/></d:resourcetype>') +
          (o.calendars ?? [])
            .map((c) => r(c.href, `<d:resourcetype><d:collection/><c:calendar/></d:resourcetype><d:displayname>${x(c.name)}</d:displayname>${c.extra ?? ''}`))
            .join(''),
      ),
    );
    for (const c of o.calendars ?? []) {
      const path = pathOf(c.href);
      if (path === c.href || new URL(c.href).origin === this.url.origin) {
        this.on('OPTIONS', path, 200, '', { dav: '1, 2, 3, access-control, calendar-access', allow: 'OPTIONS, GET, PROPFIND, ACL, REPORT' });
      }
    }
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise((r) => this.server.close(r));
  }
}

const pathOf = (href: string) => (/^https?:/i.test(href) ? new URL(href).pathname : href);
export const x = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** One DAV:response with its properties all 200. */
export const r = (href: string, props: string) => `<d:response><d:href>${x(href)}</d:href><d:propstat><d:prop>${props}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`;
export const ms = (responses: string) =>
  `<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CY="http://cyrusimap.org/ns/">${responses}</d:multistatus>`;
