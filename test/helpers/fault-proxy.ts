// A fault-injecting reverse proxy in front of a real server (staging Cyrus), for the fault tests.
// Requests pass through untouched unless a rule matches; a rule picks requests by method, path and
// order, and replaces (or damages) the answer. Every request is recorded, with whether it reached
// the upstream server: that is how a test counts the writes that really landed.
import { createServer as createHttp, request as upstreamRequest, Agent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  /** Close the listener and this connection: this request and every later connection are refused. */
  | { kind: 'refuse' }
  /** Close the connection without answering; the request never reaches the server. */
  | { kind: 'drop' }
  /** Forward (so a write lands), then send the headers and part of the body, then reset the connection. */
  | { kind: 'reset' }
  /** Accept and never answer; the request never reaches the server. */
  | { kind: 'hang' }
  /** Answer with this instead; with forward: true the server gets (and applies) the request first. */
  | { kind: 'respond'; status: number; body?: string; headers?: Record<string, string>; forward?: boolean }
  /** Forward, then answer with the first half of the body (a complete HTTP message, cut-off XML). */
  | { kind: 'truncate' }
  /** A 207 streamed in chunks until `bytes` have been sent (or the client hangs up). */
  | { kind: 'huge'; bytes: number }
  /** Forward, then alter the body the client sees. */
  | { kind: 'rewrite'; edit: (body: string) => string }
  /** Redirect to `to` + the request's path. */
  | { kind: 'redirect'; status: 301 | 302 | 307 | 308; to: string };

export interface Rule {
  method?: string | readonly string[];
  path?: RegExp;
  /** Fire from the nth matching request on (1-based; default 1)… */
  nth?: number;
  /** …this many times (default 1; Infinity for every later match). */
  times?: number;
  /** Only once a write has reached the server (e.g. the read-back that verifies it). */
  afterWrite?: boolean;
  fault: Fault;
}

export interface Seen {
  n: number;
  method: string;
  path: string;
  /** The fault applied to this request, if any. */
  fault: Fault['kind'] | undefined;
  /** Whether the request reached the upstream server. */
  forwarded: boolean;
}

export const WRITE_METHODS = new Set(['POST', 'ACL', 'PUT', 'DELETE', 'PROPPATCH', 'MKCALENDAR', 'MKCOL', 'MOVE', 'COPY']);

// RFC 9110 §7.6.1: connection-specific fields are not forwarded by a proxy. (Cyrus also offers
// "Upgrade: h2c", which must not leak through a proxy that only speaks HTTP/1.1.)
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'upgrade', 'transfer-encoding', 'te', 'trailer', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'content-length', 'alt-svc']);

const endToEnd = (h: IncomingMessage['headers']) => Object.fromEntries(Object.entries(h).filter(([k]) => !HOP_BY_HOP.has(k.toLowerCase())));

interface Upstream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface ProxyOptions {
  /** The real server, e.g. http://127.0.0.1:8008/. */
  upstream: string;
  rules?: Rule[];
  /** Serve HTTPS with this key and certificate (the upstream stays plain HTTP on loopback). */
  tls?: { key: string; cert: string };
}

export class FaultProxy {
  readonly seen: Seen[] = [];
  readonly #rules: { rule: Rule; matched: number; fired: number }[];
  readonly #sockets = new Set<Socket>();
  readonly #agent = new Agent({ keepAlive: true });
  #listening = true;

  private constructor(
    readonly server: Server,
    readonly url: string,
    readonly upstream: URL,
    rules: Rule[],
  ) {
    this.#rules = rules.map((rule) => ({ rule, matched: 0, fired: 0 }));
  }

