// Completion scripts, exercised by the shells themselves: bash through COMP_WORDS, fish through
// `complete -C`, zsh by its parser and then typed at an interactive zsh in tmux. Account names come from the config file via `__accounts`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/staging.js';
import { Tty } from '../helpers/tty.js';
import { VIA_CHOICES } from '../../src/cli/via.js';

let dir: string;
const scripts: Record<string, string> = {};
let env: NodeJS.ProcessEnv;

const cli = (args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', `${ROOT}/src/cli/main.ts`, ...args], { cwd: ROOT, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'calshare-completion-'));
  // A `calshare` on PATH, as an installed one would be, and a config file with two accounts.
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin/calshare'), `#!/bin/sh\ncd ${JSON.stringify(ROOT)} && exec ${JSON.stringify(process.execPath)} --import tsx src/cli/main.ts "$@"\n`);
  chmodSync(join(dir, 'bin/calshare'), 0o755);
  mkdirSync(join(dir, 'config/calshare'), { recursive: true });
  writeFileSync(join(dir, 'config/calshare/config.json'), JSON.stringify({ version: 1, accounts: { work: { url: 'https://a/', username: 'alice', auth: 'basic' }, home: { url: 'https://b/', username: 'al', auth: 'basic' } } }));
  env = { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, XDG_CONFIG_HOME: join(dir, 'config') };
  for (const sh of ['bash', 'zsh', 'fish']) scripts[sh] = cli(['completion', sh]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function bashComplete(words: string[]): string[] {
  const file = join(dir, 'c.bash');
  writeFileSync(file, scripts.bash!);
  const out = execFileSync(
    'bash',
    ['-c', `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _calshare; printf '%s\\n' "\${COMPREPLY[@]}"`],
    { encoding: 'utf8', env },
  );
  return out.split('\n').filter(Boolean).sort();
}

test('bash: commands, flags of the command being typed, flag values, shells', () => {
  assert.deepEqual(bashComplete(['calshare', 'sh']), ['share', 'sharees']);
  assert.deepEqual(bashComplete(['calshare', '--url', 'https://x/', 'uns']), ['unshare'], 'a flag value is not taken for the command');
  assert.deepEqual(bashComplete(['calshare', 'share', '--v']), ['--verbose', '--version', '--via', '--view']);
  assert.deepEqual(bashComplete(['calshare', 'unshare', '--al']), ['--all']);
  // Every registered mechanism (src/cli/via.ts mirrors the registry), as bash sorts them.
  assert.deepEqual(bashComplete(['calshare', 'share', '--via', '']), [...VIA_CHOICES].sort());
  assert.deepEqual(bashComplete(['calshare', 'completion', '']), ['bash', 'fish', 'zsh']);
  assert.ok(!bashComplete(['calshare', '']).includes('__accounts'), 'hidden helpers are not offered');
});

test('bash: account names from the config file, when --account exists', (t) => {
  if (!scripts.bash!.includes('--account')) return t.skip('no --account option registered yet');
  assert.deepEqual(bashComplete(['calshare', 'share', '--account', '']), ['home', 'work']);
});

test('__accounts reads the config file, and is silent without one', () => {
  assert.deepEqual(cli(['__accounts']).split('\n').filter(Boolean).sort(), ['home', 'work']);
  const empty = execFileSync(process.execPath, ['--import', 'tsx', `${ROOT}/src/cli/main.ts`, '__accounts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...env, XDG_CONFIG_HOME: join(dir, 'nowhere') },
  });
  assert.equal(empty, '');
});

test('fish: completes commands and per-command flags', () => {
  const file = join(dir, 'c.fish');
  writeFileSync(file, scripts.fish!);
  const complete = (line: string) =>
    execFileSync('fish', ['--no-config', '-c', `source ${file}; complete -C ${JSON.stringify(line)}`], { encoding: 'utf8', env })
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0])
      .sort();
  assert.deepEqual(complete('calshare sh'), ['share', 'sharees']);
  assert.deepEqual(complete('calshare unshare --y'), ['--yes']);
  assert.deepEqual(complete('calshare completion '), ['bash', 'fish', 'zsh']);
});

test('zsh: the script parses, and defines _calshare for every command', () => {
  const file = join(dir, '_calshare');
  writeFileSync(file, scripts.zsh!);
  execFileSync('zsh', ['-n', file]);
  for (const c of ['calendars', 'capabilities', 'share', 'sharees', 'unshare', 'completion']) assert.match(scripts.zsh!, new RegExp(`'${c}:`));
  assert.ok(scripts.zsh!.startsWith('#compdef calshare\n'));
});

test('zsh: commands, flags, flag values and account names, completed by a real zsh at a terminal', async (t) => {
  // compinit loads _calshare from $fpath as an installed completion would be; tmux is the terminal.
  const zdot = join(dir, 'zdot');
  mkdirSync(zdot);
  writeFileSync(join(zdot, '_calshare'), scripts.zsh!);
  writeFileSync(join(zdot, '.zshrc'), `fpath=(${zdot} $fpath)\nautoload -Uz compinit && compinit -u -D\nPS1='READY> '\n`);
  const tty = await Tty.shell('zsh -i', { ...env, ZDOTDIR: zdot });
  t.after(() => tty.kill());
  await tty.waitFor('READY>'); // tmux trims trailing blanks from the screen
  // zsh's first Tab inserts what all matches share; the second lists them.
  const complete = async (line: string, expect: RegExp): Promise<string> => {
    await tty.keys('C-u', 'C-l'); // an empty line on a clear screen: nothing stale to match
    await tty.waitFor(/^READY>\s*$/);
    await tty.type(line);
    await tty.keys('Tab', 'Tab');
    return tty.waitFor(expect, 10_000);
  };
  const listed = await complete('calshare sh', /sharees/);
  assert.match(listed, /\bshare\b/);
  assert.match(await complete('calshare unshare --al', /READY> calshare unshare --all$/m), /--all/, "the only matching flag is put on the line");
  const via = await complete('calshare share --via ', /resource-sharing/);
  assert.match(via, /\bacl\b/);
  assert.match(via, /\bcs\b/);
  const accounts = await complete('calshare share --account ', /\bwork\b/);
  assert.match(accounts, /\bhome\b/, 'account names come from the config file');
});

test('an unknown shell is a usage error', () => {
  assert.throws(() => cli(['completion', 'tcsh']), (e: { status: number; stderr: string }) => e.status === 2 && /bash, zsh or fish/.test(e.stderr));
});
