// `calshare ui`: the local web page over the same Session as every other command. Sign-in
// problems are reported here in the terminal before any page is served.
import { execFile } from 'node:child_process';
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

/** The desktop's own opener; a missing one (a server without a desktop) is fine: the link is printed. */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['explorer.exe', [url]] : ['xdg-open', [url]];
  const child = execFile(cmd, args, { timeout: 30_000 }, (err) => {
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
    const ui = await startUi(session, port === undefined ? {} : { port });
    const stopped = stopRequested();
    if (flags.json) printJson({ url: ui.launchUrl, origin: ui.origin, port: ui.port });
    else process.stdout.write(`${ui.launchUrl}\n`);
    process.stderr.write(
      `calshare ui: ${session.transport.user}'s calendars at ${ui.origin}/ (the link above works once, in one browser). Ctrl-C stops.\n`,
    );
    if (flags.open !== false) openBrowser(ui.launchUrl);
    await stopped;
    await ui.close();
    process.stderr.write('calshare ui: stopped.\n');
  } finally {
    await session.close();
  }
}
