// `calshare ui`: the local web page over the same Session as every other command. Sign-in
// problems are reported here in the terminal before any page is served.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openSession, type GlobalFlags } from '../connect.js';
import { printJson } from '../output.js';
import { UsageError } from '../../errors.js';

export interface UiFlags extends GlobalFlags {
  port?: string;
  /** commander's --no-open: false when given. */
  open?: boolean;
}

function parsePort(p: string | undefined): number | undefined {
  if (p === undefined) return undefined;
  const n = Number(p);
  if (!/^\d+$/.test(p) || n > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, not "${p}"`, 'Leave --port out to take a free port.');
  return n;
}

/**
 * The environment for the opener and the browser it starts: everything but calshare's own
 * variables, which may hold the password or a token (CALSHARE_PASSWORD, CALSHARE_TOKEN).
 */
export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !/^CALSHARE_/i.test(k)));
}

/**
 * A one-time page in a private directory (0700, file 0600) that sends the browser on to the
 * launch link. The opener's command line, which every local process can read in /proc, then
 * holds only this file's name, never the token or the secret path of the UI.
 */
async function launchPage(launchUrl: string): Promise<{ url: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'calshare-ui-'));
  const file = join(dir, 'open.html');
  // The launch URL is origin + base64url path + ?t=base64url: nothing in it needs HTML escaping.
  await writeFile(file, `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${launchUrl}"><title>calshare</title><a href="${launchUrl}">Open calshare</a>\n`, { mode: 0o600, flag: 'wx' });
  return { url: pathToFileURL(file).href, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The desktop's own opener; a missing one (a server without a desktop) is fine: the link is printed. */
function openBrowser(target: string): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [target]] : process.platform === 'win32' ? ['explorer.exe', [target]] : ['xdg-open', [target]];
  const child = execFile(cmd, args, { timeout: 30_000, env: childEnv() }, (err) => {
    if (err) process.stderr.write('calshare ui: could not open a browser; open the link above yourself.\n');
  });
  child.unref();
}

/** Resolves on the first Ctrl-C or SIGTERM. */
function stopRequested(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (sig: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(sig);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function run(flags: UiFlags): Promise<void> {
  const port = parsePort(flags.port);
  const session = await openSession(flags);
  try {
    await session.principal();
    const { startUi } = await import('../../web/server.js');
    let page: Awaited<ReturnType<typeof launchPage>> | undefined;
    const ui = await startUi(session, { ...(port === undefined ? {} : { port }), onLaunch: () => void page?.remove() });
    const stopped = stopRequested();
    if (flags.json) printJson({ url: ui.launchUrl, origin: ui.origin, base: ui.base, port: ui.port });
    else process.stdout.write(`${ui.launchUrl}\n`);
    process.stderr.write(
      `calshare ui: ${session.transport.user}'s calendars at ${ui.origin}/ (the link above works once, in one browser). Ctrl-C stops.\n`,
    );
    if (flags.open !== false) {
      page = await launchPage(ui.launchUrl);
      openBrowser(page.url);
    }
    await stopped;
    await ui.close();
    await page?.remove();
    process.stderr.write('calshare ui: stopped.\n');
  } finally {
    await session.close();
  }
}