  static async start(opts: ProxyOptions): Promise<FaultProxy> {
    let proxy!: FaultProxy;
    const handler = (req: IncomingMessage, res: ServerResponse) => void proxy.#handle(req, res);
    const server = opts.tls ? createHttps({ key: opts.tls.key, cert: opts.tls.cert }, handler) : createHttp(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    proxy = new FaultProxy(server, `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}/`, new URL(opts.upstream), opts.rules ?? []);
    server.on(opts.tls ? 'secureConnection' : 'connection', (s: Socket) => {
      proxy.#sockets.add(s);
      s.on('close', () => proxy.#sockets.delete(s));
    });
    return proxy;
  }

  /** Requests that reached the real server with a state-changing method. */
  get writesForwarded(): number {
    return this.seen.filter((s) => s.forwarded && WRITE_METHODS.has(s.method)).length;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    this.#agent.destroy();
    if (this.#listening) {
      this.#listening = false;
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
  }

  #pick(method: string, path: string): Fault | undefined {
    for (const r of this.#rules) {
      if (r.rule.method && ![r.rule.method].flat().includes(method)) continue;
      if (r.rule.path && !r.rule.path.test(path)) continue;
      if (r.rule.afterWrite && this.writesForwarded === 0) continue;
      r.matched++;
      if (r.matched >= (r.rule.nth ?? 1) && r.fired < (r.rule.times ?? 1)) {
        r.fired++;
        return r.rule.fault;
      }
    }
    return undefined;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const fault = this.#pick(method, path);
    const seen: Seen = { n: this.seen.length + 1, method, path, fault: fault?.kind, forwarded: false };
    this.seen.push(seen);
    const forward = async () => {
      seen.forwarded = true;
      return this.#forward(req, body);
    };
    try {
      await this.#answer(fault, req, res, forward);
    } catch (e) {
      if (!res.headersSent) res.writeHead(599, { 'content-type': 'text/plain' }).end(`fault proxy: ${(e as Error).message}`);
      else res.destroy();
    }
  }

  async #answer(fault: Fault | undefined, req: IncomingMessage, res: ServerResponse, forward: () => Promise<Upstream>): Promise<void> {
    switch (fault?.kind) {
      case undefined:
        return relay(res, await forward(), this.#reverse.bind(this));
      case 'refuse':
        this.#listening = false;
        this.server.close();
        for (const s of this.#sockets) s.destroy();
        return;
      case 'drop':
        req.socket.destroy();
        return;
      case 'hang':
        return; // the socket stays open until the client gives up or the proxy closes
      case 'reset': {
        const up = await forward();
        res.writeHead(up.status, { ...endToEnd(up.headers as IncomingMessage['headers']), 'content-length': String(up.body.length + 4096) });
        res.write(up.body.subarray(0, Math.floor(up.body.length / 2)), () => req.socket.resetAndDestroy());
        return;
      }
      case 'respond': {
        if (fault.forward) await forward();
        const b = Buffer.from(fault.body ?? '');
        res.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers, 'content-length': String(b.length) }).end(b);
        return;
      }
      case 'truncate': {
        const up = await forward();
        relay(res, { ...up, body: up.body.subarray(0, Math.floor(up.body.length / 2)) }, this.#reverse.bind(this));
        return;
      }
      case 'rewrite': {
        const up = await forward();
        relay(res, { ...up, body: Buffer.from(fault.edit(up.body.toString('utf8'))) }, this.#reverse.bind(this));
        return;
      }
      case 'huge':
        return streamHuge(res, fault.bytes);
      case 'redirect':
        res.writeHead(fault.status, { location: new URL(req.url ?? '/', fault.to).href, 'content-length': '0' }).end();
        return;
    }
  }

  #forward(req: IncomingMessage, body: Buffer): Promise<Upstream> {
    return new Promise((resolve, reject) => {
      const r = upstreamRequest(
        {
          host: this.upstream.hostname,
          port: this.upstream.port,
          method: req.method,
          path: req.url,
          agent: this.#agent,
          // Host stays as the client sent it, so the server's absolute Locations point back at the proxy.
          headers: { ...endToEnd(req.headers), 'content-length': String(body.length) },
        },
        (up) => {
          readAll(up).then((b) => resolve({ status: up.statusCode ?? 502, headers: up.headers, body: b }), reject);
        },
      );
      r.on('error', reject);
      r.end(body);
    });
  }

  /** Like a reverse proxy's Location rewriting: the server thinks it speaks plain HTTP. */
  #reverse(location: string): string {
    const own = new URL(this.url);
    const to = new URL(location, own);
    if (to.host === own.host && to.protocol !== own.protocol) to.protocol = own.protocol;
    return to.href;
  }
}

function readAll(s: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });
}

function relay(res: ServerResponse, up: Upstream, reverse: (l: string) => string): void {
  const headers = endToEnd(up.headers as IncomingMessage['headers']);
  if (typeof headers.location === 'string') headers.location = reverse(headers.location);
  res.writeHead(up.status, { ...headers, 'content-length': String(up.body.length) }).end(up.body);
}

/** A multistatus that never seems to end: a well-formed start, then response after response. */
function streamHuge(res: ServerResponse, bytes: number): void {
  res.writeHead(207, { 'content-type': 'application/xml; charset=utf-8' });
  const item = '<d:response><d:href>/dav/calendars/user/alice/x/</d:href><d:status>HTTP/1.1 200 OK</d:status></d:response>\n';
  const chunk = Buffer.from(item.repeat(Math.ceil(65536 / item.length)));
  let sent = 0;
  let gone = false;
  res.on('close', () => (gone = true));
  const pump = () => {
    while (!gone && sent < bytes) {
      const b = sent === 0 ? Buffer.concat([Buffer.from('<?xml version="1.0" encoding="utf-8"?>\n<d:multistatus xmlns:d="DAV:">\n'), chunk]) : chunk;
      sent += b.length;
      if (!res.write(b)) return void res.once('drain', pump);
    }
    if (!gone) res.end('</d:multistatus>\n');
  };
  pump();
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Whether an Authorization header arrived (its value is never kept). */
  authorization: boolean;
}

/**
 * A second listener standing for "another host": it answers every request with 200 and records it,
 * so a test can prove that nothing (and no credential) followed a redirect or an external entity.
 */
export class Recorder {
  readonly seen: RecordedRequest[] = [];
  private constructor(
    readonly server: Server,
    readonly port: number,
  ) {}

  static async start(host: string): Promise<Recorder> {
    let rec!: Recorder;
    const server = createHttp((req, res) => {
      rec.seen.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization !== undefined });
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' }).end('recorder');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, resolve);
    });
    rec = new Recorder(server, (server.address() as AddressInfo).port);
    return rec;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
