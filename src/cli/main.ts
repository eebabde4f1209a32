#!/usr/bin/env node
// calshare's command line. Only commander loads at start; each command imports its own code
// (network, XML, prompts) when it runs, so `calshare --help` stays close to bare node start-up.
import { Command, CommanderError, Option } from 'commander';
import { EXIT_CODE_HELP, reportError, setJsonFields } from './output.js';
import { takeJsonFields } from './json-fields.js';

// A reader that goes away (`calshare sharees | head -1`) ends calshare quietly, as gh and
// other well-behaved filters do, instead of an EPIPE stack trace. Whatever was being changed
// on the server was already read back before anything was printed.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode === undefined ? 0 : Number(process.exitCode));
    throw e;
  });
}
import { VIA_CHOICES } from './via.js';

const program = new Command('calshare')
  .description('Share your CalDAV calendars with other people, and take the sharing back.')
  .version('0.1.0')
  .addOption(new Option('--url <url>', 'CalDAV server address: its root or any URL on it').env('CALSHARE_URL'))
  .addOption(new Option('--username <name>', 'your user name on that server').env('CALSHARE_USERNAME'))
  .addOption(new Option('--account <name>', 'use this account saved by `calshare login` (default: the only one)').env('CALSHARE_ACCOUNT'))
  .option('--ca-file <path>', 'trust this CA certificate (PEM), for private or self-signed servers')
  .option('--timeout <seconds>', 'give up on a request after this long (default 30)')
  .option('--json', 'print one JSON document on stdout, for scripts (--json name,url keeps only those fields of each item)')
  .option('-v, --verbose', 'trace every HTTP request (credentials redacted) to stderr')
  .addHelpText(
    'after',
    `
Log in once with \`calshare login\` (the secret goes to the OS keyring), or give --url and
--username with the password in CALSHARE_PASSWORD. calshare never takes a secret on the
command line; \`calshare login --help\` shows where secrets are looked up.

${EXIT_CODE_HELP}`,
  )
  .addHelpText(
    'after',
    `
Examples:
  calshare share               # on a terminal: pick a calendar, type addresses, choose a level
  calshare share Work bob@example.com --view --json
  calshare unshare Work bob@example.com --yes
  source <(calshare completion bash)`,
  )
  // gh lists "INHERITED FLAGS" under each command; commander's global options are the same idea.
  .configureHelp({ showGlobalOptions: true })
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

program
  .command('calendars')
  .description('list your calendars, who owns them and how many people they are shared with')
  .addHelpText('after', '\nExample:\n  CALSHARE_PASSWORD=… calshare calendars --url https://cal.example.com/ --username alice')
  .action(async (_opts, cmd: Command) => (await import('./commands/calendars.js')).run(cmd.optsWithGlobals()));

program
  .command('capabilities')
  .argument('[calendar]', 'display name, path or URL; all calendars when omitted')
  .description('show which sharing mechanisms the server really offers for a calendar, and why')
  .addHelpText('after', '\nExample:\n  calshare capabilities Work --url https://cal.example.com/ --username alice --json')
  .action(async (calendar: string | undefined, _opts, cmd: Command) =>
    (await import('./commands/capabilities.js')).run(calendar, cmd.optsWithGlobals()),
  );

/** Repeatable: --group team --group "Team A". */
const collect = (v: string, prev: string[] = []) => [...prev, v];
const group = (verb: string) =>
  new Option('--group <name>', `${verb} a group of the server by its name (repeatable; where the server shares with groups)`).argParser(collect);

const via = () =>
  new Option('--via <mechanism>', 'force a sharing mechanism instead of the detected default').choices([...VIA_CHOICES]);

