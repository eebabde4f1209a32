#!/usr/bin/env node
// calshare's command line. Only commander loads at start; each command imports its own code
// (network, XML, prompts) when it runs, so `calshare --help` stays close to bare node start-up.
import { Command, CommanderError, Option } from 'commander';
import { EXIT_CODE_HELP, reportError } from './output.js';

const program = new Command('calshare')
  .description('Share your CalDAV calendars with other people, and take the sharing back.')
  .version('0.1.0')
  .addOption(new Option('--url <url>', 'CalDAV server address: its root or any URL on it').env('CALSHARE_URL'))
  .addOption(new Option('--username <name>', 'your user name on that server').env('CALSHARE_USERNAME'))
  .option('--ca-file <path>', 'trust this CA certificate (PEM), for private or self-signed servers')
  .option('--timeout <seconds>', 'give up on a request after this long (default 30)')
  .option('--json', 'print one JSON document on stdout, for scripts')
  .option('-v, --verbose', 'trace every HTTP request (credentials redacted) to stderr')
  .addHelpText(
    'after',
    `
The password is read from the CALSHARE_PASSWORD environment variable; calshare
never takes a secret on the command line.

${EXIT_CODE_HELP}`,
  )
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

const via = () =>
  new Option('--via <mechanism>', 'force a sharing mechanism instead of the detected default').choices(['acl', 'cs', 'resource-sharing']);

program
  .command('share')
  .argument('<calendar>', 'display name, path or URL of your calendar')
  .argument('<email...>', 'people to share with')
  .option('--view', 'view-only: they can read events')
  .option('--edit', 'edit: they can create, change and delete events')
  .addOption(via())
  .option('--dry-run', 'print the requests that would be sent, and send nothing that changes state')
  .description('share a calendar with people (or change their level); verified by reading it back')
  .addHelpText(
    'after',
    `
Examples:
  calshare share Work bob@example.com --view
  calshare share Work bob@example.com carol@example.com --edit --via acl --json
  calshare share /dav/calendars/user/alice/Default/ bob@example.com --view --dry-run`,
  )
  .action(async (calendar: string, emails: string[], _o, cmd: Command) =>
    (await import('./commands/share.js')).run(calendar, emails, cmd.optsWithGlobals()),
  );

program
  .command('sharees')
  .argument('[calendar]', 'display name, path or URL; every calendar you own when omitted')
  .description('show who has access, at which level, and whether they accepted')
  .addHelpText('after', '\nExamples:\n  calshare sharees            # audit every calendar you own\n  calshare sharees Work --json')
  .action(async (calendar: string | undefined, _o, cmd: Command) =>
    (await import('./commands/sharees.js')).run(calendar, cmd.optsWithGlobals()),
  );

program
  .command('unshare')
  .argument('<calendar>', 'display name, path or URL of your calendar')
  .argument('[email...]', 'people to remove')
  .option('--all', 'remove everyone the calendar is shared with')
  .option('-y, --yes', 'do not ask for confirmation (required when not at a terminal)')
  .addOption(via())
  .option('--dry-run', 'print the requests that would be sent, and send nothing that changes state')
  .description('take sharing back from one, several or all people; verified by reading it back')
  .addHelpText('after', '\nExamples:\n  calshare unshare Work bob@example.com --yes\n  calshare unshare Work --all --yes --json')
  .action(async (calendar: string, emails: string[], _o, cmd: Command) =>
    (await import('./commands/unshare.js')).run(calendar, emails, cmd.optsWithGlobals()),
  );

async function main(argv: string[]): Promise<number> {
  try {
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
