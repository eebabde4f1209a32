// `calshare --help` must stay a cold start of commander alone: network, XML, prompts, keyring and
// OAuth load only inside the command that needs them. Checked by logging every module loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/staging.js';

function modulesLoadedBy(args: string[], env: NodeJS.ProcessEnv = process.env): { modules: string[]; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), 'calshare-startup-'));
  // Written synchronously: hooks run on their own thread, and an exiting CLI would drop buffered lines.
  writeFileSync(join(dir, 'hook.mjs'), `import { writeSync } from 'node:fs'; export async function load(u, c, n) { writeSync(2, 'LOAD ' + u + '\\n'); return n(u, c); }`);
  writeFileSync(join(dir, 'reg.mjs'), `import { register } from 'node:module'; register(${JSON.stringify(`file://${join(dir, 'hook.mjs')}`)});`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', join(dir, 'reg.mjs'), `${ROOT}/src/cli/main.ts`, ...args], { cwd: ROOT, encoding: 'utf8', env });
  const modules = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('LOAD file://'))
    .map((l) => l.slice('LOAD file://'.length).replace(ROOT, ''))
    .filter((p) => !/node_modules\/(tsx|get-tsconfig|esbuild|resolve-pkg-maps)\//.test(p));
  return { modules, stdout: r.stdout };
}

const HEAVY = [/node_modules\/undici\//, /node_modules\/saxes\//, /node_modules\/@clack\//, /node_modules\/@napi-rs\//, /node_modules\/oauth4webapi\//, /src\/xml\//, /src\/transport\//, /src\/discovery\//, /src\/sharing\//, /src\/session/];

for (const args of [['--help'], ['share', '--help'], ['unshare', '--help'], ['completion', '--help']]) {
  test(`calshare ${args.join(' ')} loads nothing heavy, and shows examples`, () => {
    const { modules, stdout } = modulesLoadedBy(args);
    assert.ok(modules.some((m) => m.endsWith('src/cli/main.ts')), `the hook saw the CLI load: ${modules.join(', ')}`);
    const heavy = modules.filter((m) => HEAVY.some((h) => h.test(m)));
    assert.deepEqual(heavy, [], `--help should not load: ${heavy.join(', ')}`);
    assert.match(stdout, /Examples?:/);
    if (args[0] === '--help') assert.match(stdout, /Exit codes:[\s\S]*130/);
  });
}

// A command that talks to the server loads the transport, the XML parser and its own code, and
// nothing it does not use on that path (issue 14): no undici (node:http/https carry CalDAV), no
// prompts off a terminal, no keyring with the password in the environment, no OAuth, no plan
// parsers. Nothing listens on port 1, so each command stops at its first request, after loading
// everything it needs for it.
const NETWORKED: string[][] = [['calendars'], ['sharees'], ['capabilities', 'Work'], ['share', 'Work', 'bob@example.com', '--view'], ['unshare', 'Work', 'bob@example.com', '--yes'], ['invites']];
const ALLOWED_PACKAGES = new Set(['commander', 'saxes', 'xmlchars']);

for (const args of NETWORKED) {
  test(`calshare ${args.join(' ')} loads only commander and saxes of its dependencies`, () => {
    const env = { ...process.env, CALSHARE_PASSWORD: 'not-a-real-password' };
    const { modules } = modulesLoadedBy([...args, '--url', 'http://127.0.0.1:1/', '--username', 'alice'], env);
    assert.ok(modules.some((m) => m.endsWith('src/transport/http.ts')), `the command got as far as the transport: ${modules.join(', ')}`);
    const packages = new Set(modules.map((m) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(m)?.[1]).filter((p): p is string => !!p));
    const extra = [...packages].filter((p) => !ALLOWED_PACKAGES.has(p));
    assert.deepEqual(extra, [], `${args[0]} should not load: ${extra.join(', ')}`);
  });
}
