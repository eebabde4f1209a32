// `calshare logout`: end an OAuth login at its authorization server (RFC 7009), delete the keyring
// entry, read it back to prove it is gone, then forget the account. If the keyring cannot be
// reached the account stays, so nothing is left behind unseen.
import type { GlobalFlags } from '../connect.js';
import { paint, printJson } from '../output.js';
import { AuthError, UsageError } from '../../errors.js';
import type { Account } from '../../credentials/config.js';
import { inert } from '../../util/inert.js';

type Revocation = { state: 'revoked' | 'not-offered' } | { state: 'failed'; reason: string };

export async function run(flags: GlobalFlags): Promise<void> {
  const [{ loadConfig, pickAccount, saveConfig }, { keyringDelete, keyringGet, KeyringUnavailable }] = await Promise.all([
    import('../../credentials/config.js'),
    import('../../credentials/keyring.js'),
  ]);
  const config = await loadConfig();
  const picked = pickAccount(config, flags.account);
  if (!picked) throw new UsageError('no account is configured', 'Nothing to log out of; `calshare login` adds an account.');
  const { name, account } = picked;

  // Revoke before deleting: the refresh token is needed to revoke it.
  let revocation: Revocation | undefined;
  let stored: string | null = null;
  try {
    stored = account.auth === 'oauth' && !account.passwordCommand ? await keyringGet(name) : null;
  } catch (e) {
    if (!(e instanceof KeyringUnavailable)) throw e; // reported by the deletion below
  }
  if (stored !== null) revocation = await revokeLogin(name, account, stored, flags.caFile ?? account.caFile);

  let keyring: 'removed' | 'absent' | 'unavailable';
  try {
    const deleted = await keyringDelete(name);
    if ((await keyringGet(name)) !== null) throw new AuthError(`the OS keyring still holds the secret of "${name}" after deleting it`, 'Remove it with your keyring manager (service "calshare").');
    keyring = deleted ? 'removed' : 'absent';
  } catch (e) {
    if (!(e instanceof KeyringUnavailable)) throw e;
    // An account whose secret never went to the keyring can be forgotten without it.
    if (!account.passwordCommand) {
      throw new AuthError(`cannot reach the OS keyring to remove the secret of "${name}" (${e.reason})`, 'Unlock the keyring and run `calshare logout` again; the account is kept until then.');
    }
    keyring = 'unavailable';
  }
  delete config.accounts[name];
  await saveConfig(config);
  // What discovery cached for the account goes with it (no secret is in it, but nothing is left behind).
  await (await import('../connect.js')).dropDiscoveryCache(account.url, account.username);
  if (flags.json) return printJson({ account: name, removed: true, keyring, ...(revocation ? { revocation } : {}) });
  const detail = keyring === 'removed' ? 'its secret is deleted from the OS keyring (checked)' : 'no secret was in the OS keyring';
  process.stderr.write(`Logged out of "${name}": the account is removed and ${detail}.\n`);
  const issuer = account.oauth ? new URL(account.oauth.issuer).host : '';
  if (revocation?.state === 'revoked') process.stderr.write(`The login is revoked at ${issuer} (RFC 7009).\n`);
  if (revocation && revocation.state !== 'revoked') {
    const why = revocation.state === 'failed' ? `could not revoke the login at ${issuer}: ${inert(revocation.reason)}` : `${issuer} offers no way to revoke a login (no revocation endpoint)`;
    process.stderr.write(
      `${paint(process.stderr, 'yellow', 'warning:')} ${why}; its refresh token stays valid until it expires.\n` +
        `hint: Remove calshare's access in your account's security settings at ${issuer}.\n`,
    );
  }
}

/** Best effort: a failed revocation is reported, and the local logout goes ahead regardless. */
async function revokeLogin(name: string, account: Account, stored: string, caFile: string | undefined): Promise<Revocation | undefined> {
  if (!account.oauth) return undefined;
  try {
    const [{ parseTokenSet }, { oauthClient, revoke }] = await Promise.all([import('../../credentials/resolve.js'), import('../../credentials/oauth.js')]);
    const tokens = parseTokenSet(stored, name);
    const client = await oauthClient(account.oauth, caFile ? { caFile } : {});
    return { state: (await revoke(client, tokens)) ? 'revoked' : 'not-offered' };
  } catch (e) {
    return { state: 'failed', reason: (e as Error).message };
  }
}
