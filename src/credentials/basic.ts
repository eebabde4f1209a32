// HTTP Basic (RFC 7617). The secret lives only inside this closure; nothing that prints a
// Credentials object (logs, --json, stack traces) can reach it.
import { UsageError } from '../errors.js';
import type { Credentials } from '../transport/http.js';

export function basicCredentials(user: string, secret: () => Promise<string>): Credentials {
  // RFC 7617 §2: the user-id cannot contain a colon, and the charset we send is UTF-8 (§2.1).
  if (user.includes(':')) throw new UsageError('a user name for HTTP Basic cannot contain ":"');
  return {
    user,
    scheme: 'basic',
    async authorization() {
      return `Basic ${Buffer.from(`${user}:${await secret()}`, 'utf8').toString('base64')}`;
    },
  };
}

/** The password from CALSHARE_PASSWORD: the only source until accounts exist (never argv). */
export function envPassword(env: NodeJS.ProcessEnv = process.env): () => Promise<string> {
  const pw = env.CALSHARE_PASSWORD;
  return async () => {
    if (pw === undefined || pw === '') {
      throw new UsageError(
        'no password given',
        'Set the CALSHARE_PASSWORD environment variable; calshare never takes a password on the command line.',
      );
    }
    return pw;
  };
}
