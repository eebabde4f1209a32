// The two static files: htmx, read from the installed htmx.org package (never copied into the
// repository), and the style sheet. Both are served from this process; the page loads nothing else.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { STYLE } from './style.js';
import { SCRIPT } from './script.js';

export interface Asset {
  type: string;
  body: Buffer;
}

let htmx: Promise<Buffer> | undefined;

async function load(path: string): Promise<Asset | undefined> {
  if (path === '/static/app.css') return { type: 'text/css; charset=utf-8', body: Buffer.from(STYLE) };
  if (path === '/static/app.js') return { type: 'text/javascript; charset=utf-8', body: Buffer.from(SCRIPT) };
  if (path === '/static/htmx.min.js') {
    htmx ??= readFile(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'));
    return { type: 'text/javascript; charset=utf-8', body: await htmx };
  }
  return undefined;
}

export { load as loadAsset };
