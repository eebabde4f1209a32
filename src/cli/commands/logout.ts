// `calshare logout`: delete the keyring entry, read it back to prove it is gone, then forget the
// account. If the keyring cannot be reached the account stays, so nothing is left behind unseen.
import type { GlobalFlags } from '../connect.js';
import { printJson } from '../output.js';
import { AuthError, UsageError } from '../../errors.js';

export async function run(flags: GlobalFlags): Promise<void> {
  const [{ loadConfig, pickAccount, saveConfig }, { keyringDelete, keyringGet, KeyringUnavailable }] = await Promise.all([
    import('../../credentials/config.js'),
    import('../../credentials/keyring.js'),
  ]);
  const config = await loadConfig();
  const picked = pickAccount(config, flags.account);
  if (!picked) throw new UsageError('no account is configured', 'Nothing to log out of; `calshare login` adds an account.');
  const { name, account } = picked;

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
  if (flags.json) return printJson({ account: name, removed: true, keyring });
  const detail = keyring === 'removed' ? 'its secret is deleted from the OS keyring (checked)' : 'no secret was in the OS keyring';
  process.stderr.write(`Logged out of "${name}": the account is removed and ${detail}.\n`);
}