program
  .command('share')
  .argument('[calendar]', 'display name, path or URL of your calendar (asked on a terminal when omitted)')
  .argument('[email...]', 'people to share with (asked on a terminal when omitted)')
  .option('--view', 'view-only: they can read events')
  .option('--edit', 'edit: they can create, change and delete events')
  .option('--calendar <calendar>', 'a calendar to share; repeat for several (then every argument is a person)', (v: string, all: string[] = []) => [...all, v])
  .addOption(group('share with'))
  .addOption(via())
  .option('--dry-run', 'print the requests that would be sent, and send nothing that changes state')
  .description('share a calendar with people (or change their level); verified by reading it back')
  .addHelpText(
    'after',
    `
Examples:
  calshare share                      # on a terminal: pick calendar, people and level
  calshare share Work bob@example.com --view
  calshare share --calendar Work --calendar On-call bob@example.com --edit
  calshare share Work bob@example.com carol@example.com --edit --via acl --json
  calshare share /dav/calendars/user/alice/Default/ bob@example.com --view --dry-run
  calshare share Work --group "Team A" --edit        # Nextcloud: a group, by its name

Without a terminal (or with --json) nothing is asked: a missing CALENDAR, EMAIL or
--view/--edit is a usage error (exit 2). Ctrl-C at a prompt exits 130, Esc or
Ctrl-D exits 2; nothing is sent before the last answer.`,
  )
  .action(async (calendar: string | undefined, emails: string[], _o, cmd: Command) =>
    (await import('./commands/share.js')).run(calendar, emails, cmd.optsWithGlobals()),
  );

program
  .command('sharees')
  .argument('[calendar]', 'display name, path or URL; every calendar you own when omitted')
  .addOption(new Option('--format <format>', 'write the audit as a plan file (every person, level, invite status, source)').choices(['json', 'csv']))
  .description('show who has access, at which level, and whether they accepted')
  .addHelpText(
    'after',
    '\nExamples:\n  calshare sharees            # audit every calendar you own\n  calshare sharees Work --json\n  calshare sharees --format csv > sharing.csv   # export, edit, then: calshare apply sharing.csv',
  )
  .action(async (calendar: string | undefined, _o, cmd: Command) =>
    (await import('./commands/sharees.js')).run(calendar, cmd.optsWithGlobals()),
  );

program
  .command('plan')
  .argument('<file>', 'a sharing plan: YAML, JSON or CSV (- for standard input)')
  .option('--prune', 'also list people who have access but are not in the plan, to be removed')
  .description('show what a sharing plan would change on every calendar it names; sends nothing that changes state')
  .addHelpText(
    'after',
    `
Example plan (YAML):
  calendars:
    - calendar: Work
      sharees:
        - email: bob@example.com
          level: edit
        - email: carol@example.com
          level: view

Examples:
  calshare plan team.yaml
  calshare sharees --format json > team.json && calshare plan team.json --prune`,
  )
  .action(async (file: string, _o, cmd: Command) => (await import('./commands/plan.js')).runPlan(file, cmd.optsWithGlobals()));

program
  .command('apply')
  .argument('<file>', 'a sharing plan: YAML, JSON or CSV (- for standard input)')
  .option('--prune', 'also remove people who have access but are not in the plan')
  .option('-y, --yes', 'make the changes without asking (required when not at a terminal)')
  .description('make every calendar match a sharing plan, one write per calendar, verified by reading it back')
  .addHelpText(
    'after',
    `
Examples:
  calshare apply team.yaml            # shows the difference, asks, applies
  calshare apply team.yaml --yes --json
  calshare apply team.csv --prune --yes

A calendar that fails does not stop the others. Exit 8 when some calendars were not
changed as planned (the report names them and what was left as it was); running the
same plan again changes only what is still different.`,
  )
  .action(async (file: string, _o, cmd: Command) => (await import('./commands/plan.js')).runApply(file, cmd.optsWithGlobals()));

program
  .command('unshare')
  .argument('[calendar]', 'display name, path or URL of your calendar (picked on a terminal when omitted)')
  .argument('[email...]', 'people to remove (picked on a terminal when omitted)')
  .option('--all', 'remove everyone the calendar is shared with')
  .option('-y, --yes', 'do not ask for confirmation (required when not at a terminal)')
  .option('--calendar <calendar>', 'a calendar to remove people from; repeat for several (then every argument is a person)', (v: string, all: string[] = []) => [...all, v])
  .addOption(group('remove'))
  .addOption(via())
  .option('--dry-run', 'print the requests that would be sent, and send nothing that changes state')
  .description('take sharing back from one, several or all people; verified by reading it back')
  .addHelpText(
    'after',
    `
Examples:
  calshare unshare                    # on a terminal: pick a shared calendar, then people
  calshare unshare Work bob@example.com --yes
  calshare unshare Work --all --yes --json

Without a terminal (or with --json) nothing is asked: a missing CALENDAR, EMAIL/--all
or --yes is a usage error (exit 2). Ctrl-C at a prompt exits 130, Esc or Ctrl-D
exits 2; nothing is sent before the confirmation.`,
  )
  .action(async (calendar: string | undefined, emails: string[], _o, cmd: Command) =>
    (await import('./commands/unshare.js')).run(calendar, emails, cmd.optsWithGlobals()),
  );

