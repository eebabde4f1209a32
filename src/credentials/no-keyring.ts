// What to say when there is no usable OS keyring (a headless box, a container, a desktop without
// a Secret Service): a plain sentence with the options, instead of the platform's raw D-Bus error.
// calshare never falls back to writing the secret to a file, so the options are a command that
// prints the secret on demand, or the environment for CI.

/** Password commands people already use, one line each; the command's first output line is used. */
export const PASSWORD_COMMAND_EXAMPLES: readonly (readonly [tool: string, command: string])[] = [
  ['pass', 'pass show caldav/alice'],
  ['gopass', 'gopass show -o caldav/alice'],
  ['1Password CLI', 'op read op://Personal/CalDAV/password'],
  ['Bitwarden CLI', 'bw get password caldav.example.com'],
];

export function noKeyringAdvice(what: 'the password' | 'the OAuth refresh token'): string {
  const examples = PASSWORD_COMMAND_EXAMPLES.map(([tool, cmd]) => `    ${`--password-command '${cmd}'`.padEnd(58)} (${tool})`).join('\n');
  const token = what === 'the password' ? 'CALSHARE_PASSWORD' : 'CALSHARE_TOKEN';
  return [
    `There is no OS keyring here to keep ${what} in, and calshare never writes a secret to a file.`,
    'Either let calshare ask a password manager each time, with a password command:',
    examples,
    `or, in CI and scripts, set ${token} in the environment of every command (nothing is saved).`,
  ].join('\n');
}

/** The one-line hint for errors (exit 2) when nothing can be asked. */
export function noKeyringHint(what: 'the password' | 'the OAuth refresh token'): string {
  return what === 'the password'
    ? "Give --password-command (e.g. 'pass show caldav/alice', 'op read op://Personal/CalDAV/password', 'bw get password caldav.example.com'), or set CALSHARE_PASSWORD for each command."
    : 'Give --password-command with a command that prints an access token, or set CALSHARE_TOKEN for each command.';
}
