// The shape STYLE.md §2/§3 asks of src/sharing and src/servers, checked on the source itself: a
// mechanism never imports a sibling, every mechanism file is registered, --via offers exactly the
// registry's ids, the engine names no mechanism and no server, and every quirk says what was seen.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/staging.js';
import { MECHANISMS, MECHANISM_IDS, stateProps } from '../../src/sharing/registry.js';
import { VIA_CHOICES } from '../../src/cli/via.js';
import { QUIRKS } from '../../src/servers/quirks.js';
import { SERVER_IDS, fingerprint } from '../../src/servers/fingerprint.js';
import { LISTING_PROPS } from '../../src/discovery/calendars.js';
import { clark } from '../../src/xml/names.js';
import type { ServerOptions } from '../../src/discovery/capabilities.js';

const MECH_DIR = join(ROOT, 'src/sharing/mechanisms');
const mechanismFiles = () => readdirSync(MECH_DIR).filter((f) => f.endsWith('.ts'));
const source = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const importsOf = (text: string) => [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);

describe('src/sharing/mechanisms', () => {
  it('no mechanism imports a sibling (shared XML lives in invite-xml.ts)', () => {
    for (const f of mechanismFiles()) {
      const siblings = importsOf(readFileSync(join(MECH_DIR, f), 'utf8')).filter((p) => p.startsWith('./'));
      assert.deepEqual(siblings, [], `${f} imports ${siblings.join(', ')}`);
    }
  });

  it('every mechanism file is registered, and the registry imports only from mechanisms/ for mechanisms', async () => {
    const registry = source('src/sharing/registry.ts');
    for (const f of mechanismFiles()) {
      assert.ok(registry.includes(`./mechanisms/${f.replace(/\.ts$/, '.js')}`), `${f} is imported by registry.ts`);
      const mod = (await import(join(MECH_DIR, f))) as Record<string, unknown>;
      const exported = Object.values(mod).filter((v): v is { id: string } => typeof v === 'object' && v !== null && 'plan' in v && 'grants' in v);
      assert.ok(exported.length > 0, `${f} exports a Mechanism`);
      for (const m of exported) assert.ok(MECHANISMS.includes(m as never), `${f}: mechanism ${m.id} is in MECHANISMS`);
    }
  });

  it('ids are unique, and each mechanism describes itself fully', () => {
    assert.equal(new Set(MECHANISM_IDS).size, MECHANISM_IDS.length);
    for (const m of MECHANISMS) {
      assert.match(m.id, /^[a-z][a-z-]*$/);
      assert.ok(m.name && m.spec && m.contentType && m.request.body, `${m.id} names itself, its spec and its request`);
      assert.ok(m.stateProps.length > 0 || m.detect, `${m.id} has state properties or its own detection`);
      assert.equal(Boolean(m.stateRequests), Boolean(m.parseState), `${m.id}: stateRequests and parseState come together`);
    }
  });

  it('--via offers exactly the registry ids, in order (the CLI cannot load the registry at --help)', () => {
    assert.deepEqual([...VIA_CHOICES], [...MECHANISM_IDS]);
  });

  it('the calendar listing asks for every state property', () => {
    const asked = new Set(LISTING_PROPS.map(clark));
    for (const q of stateProps()) assert.ok(asked.has(clark(q)), `${clark(q)} is in the listing`);
  });
});

describe('the engine asks traits, never ids or server names', () => {
  for (const file of ['src/sharing/engine.ts', 'src/sharing/sharees.ts', 'src/discovery/capabilities.ts']) {
    it(file, () => {
      // Code only: comments may cite a server's behaviour as the reason for a line.
      const code = source(file).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      // sharees.ts keeps "acl" as the word its JSON uses for an access-list-only grant (origin), not an id.
      const ids = file.endsWith('sharees.ts') ? [] : MECHANISM_IDS.filter((id) => new RegExp(`['"\`]${id}['"\`]`).test(code));
      assert.deepEqual(ids, [], `${file} names mechanism ids`);
      const servers = SERVER_IDS.filter((s) => s !== 'other' && new RegExp(`\\b${s}\\b`, 'i').test(code));
      assert.deepEqual(servers, [], `${file} names servers`);
    });
  }
});

describe('quirks', () => {
  it('every server has an entry, and every quirk says what was seen', () => {
    for (const id of SERVER_IDS) {
      assert.ok(Array.isArray(QUIRKS[id]), `${id} has a quirk list`);
      for (const q of QUIRKS[id]) assert.ok(q.seen.length > 20, `${id} ${q.kind}: the observation is written down`);
    }
  });
});

/** Relative imports that load code (not `import type`, not all-`type` bindings), as repo paths. */
function valueImports(file: string): string[] {
  const text = source(file);
  return [...text.matchAll(/^import\s+(?!type\b)([^'";]*?)\s+from\s+'(\.[^']+)'/gm)]
    .filter((m) => !/^\{[^}]*\}$/.test(m[1]!.trim()) || !m[1]!.replace(/[{}\s]/g, '').split(',').filter(Boolean).every((b) => b.startsWith('type')))
    .map((m) => join(file, '..', m[2]!.replace(/\.js$/, '.ts')));
}

describe('src/servers: load order does not matter', () => {
  it('no chain of value imports leads from the quirk table (or a hook it names) back to itself', () => {
    for (const start of ['src/servers/quirks.ts', 'src/servers/cyrus-home-spill.ts']) {
      const seen = new Set<string>();
      const walk = (f: string, path: string[]): void => {
        for (const d of valueImports(f)) {
          assert.notEqual(d, start, `import cycle: ${[...path, d].join(' -> ')}`);
          if (seen.has(d)) continue;
          seen.add(d);
          walk(d, [...path, d]);
        }
      };
      walk(start, [start]);
    }
  });
});

describe('fingerprint: which product answered', () => {
  const opts = (o: Partial<ServerOptions>): ServerOptions => ({ dav: [], allow: [], server: undefined, ...o });
  const cases: [string, ServerOptions, string][] = [
    ['Cyrus by its Server header', opts({ server: 'Cyrus-HTTP/3.6.1-Debian-3.6.1-4+deb12u5 Cyrus-SASL/2.1.28' }), 'cyrus'],
    ['Radicale by name', opts({ server: 'Radicale/3.1.8' }), 'radicale'],
    ['Xandikos by name', opts({ server: 'Xandikos/0.2.8' }), 'xandikos'],
    ['DAViCal by X-DAViCal-Version', opts({ server: 'Apache', headers: { 'x-davical-version': 'DAViCal/1.1.12; DB/1.3.5' } }), 'davical'],
    ['SOGo by SOPE', opts({ server: 'SOPE 4.9.37/WebDAV' }), 'sogo'],
    ['Nextcloud by its DAV classes', opts({ dav: ['1', '3', 'access-control', 'oc-resource-sharing', 'nextcloud-checksum-update'] }), 'nextcloud'],
    ['SabreDAV by X-Sabre-Version', opts({ headers: { 'x-sabre-version': '1.8.12' } }), 'sabredav'],
    ['anything else', opts({ server: 'WSGIServer/0.2 CPython/3.11.2', dav: ['1', '2', '3', 'calendar-access'] }), 'other'],
  ];
  for (const [what, o, want] of cases) {
    it(what, () => {
      const f = fingerprint(o);
      assert.equal(f.id, want);
      assert.ok(f.evidence.length > 0);
    });
  }
});