program
  .command('delegate')
  .argument('[email...]', 'people to give access to ALL your calendars (asked on a terminal when omitted)')
  .option('--view', 'view-only: they can read events in every calendar')
  .option('--edit', 'edit: they can create, change and delete events in every calendar')
  .option('--dry-run', 'print the requests that would be sent, and send nothing that changes state')
  .description('delegate your whole account (every calendar) through calendar-proxy; verified by reading it back')
  .addHelpText(
    'after',
    `
Delegation gives access to EVERY calendar of your account, also ones made later. To share
one calendar, use \`calshare share\`.

Examples:
  calshare delegate bob@example.com --view
  calshare delegate bob@example.com carol@example.com --edit --json`,
  )
  .action(async (emails: string[], _o, cmd: Command) => (await import('./commands/delegate.js')).run(emails, cmd.optsWithGlobals()));

program
  .command('delegates')
  .description('show who has delegated access to all your calendars (calendar-proxy), at which level')
  .addHelpText('after', '\nExamples:\n  calshare delegates\n  calshare delegates --json')
  .action(async (_o, cmd: Command) => (await import('./commands/delegates.js')).run(cmd.optsWithGlobals()));

program
  .command('undelegate')
  .argument('[email...]', 'delegates to remove (picked on a terminal when omitted)')
  .option('--all', 'remove every delegate')
  .option('-y, --yes', 'do not ask for confirmation (required when not at a terminal)')
  .option('--dry-run', 'print the requests that would be sent, and send nothing that changes state')
  .description('take delegated access to all your calendars back; verified by reading it back')
  .addHelpText('after', '\nExamples:\n  calshare undelegate bob@example.com --yes\n  calshare undelegate --all --yes --json')
  .action(async (emails: string[], _o, cmd: Command) => (await import('./commands/undelegate.js')).run(emails, cmd.optsWithGlobals()));

program
  .command('invites')
  .description('list invitations to calendars others shared with you: owner, level offered, status, when sent')
  .addHelpText('after', '\nExamples:\n  calshare invites\n  calshare invites --json')
  .action(async (_o, cmd: Command) => (await import('./commands/invites.js')).run(cmd.optsWithGlobals()));

program
  .command('accept')
  .argument('[invite]', 'calendar name, owner address or invitation id; or the URL of a calendar shared with you (picked on a terminal when omitted)')
  .description('accept an invitation, or add a calendar shared with you to your calendar list; verified by reading it back')
  .addHelpText(
    'after',
    `
Examples:
  calshare accept                     # on a terminal: pick one of your invitations
  calshare accept Work                # the invitation to the calendar named Work
  calshare accept alice@example.com --json
  calshare accept https://cal.example.com/caldav.php/alice/calendar/   # servers without invitations

Without a terminal (or with --json) nothing is asked: a missing INVITE is a usage error (exit 2).`,
  )
  .action(async (invite: string | undefined, _o, cmd: Command) => (await import('./commands/accept.js')).run('accept', invite, cmd.optsWithGlobals()));

program
  .command('decline')
  .argument('[invite]', 'calendar name, owner address or invitation id; or the URL of a calendar shared with you')
  .option('-y, --yes', 'do not ask for confirmation (required when not at a terminal)')
  .description('decline an invitation (the owner sees it; only the owner can take the access away)')
  .addHelpText('after', '\nExamples:\n  calshare decline Work --yes\n  calshare decline alice@example.com --yes --json')
  .action(async (invite: string | undefined, _o, cmd: Command) => (await import('./commands/decline.js')).run(invite, cmd.optsWithGlobals()));

program
  .command('completion')
  .argument('<shell>', 'bash, zsh or fish')
  .description('print a shell completion script (commands, flags, account names)')
  .addHelpText(
    'after',
    `
Examples:
  source <(calshare completion bash)                    # try it in this shell
  calshare completion bash > ~/.local/share/bash-completion/completions/calshare
  calshare completion zsh > "\${fpath[1]}/_calshare"
  calshare completion fish > ~/.config/fish/completions/calshare.fish`,
  )
  .action(async (shell: string) => (await import('./commands/completion.js')).run(shell, program));

