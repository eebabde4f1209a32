// `calshare login`: ask for what is missing (only on a terminal), prove it works with a real
// discovery request, then save the account (config file) and its secret (OS keyring), in that
// order, so a typo never becomes a saved account.
import { openTarget, type GlobalFlags } from '../connect.js';
import { printJson } from '../output.js';
import { AuthError, UsageError } from '../../errors.js';
import { parseServerUrl } from '../../transport/url-policy.js';
import type { Account, OAuthSettings } from '../../credentials/config.js';
import type { Credentials } from '../../transport/http.js';
import type { TokenSet } from '../../credentials/oauth.js';

export interface LoginFlags extends GlobalFlags {
  auth?: 'basic' | 'oauth';
  passwordCommand?: string;
  issuer?: string;
  clientId?: string;
  scope?: string;
  device?: boolean;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  deviceEndpoint?: string;
}

type Ask = (kind: 'text' | 'password', message: string, initial?: string) => Promise<string>;

async function terminalAsk(): Promise<Ask | undefined> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  const p = await import('@clack/prompts');
  return async (kind, message, initial) => {
    const answer = kind === 'password' ? await p.password({ message, mask: '•' }) : await p.text({ message, ...(initial ? { initialValue: initial } : {}) });
    if (p.isCancel(answer) || !answer) throw new UsageError('login cancelled');
    return answer;
  };
}

/** A value from its flag, else from the terminal, else a usage error naming the flag. */
async function need(value: string | undefined, ask: Ask | undefined, flag: string, question: string, hint: string): Promise<string> {
  if (value) return value;
  if (ask) return ask('text', question);
  throw new UsageError(`missing ${flag}`, `${hint} (calshare asks only on a terminal).`);
}

const say = (line: string) => process.stderr.write(`${line}\n`);

