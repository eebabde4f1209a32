// Accounts live in $XDG_CONFIG_HOME/calshare/config.json (XDG Base Directory spec; default
// ~/.config). The file holds where and how to log in, NEVER a secret: secrets are in the OS
// keyring, a password command, or the environment (see ./resolve.ts for the order).
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { inertLine, shellWord } from '../util/inert.js';

export type AuthMethod = 'basic' | 'oauth';

export interface OAuthSettings {
  issuer: string;
  clientId: string;
  scope?: string;
  /** Endpoint overrides, for servers without RFC 8414 / OIDC discovery metadata. */
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  deviceAuthorizationEndpoint?: string;
}

export interface Account {
  url: string;
  username: string;
  auth: AuthMethod;
  caFile?: string;
  /** argv, run without a shell; its stdout's first line is the secret. */
  passwordCommand?: string[];
  oauth?: OAuthSettings;
  /** Hosts beyond `url` the server sent calshare to at login (https, same registrable domain,
   *  e.g. iCloud's pNN-caldav.icloud.com), recorded so they are visible here. */
  origins?: string[];
}

export interface Config {
  version: 1;
  accounts: Record<string, Account>;
}

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  // XDG Base Directory §"Environment variables": a relative XDG_CONFIG_HOME is invalid and ignored.
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.config'), 'calshare');
}

export const configPath = (env: NodeJS.ProcessEnv = process.env) => join(configDir(env), 'config.json');

const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function checkAccountName(name: string): string {
  if (!ACCOUNT_NAME.test(name)) {
    throw new UsageError(`"${name}" is not a usable account name`, 'Use letters, digits, ".", "_", "@" or "-" (at most 64), e.g. --account work.');
  }
  return name;
}

/**
 * The config names a command calshare runs (passwordCommand) and where the password goes, so
 * like ssh (ssh_config(5) "StrictModes"-style checks on ~/.ssh/config) it is refused when someone
 * else could have written it: the file or its directory owned by another user (root aside), or
 * writable by group or others. Nothing from such a file is used, no command is run.
 */
export async function checkTrusted(path: string, kind: 'file' | 'directory'): Promise<void> {
  const uid = process.getuid?.();
  if (uid === undefined) return; // Windows: ACLs, not modes; the profile directory is private by default.
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (st.uid !== uid && st.uid !== 0) {
    throw new UsageError(
      `refusing to use ${inertLine(path)}: the ${kind} belongs to another user (uid ${st.uid}), who could make calshare run their commands or send your password elsewhere`,
      `If it is yours, take it over: chown ${uid} ${shellWord(path)}; otherwise remove it and run \`calshare login\` again.`,
    );
  }
  if (st.mode & 0o022) {
    throw new UsageError(
      `refusing to use ${inertLine(path)}: the ${kind} is writable by ${st.mode & 0o002 ? 'everyone' : 'its group'} (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}), who could make calshare run their commands`,
      `Fix its permissions: chmod go-w ${shellWord(path)}${kind === 'directory' ? '' : ' (calshare writes it 0600)'}, then check its content.`,
    );
  }
}

export async function loadConfig(env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  const path = configPath(env);
  await checkTrusted(configDir(env), 'directory');
  await checkTrusted(path, 'file');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, accounts: {} };
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  try {
    const parsed = JSON.parse(text) as Config;
    if (parsed?.version !== 1 || typeof parsed.accounts !== 'object' || parsed.accounts === null) throw new Error('shape');
    return parsed;
  } catch {
    throw new UsageError(`${path} is not a calshare config file`, `Fix or remove it; \`calshare login\` writes a new one.`);
  }
}

/**
 * Writes the whole file atomically (temp file in the same directory, fsync, rename), so a crash
 * leaves the old or the new file and never half of one. Directory 0700, file 0600 from creation.
 */
export async function saveConfig(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const dir = configDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const path = configPath(env);
  const tmp = join(dir, `.config.json.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(JSON.stringify(config, null, 2) + '\n', 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return path;
}

/** The account a command uses: the named one, else the only one; undefined when none is configured. */
export function pickAccount(config: Config, name: string | undefined): { name: string; account: Account } | undefined {
  const names = Object.keys(config.accounts);
  if (name !== undefined) {
    const account = config.accounts[name];
    if (!account) {
      throw new UsageError(
        `no account "${name}"`,
        names.length ? `Configured accounts: ${names.join(', ')}. \`calshare accounts\` lists them.` : 'Run `calshare login` to add one.',
      );
    }
    return { name, account };
  }
  if (names.length === 1) return { name: names[0]!, account: config.accounts[names[0]!]! };
  if (names.length > 1) {
    throw new UsageError(`${names.length} accounts are configured (${names.join(', ')}); which one?`, 'Add --account NAME (or set CALSHARE_ACCOUNT).');
  }
  return undefined;
}
