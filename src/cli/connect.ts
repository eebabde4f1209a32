// From command-line flags to an open Session. Secrets never come from argv.
import { UsageError } from '../errors.js';
import type { Session } from '../session.js';

export interface GlobalFlags {
  url?: string;
  username?: string;
  caFile?: string;
  timeout?: string;
  verbose?: boolean;
  json?: boolean;
}

export async function openSession(flags: GlobalFlags): Promise<Session> {
  const url = flags.url ?? process.env.CALSHARE_URL;
  const username = flags.username ?? process.env.CALSHARE_USERNAME;
  if (!url) throw new UsageError('missing --url', 'Give the server address, e.g. --url https://cal.example.com/ (or set CALSHARE_URL).');
  if (!username) throw new UsageError('missing --username', 'Give your user name on that server with --username NAME (or set CALSHARE_USERNAME).');
  let timeoutMs: number | undefined;
  if (flags.timeout !== undefined) {
    const s = Number(flags.timeout);
    if (!Number.isFinite(s) || s <= 0 || s > 3600) throw new UsageError(`--timeout must be a number of seconds between 0 and 3600, not "${flags.timeout}"`);
    timeoutMs = s * 1000;
  }
  const [{ Session }, { basicCredentials, envPassword }] = await Promise.all([
    import('../session.js'),
    import('../credentials/basic.js'),
  ]);
  return Session.open({
    url,
    credentials: basicCredentials(username, envPassword()),
    ...(flags.caFile ? { caFile: flags.caFile } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
    ...(flags.verbose
      ? { onTrace: (t) => process.stderr.write(`  #${t.n} ${t.method} ${t.url} → ${t.status} (${t.ms} ms)\n`) }
      : {}),
  });
}

/** Opens a session, runs the command, reports the request count under --verbose, always closes. */
export async function withSession<T>(flags: GlobalFlags, run: (s: Session) => Promise<T>): Promise<T> {
  const session = await openSession(flags);
  try {
    return await run(session);
  } finally {
    if (flags.verbose) process.stderr.write(`  ${session.transport.requestCount} HTTP request(s)\n`);
    await session.close();
  }
}