export async function run(flags: LoginFlags): Promise<void> {
  const ask = await terminalAsk();
  const [{ checkAccountName, loadConfig, saveConfig, configPath }, keyring, { splitCommand }, { runPasswordCommand }] = await Promise.all([
    import('../../credentials/config.js'),
    import('../../credentials/keyring.js'),
    import('../../credentials/argv.js'),
    import('../../credentials/password-command.js'),
  ]);
  const url = parseServerUrl(await need(flags.url, ask, '--url', 'CalDAV server address', 'Give the server with --url https://cal.example.com/')).href;
  const username = await need(flags.username, ask, '--username', 'User name on that server', 'Give your user name with --username NAME');
  const auth = flags.auth ?? (flags.issuer ? 'oauth' : 'basic');
  const name = checkAccountName(flags.account ?? `${username}@${new URL(url).hostname}`.replace(/[^A-Za-z0-9._@-]/g, '-'));
  const passwordCommand = flags.passwordCommand ? splitCommand(flags.passwordCommand) : undefined;

  // Where the secret will live, decided before anyone types it.
  let store: 'keyring' | 'password-command' = passwordCommand ? 'password-command' : 'keyring';
  let command = passwordCommand;
  if (store === 'keyring') {
    const unavailable = await keyring.keyringGet(name).then(() => undefined, (e: Error) => e.message);
    if (unavailable) {
      const what = auth === 'oauth' ? 'the OAuth refresh token' : 'the password';
      const { noKeyringAdvice, noKeyringHint } = await import('../../credentials/no-keyring.js');
      if (!ask) throw new UsageError(`cannot save the login of "${name}": there is no OS keyring here`, noKeyringHint(what));
      say(noKeyringAdvice(what));
      if (flags.verbose) say(`  (keyring: ${unavailable})`);
      store = 'password-command';
    }
  }

  const caFile = flags.caFile;
  const oauth = auth === 'oauth' && store === 'keyring' ? await oauthSettings(flags, ask) : undefined;
  let secret: string;
  let tokens: TokenSet | undefined;
  if (store === 'password-command') {
    // On a terminal a failing command (a typo, a locked vault) is reported and asked again;
    // without one it ends the login (exit 3) as before.
    for (;;) {
      if (!command) command = splitCommand(await ask!('text', 'Password command (run without a shell; its first output line is the secret)'));
      try {
        secret = await runPasswordCommand(command, name);
        break;
      } catch (e) {
        if (!ask || !(e instanceof AuthError)) throw e;
        say(`${e.message}. Try again, or press Esc to stop.`);
        command = undefined;
      }
    }
  } else if (oauth) {
    const { oauthLogin } = await import('../../credentials/oauth-login.js');
    tokens = await oauthLogin(oauth, {
      ...(flags.device ? { device: true } : {}),
      ...(caFile ? { caFile } : {}),
      say,
      ...(flags.verbose ? { trace: (t) => say(`  oauth ${t.method} ${t.url} → ${t.status} (${t.ms} ms)`) } : {}),
    });
    secret = tokens.access_token;
  } else {
    // Without a terminal the password comes from CALSHARE_PASSWORD, once, and is then kept in
    // the keyring: later commands need no environment variable.
    const env = process.env.CALSHARE_PASSWORD;
    if (env) secret = env;
    else if (ask) secret = await ask('password', `Password for ${username} at ${new URL(url).host}`);
    else throw new UsageError('no password given', 'Without a terminal, set CALSHARE_PASSWORD for this login (it is then stored in the OS keyring), or give --password-command.');
  }

  const { basicCredentials } = await import('../../credentials/basic.js');
  const { bearerCredentials } = await import('../../credentials/resolve.js');
  const credentials: Credentials = auth === 'oauth' ? bearerCredentials(username, async () => secret) : basicCredentials(username, async () => secret);
  const { principal, origins } = await verify(flags, name, url, caFile, credentials);

  const account: Account = {
    url,
    username,
    auth,
    ...(caFile ? { caFile } : {}),
    ...(store === 'password-command' ? { passwordCommand: command! } : {}),
    ...(oauth ? { oauth } : {}),
    ...(origins.length ? { origins } : {}),
  };
  if (store === 'keyring') await keyring.keyringSet(name, tokens ? JSON.stringify(tokens) : secret);
  const config = await loadConfig();
  config.accounts[name] = account;
  const file = await saveConfig(config);

  const where = store === 'keyring' ? 'the OS keyring' : `the password command (${command!.join(' ')})`;
  if (flags.json) {
    printJson({ account: name, url, username, auth, principal: principal.href, ...(origins.length ? { origins } : {}), secret: store, configFile: configPath() });
  } else {
    say(`Logged in to ${new URL(url).host} as ${username}; account "${name}" saved in ${file}, secret in ${where}.`);
    if (origins.length) say(`The server keeps your calendars on ${origins.join(', ')} (https, same registrable domain); recorded in the account.`);
  }
}

async function oauthSettings(flags: LoginFlags, ask: Ask | undefined): Promise<OAuthSettings> {
  const issuer = await need(flags.issuer, ask, '--issuer', 'OAuth issuer (authorization server) URL', 'Give the authorization server with --issuer URL');
  const clientId = await need(flags.clientId, ask, '--client-id', 'OAuth client id', 'Give the client id registered for calshare with --client-id ID');
  return {
    issuer,
    clientId,
    ...(flags.scope ? { scope: flags.scope } : {}),
    ...(flags.authorizationEndpoint ? { authorizationEndpoint: flags.authorizationEndpoint } : {}),
    ...(flags.tokenEndpoint ? { tokenEndpoint: flags.tokenEndpoint } : {}),
    ...(flags.deviceEndpoint ? { deviceAuthorizationEndpoint: flags.deviceEndpoint } : {}),
  };
}

/** One real discovery round (RFC 6764 / RFC 5397) with the new credentials, before saving. */
async function verify(flags: GlobalFlags, name: string, url: string, caFile: string | undefined, credentials: Credentials): Promise<{ principal: URL; origins: string[] }> {
  const session = await openTarget({ url, credentials, ...(caFile ? { caFile } : {}) }, flags);
  try {
    const principal = (await session.principal()).url;
    return { principal, origins: session.crossHostOrigins };
  } catch (e) {
    if (e instanceof AuthError) throw new AuthError(`login "${name}" at ${url} failed: ${e.message}`, e.hint);
    throw e;
  } finally {
    await session.close();
  }
}
