// `calshare accounts`: the configured accounts and where each one's secret lives (never the secret).
import type { GlobalFlags } from '../connect.js';
import { printJson, table } from '../output.js';

type Where = { source: 'env'; variable: string } | { source: 'password-command'; command: string[] } | { source: 'keyring'; stored: boolean | null; reason?: string };

export async function run(flags: GlobalFlags): Promise<void> {
  const [{ loadConfig, configPath }, { keyringGet }] = await Promise.all([import('../../credentials/config.js'), import('../../credentials/keyring.js')]);
  const config = await loadConfig();
  const rows = await Promise.all(
    Object.entries(config.accounts).map(async ([name, a]) => {
      let where: Where;
      const envVar = process.env.CALSHARE_TOKEN ? 'CALSHARE_TOKEN' : process.env.CALSHARE_PASSWORD ? 'CALSHARE_PASSWORD' : undefined;
      if (envVar) where = { source: 'env', variable: envVar };
      else if (a.passwordCommand?.length) where = { source: 'password-command', command: a.passwordCommand };
      else {
        // Presence only: the value is read to learn whether one exists and dropped at once.
        where = await keyringGet(name).then(
          (v): Where => ({ source: 'keyring', stored: v !== null }),
          (e: Error): Where => ({ source: 'keyring', stored: null, reason: e.message }),
        );
      }
      return { name, url: a.url, username: a.username, auth: a.auth, ...(a.caFile ? { caFile: a.caFile } : {}), ...(a.oauth ? { oauth: { issuer: a.oauth.issuer, clientId: a.oauth.clientId, ...(a.oauth.scope ? { scope: a.oauth.scope } : {}) } } : {}), secret: where };
    }),
  );
  if (flags.json) return printJson({ configFile: configPath(), accounts: rows });
  if (!rows.length) return void process.stderr.write('No accounts yet; `calshare login` adds one.\n');
  const describe = (w: Where) =>
    w.source === 'env' ? `environment (${w.variable})` : w.source === 'password-command' ? `password command: ${w.command.join(' ')}` : w.stored === null ? `OS keyring (unreachable: ${w.reason})` : w.stored ? 'OS keyring' : 'OS keyring (missing: run calshare login)';
  process.stdout.write(table(['ACCOUNT', 'USER', 'AUTH', 'URL', 'SECRET'], rows.map((r) => [r.name, r.username, r.auth, r.url, describe(r.secret)])));
}
