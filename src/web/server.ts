// node:http, loopback only, and the security gate every request passes before app.ts sees it:
// Host allow-list → secret path prefix → method → launch token / session cookie → (POST) Origin,
// Fetch Metadata, CSRF.
//
// Cookies ignore ports (RFC 6265 §8.5): any other server on 127.0.0.1 would receive a cookie
// scoped to "/". So the whole UI lives under a per-launch secret prefix /<random>/ and the cookie
// has Path=/<random>/ (RFC 6265 §5.1.4): the browser sends it only to URLs under that prefix,
// which no other local server's pages know.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Session } from '../session.js';
import { UsageError } from '../errors.js';
import { App, type AppRequest } from './app.js';
import { loadAsset } from './assets.js';
import { problem, refusal, type Problem } from './problems.js';
import { standalone } from './pages.js';
import { checkStateChange, cookieName, hostAllowed, readCookie, sameSecret, SECURITY_HEADERS, sessionCookie, token } from './security.js';

export interface UiServer {
  /** The URL to open once: it carries the launch token. */
  launchUrl: string;
  origin: string;
  /** origin + the secret prefix: where the UI lives. */
  base: string;
  port: number;
  close(): Promise<void>;
}

interface BrowserSession {
  sid: string;
  csrf: string;
}

const MAX_BODY = 64 * 1024;

export async function startUi(session: Session, opts: { port?: number; onLaunch?: () => void } = {}): Promise<UiServer> {
  const app = new App(session);
  const launch = token();
  const prefix = `/${token()}/`;
  let launched = false;
  const sessions: BrowserSession[] = [];
  let port = 0;

  const find = (sid: string | undefined) => sessions.find((s) => sameSecret(sid, s.sid));

  async function gate(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    // DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 sends Host: evil.example.
    if (!hostAllowed(req, port)) return plain(res, 421, 'calshare ui answers only to 127.0.0.1 and localhost.\n');
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (method !== 'GET' && method !== 'POST') return plain(res, 405, 'Method not allowed.\n', { allow: 'GET, HEAD, POST' });
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    // Outside the secret prefix there is nothing, not even a hint that calshare runs here.
    if (method === 'GET' && url.pathname === '/favicon.ico') return void res.writeHead(204).end(); // browsers ask at the root; there is none
    if (!url.pathname.startsWith(prefix)) return plain(res, 404, 'Not found.\n');
    const path = `/${url.pathname.slice(prefix.length)}`;
    const cookie = cookieName(port);
    let bs = find(readCookie(req, cookie));

    // Styles and scripts are not secret: the refusal page is styled before any session exists.
    if (method === 'GET' && path.startsWith('/static/')) {
      const asset = await loadAsset(path);
      if (!asset) return plain(res, 404, 'Not found.\n');
      res.writeHead(200, { 'content-type': asset.type, 'content-length': asset.body.length }).end(asset.body);
      return;
    }

    const t = url.searchParams.get('t');
    if (method === 'GET' && path === '/' && t !== null) {
      if (!bs) {
        if (launched || !sameSecret(t, launch)) {
          return deny(req, res, prefix, refusal(403, 'This link has expired', 'A calshare ui link works once. Stop calshare ui (Ctrl-C) and start it again for a new link.'));
        }
        launched = true;
        bs = { sid: token(), csrf: token() };
        sessions.push(bs);
        res.setHeader('set-cookie', sessionCookie(cookie, bs.sid, prefix));
      }
      opts.onLaunch?.();
      // The page itself moves on to the UI, dropping the token from the address bar. Not a 303:
      // when the launch came from another site (the opener's file:// page), SameSite=Strict
      // would withhold the new cookie from the redirected request; this navigation is same-site.
      const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${prefix}"><title>calshare</title></head><body><p><a href="${prefix}">Open calshare</a></p></body></html>`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
      return;
    }
    if (!bs) return deny(req, res, prefix, refusal(403, 'Open the link calshare printed', 'This page opens only from the link `calshare ui` printed in the terminal, in the browser that opened it first.'));

    if (method === 'GET' && path === '/favicon.ico') return void res.writeHead(204).end(); // browsers ask; there is none

    let form = new URLSearchParams();
    if (method === 'POST') {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/x-www-form-urlencoded') return deny(req, res, prefix, refusal(415, 'Unexpected request', 'This address takes form submissions only.'));
      const body = await readBody(req);
      if (body === undefined) return deny(req, res, prefix, refusal(413, 'Too much data', 'The form sent more than 64 KiB.'));
      form = new URLSearchParams(body);
      const refused = checkStateChange(req, bs.csrf, form.get('csrf') ?? undefined);
      if (refused) return deny(req, res, prefix, refusal(refused.status, 'Request refused, nothing was changed', refused.reason));
    }

    const r: AppRequest = { method, path, query: url.searchParams, form, htmx: req.headers['hx-request'] === 'true', csrf: bs.csrf };
    const reply = await app.handle(r);
    send(res, reply, prefix);
  }

  const server = createServer((req, res) => {
    gate(req, res).catch((e) => {
      if (!res.headersSent) send(res, problem(e), prefix);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new UsageError(`port ${opts.port} on 127.0.0.1 is in use`, 'Choose another with --port N, or leave --port out for a free one.')
          : e.code === 'EACCES'
            ? new UsageError(`not allowed to listen on port ${opts.port}`, 'Choose a port above 1023 with --port N, or leave --port out.')
            : e,
      ),
    );
    // Loopback only: nothing on the network can reach this server.
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    launchUrl: `${origin}${prefix}?t=${launch}`,
    origin,
    base: `${origin}${prefix}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A refusal by the gate: a fragment for htmx to swap in, else a small page of its own. */
function deny(req: IncomingMessage, res: ServerResponse, prefix: string, p: Problem): void {
  send(res, req.headers['hx-request'] === 'true' ? p : { status: p.status, body: standalone(p.body) }, prefix);
}

function send(res: ServerResponse, p: Problem | { status: number; body: { value: string } }, prefix: string): void {
  // Whole pages resolve their relative links against the secret prefix (pages.ts writes no absolute path).
  const body = Buffer.from(p.body.value.replace(/^(<!doctype html>\s*<html[^>]*>\s*<head>)/i, `$1<base href="${prefix}">`));
  res.writeHead(p.status, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length }).end(body);
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(text);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
