// RFC 8252 §7.3: a one-shot HTTP listener on 127.0.0.1 at a port the OS picks, for the browser's
// redirect back from the authorization server. §8.3: bind the loopback IP literal, not
// "localhost" (which may resolve elsewhere or be served by another program).
import { createServer, type Server } from 'node:http';
import { AuthError } from '../errors.js';

export interface Loopback {
  redirectUri: string;
  /** The first request to the callback path, as a full URL (state is checked by the caller). */
  callback: Promise<URL>;
  close(): void;
}

const PAGE = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><p style="font:16px sans-serif;margin:3em">${text}</p>`;

export async function listenLoopback(timeoutMs: number): Promise<Loopback> {
  let server!: Server;
  let resolveCb!: (u: URL) => void;
  let rejectCb!: (e: Error) => void;
  const callback = new Promise<URL>((res, rej) => {
    resolveCb = res;
    rejectCb = rej;
  });
  callback.catch(() => {}); // handled by whoever awaits it; never an unhandled rejection
  let done = false;
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port()}`);
    if (url.pathname !== '/callback' || req.method !== 'GET' || done) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    done = true;
    const ok = url.searchParams.has('code') && !url.searchParams.has('error');
    // The code is single-use and bound to our PKCE verifier; no-store keeps it out of caches anyway.
    res.writeHead(ok ? 200 : 400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
    res.end(ok ? PAGE('calshare', 'calshare received the sign-in. You can close this tab.') : PAGE('calshare', 'The sign-in did not succeed; see the terminal.'));
    resolveCb(url);
  });
  const port = () => (server.address() as { port: number }).port;
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => res());
  });
  const timer = setTimeout(
    () => rejectCb(new AuthError(`no sign-in arrived within ${Math.round(timeoutMs / 1000)} s`, 'Run `calshare login` again, or use --device on a machine without a browser.')),
    timeoutMs,
  );
  return {
    redirectUri: `http://127.0.0.1:${port()}/callback`,
    callback,
    close() {
      clearTimeout(timer);
      server.closeAllConnections();
      server.close();
    },
  };
}
