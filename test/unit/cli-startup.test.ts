// `calshare --help` must stay a cold start of commander alone: network, XML, prompts, keyring and
// OAuth load only inside the command that needs them. Checked by logging every module loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/staging.js';

function modulesLoadedBy(args: string[]): { modules: string[]; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), 'calshare-startup-'));
  // Written synchronously: hooks run on their own thread, and an exiting CLI would drop buffered lines.
  writeFileSync(join(dir, 'hook.mjs'), `import { writeSync } from 'node:fs'; export async function load(u, c, n) { writeSync(2, 'LOAD ' + u + '\\n'); return n(u, c); }`);
  writeFileSync(join(dir, 'reg.mjs'), `import { register } from 'node:module'; register(${JSON.stringify(`file://${join(dir, 'hook.mjs')}`)});`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', join(dir, 'reg.mjs'), `${ROOT}/src/cli/main.ts`, ...args], { cwd: ROOT, encoding: 'utf8' });
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