// Used by the completion scripts to offer account names; prints one name a line, never fails.
program
  .command('__accounts', { hidden: true })
  .action(async () => (await import('./commands/completion.js')).printAccounts());

program
  .command('ui')
  .description('open a local web page to see, share and revoke access to your calendars')
  .option('--port <n>', 'listen on this port of 127.0.0.1 (default: a free one)')
  .option('--no-open', 'print the link but do not open a browser')
  .addHelpText('after', '\nExamples:\n  calshare ui\n  calshare ui --port 8765 --no-open   # then open the printed link yourself')
  .action(async (_o, cmd: Command) => (await import('./commands/ui.js')).run(cmd.optsWithGlobals()));

const SECRET_ORDER = `
Where the secret comes from (first match wins; never from the command line):
  1. CALSHARE_PASSWORD (a password) or CALSHARE_TOKEN (a bearer token) in the environment
  2. the account's password command (run without a shell; the first line it prints)
  3. the OS keyring (Secret Service, macOS Keychain, Windows Credential Manager),
     entry service "calshare", account NAME, written by login
Without a terminal, login reads the password from CALSHARE_PASSWORD once and stores it in the
keyring. Where no keyring exists (a server, a container), login says so and asks for a password
command instead, e.g. 'pass show caldav/alice', 'gopass show -o caldav/alice',
'op read op://Personal/CalDAV/password' (1Password) or 'bw get password caldav.example.com'
(Bitwarden); in CI set CALSHARE_PASSWORD for each command. calshare never writes a secret to a file. The account itself (no secret) is saved in
$XDG_CONFIG_HOME/calshare/config.json (default ~/.config), mode 0600.`;

program
  .command('login')
  .description('save an account: ask for what is missing, verify it against the server, keep the secret in the OS keyring')
  .addOption(new Option('--auth <method>', 'how to authenticate (default basic; oauth when --issuer is given)').choices(['basic', 'oauth']))
  .option('--password-command <cmd>', "a command that prints the secret, e.g. 'pass show caldav/alice' (stored instead of the secret)")
  .option('--issuer <url>', 'OAuth: the authorization server (discovered via RFC 8414 / OpenID metadata)')
  .option('--client-id <id>', 'OAuth: the client id registered for calshare')
  .option('--scope <scopes>', 'OAuth: scopes to request, space-separated')
  .option('--device', 'OAuth: use the device flow (a code to enter on another device) instead of a browser here')
  .option('--authorization-endpoint <url>', 'OAuth: override the discovered authorization endpoint')
  .option('--token-endpoint <url>', 'OAuth: override the discovered token endpoint')
  .option('--device-endpoint <url>', 'OAuth: override the discovered device authorization endpoint')
  .addHelpText(
    'after',
    `
Examples:
  calshare login --url https://cal.example.com/ --username alice --account work
  CALSHARE_PASSWORD=… calshare login --url https://cal.example.com/ --username alice   # no terminal
  calshare login --url https://cal.example.com/ --username alice --password-command 'pass show caldav/alice'
  calshare login --url https://cal.example.com/ --username alice --auth oauth --issuer https://login.example.com/ --client-id calshare --device
${SECRET_ORDER}`,
  )
  .action(async (_o, cmd: Command) => (await import('./commands/login.js')).run(cmd.optsWithGlobals()));

program
  .command('accounts')
  .description('list saved accounts and where each secret lives (never the secret)')
  .addHelpText('after', '\nExamples:\n  calshare accounts\n  calshare accounts --json')
  .action(async (_o, cmd: Command) => (await import('./commands/accounts.js')).run(cmd.optsWithGlobals()));

program
  .command('logout')
  .description('forget an account and delete its secret from the OS keyring (checked afterwards)')
  .addHelpText('after', '\nExample:\n  calshare logout --account work')
  .action(async (_o, cmd: Command) => (await import('./commands/logout.js')).run(cmd.optsWithGlobals()));

async function main(argv: string[]): Promise<number> {
  try {
    setJsonFields(takeJsonFields(argv));
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version "errors" are successes; everything else commander rejects is usage (exit 2).
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0 ? 0 : 2;
    }
    return reportError(e, argv.includes('--json'));
  }
}

process.exitCode = await main(process.argv);
