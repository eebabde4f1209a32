#!/usr/bin/env node
// The package's build, run by npm itself (never by hand):
//   prepare  (npm install in a checkout; npm install -g from git or a path)  → builds dist/
//   prepack  (npm pack, npm publish, and npm packing a git dependency)     → builds dist/, then
//            refuses to go on when the bin is missing: an earlier tarball held only package.json
//            and the README and installed a `calshare` that did not exist.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const stage = process.argv[2] ?? 'prepare';
const say = (msg) => console.error(`calshare ${stage}: ${msg}`);
const require = createRequire(`${process.cwd()}/package.json`);
const findTsc = () => {
  try {
    return require.resolve('typescript/bin/tsc');
  } catch {
    return undefined;
  }
};

let tsc = findTsc();
if (!tsc && process.env.npm_config_global === 'true' && process.env.npm_execpath) {
  // `npm install -g <git url>` prepares the clone with a nested `npm install` that inherits
  // --global, so the clone's own devDependencies never arrive (npm/cli#8440). Install them here,
  // locally and without running anyone's scripts, then build.
  say('installing the build tools into this checkout (npm/cli#8440)');
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^npm_config_(global|prefix|location|allow_scripts)$/i.test(k)) delete env[k];
  execFileSync(process.execPath, [process.env.npm_execpath, 'install', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--include=dev', '--location=project', '--global=false'], { stdio: ['ignore', 'inherit', 'inherit'], env });
  tsc = findTsc();
}
if (!tsc) {
  say('TypeScript is not installed here, so dist/ cannot be built. Run `npm ci` in this checkout first.');
  process.exit(1);
}
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'inherit' });

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const missing = Object.values(pkg.bin ?? {}).filter((p) => !existsSync(p));
if (missing.length) {
  say(`refusing to go on: the bin ${missing.join(', ')} was not built.`);
  process.exit(1);
}
