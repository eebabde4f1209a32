// The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows) via
// @napi-rs/keyring, imported only when a secret is needed. One entry per account:
// service "calshare", account = the calshare account name. Any failure of the store itself is
// "unavailable" (a headless box without a Secret Service, a locked keyring): callers then offer
// the password command, and nothing ever falls back to a plaintext file.

export const SERVICE = 'calshare';

export class KeyringUnavailable extends Error {
  constructor(readonly reason: string) {
    super(`no usable OS keyring (${reason})`);
    this.name = 'KeyringUnavailable';
  }
}

interface Store {
  get(): Promise<string | null>;
  set(secret: string): Promise<void>;
  delete(): Promise<boolean>;
}

// The platform's words, first line only: they never contain the secret (the library reports the
// store's failure, not the value), but stay short in messages.
const reasonOf = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0]!.slice(0, 200);

async function entry(account: string): Promise<Store> {
  let mod: typeof import('@napi-rs/keyring');
  try {
    mod = await import('@napi-rs/keyring');
  } catch (e) {
    throw new KeyringUnavailable(`the keyring module does not load on this platform: ${reasonOf(e)}`);
  }
  // Pinned to the Secret Service on Linux: the kernel keyutils fallback forgets everything at
  // reboot (keyring-rs docs, module keyutils), so a "saved" login would silently vanish.
  let e: InstanceType<typeof mod.AsyncEntry>;
  try {
    e = new mod.AsyncEntry(SERVICE, account, process.platform === 'linux' ? { linux: { store: 'secret-service' } } : undefined);
  } catch (err) {
    throw new KeyringUnavailable(reasonOf(err));
  }
  const guard = async <T>(op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (err) {
      throw new KeyringUnavailable(reasonOf(err));
    }
  };
  return {
    get: () => guard(() => e.getPassword()),
    set: (secret) => guard(() => e.setPassword(secret)),
    delete: () => guard(() => e.deletePassword()),
  };
}

export const keyringGet = async (account: string) => (await entry(account)).get();
export const keyringSet = async (account: string, secret: string) => (await entry(account)).set(secret);
export const keyringDelete = async (account: string) => (await entry(account)).delete();
