// Hostile input through the real CLI against staging Cyrus. Addresses: refused before any request
// (a counting proxy proves it) or sent correctly escaped. Display names and paths: created on Cyrus
// with the project's XML builder, then listed and resolved by calshare exactly. Hostile server
// content (markup, C1 controls, bidi overrides, a raw ESC): shown inertly, never raw on a terminal.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { calshare, type CliResult } from '../helpers/cli.js';
import { dav, deleteCalendar, freshCalendar } from '../helpers/dav.js';
import { CYRUS, USERS, ensureStaging } from '../helpers/staging.js';
import { parseEmail } from '../../src/sharing/identity.js';
import { el, serialize } from '../../src/xml/build.js';
import { NS, qn } from '../../src/xml/names.js';

const ACTIVE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
const D = (n: string) => qn(NS.DAV, n);
const env = { env: { CALSHARE_PASSWORD: USERS.alice } };

/** calshare as alice; options first and "--" before the positionals, so a value starting with "-" stays a value. */
const run = (cmd: string, opts: string[], positionals: string[], url = CYRUS.url): Promise<CliResult> =>
  calshare([cmd, ...opts, '--url', url, '--username', 'alice', '--', ...positionals], env);

const lines = (r: CliResult) => ({
  error: r.stderr.split('\n').find((l) => l.startsWith('error: ')) ?? '',
  hint: r.stderr.split('\n').find((l) => l.startsWith('hint: ')) ?? '',
});

// Pieces an attacker (or a copy-paste accident) puts in an argument. NUL cannot be in argv at all;
// the unit tests cover it.
const piece = fc.constantFrom('<', '>', '&', '"', "'", ']]>', '<![CDATA[', '&#0;', '\r', '\n', '\r\n', '\u001b[2J', '\u009b', '\u202e', '\u2066',
  '😀', '日本', 'ﷺ', '/', '%2f', '?', '#', ' ', '\t', '@', 'mailto:', '\\', '-', '--help', '$(id)', '`id`');
const word = fc.constantFrom('bob', 'b.o.b', "o'brien", 'a&b', 'x+y', 'example.test', 'nobody');
const argument = fc.array(fc.oneof(piece, word), { minLength: 1, maxLength: 8 }).map((p) => p.join(''));

/** True for an address that reaches a real staging sharee (bob, carol): sharing with them is no hostile input. */
const realSharee = (addr: string): boolean => {
  try {
    const email = parseEmail(addr).toLowerCase();
    return Object.keys(USERS).some((u) => u !== 'alice' && email === `${u}@example.test`);
  } catch {
    return false;
  }
};

describe('hostile input', () => {
  let proxy: FaultProxy;
  before(async () => {
    ensureStaging('cyrus');
    proxy = await FaultProxy.start({ upstream: CYRUS.url });
  });
  after(() => proxy.close());

  it('an address is refused before any request, or looked up at its correctly escaped principal and never written (property)', async () => {
    const cal = '/dav/calendars/user/alice/Default/';
    await fc.assert(
      fc.asyncProperty(fc.oneof(argument, argument.map((a) => `${a}@example.test`)).filter((a) => !realSharee(a)), async (addr) => {
        let valid: string | undefined;
        try {
          valid = parseEmail(addr);
        } catch {
          valid = undefined;
        }
        const from = proxy.seen.length;
        const r = await run('share', ['--view', '--via', 'acl'], [cal, addr], proxy.url);
        const seen = proxy.seen.slice(from);
        const { error, hint } = lines(r);
        assert.equal(r.code, 2, `exit 2 for ${JSON.stringify(addr)}\n${r.stderr}`);
        assert.ok(error && hint, `an error and a hint:\n${r.stderr}`);
        const heads = r.stderr.split('\n').filter((l) => /^(error|hint):/.test(l));
        assert.equal(heads.length, 2, `exactly one error and one hint line, none forged by the input:\n${r.stderr}`);
        assert.doesNotMatch(r.stderr + r.stdout, ACTIVE, 'nothing raw reaches the terminal');
        if (valid === undefined) {
          assert.match(error, /is not a usable e-mail address/);
          assert.deepEqual(seen, [], 'refused before any request');
        } else {
          assert.match(error, /no user|is your own address/);
          assert.equal(seen.filter((s) => !['PROPFIND', 'REPORT', 'OPTIONS'].includes(s.method)).length, 0, 'nothing written (REPORT reads: the calendar named by path, cold)');
          const local = valid.slice(0, valid.lastIndexOf('@'));
          assert.ok(seen.some((s) => s.path === `/dav/principals/user/${encodeURIComponent(local)}/`), `looked up at the escaped principal of ${local}`);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('several bad addresses are all named at once, and nothing is sent', async () => {
    const from = proxy.seen.length;
    const r = await run('share', ['--edit'], ['/dav/calendars/user/alice/Default/', 'bob@example.test', '<b>@x', 'eve@evil.test/../x', '\u202eoops@example.test', 'x\nhint: run this@example.test'], proxy.url);
    assert.equal(r.code, 2);
    assert.match(lines(r).error, /^error: 4 addresses are not usable/);
    assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('hint:')).length, 1, `no forged hint line:\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, ACTIVE);
    assert.deepEqual(proxy.seen.slice(from), []);
  });

  // Names as a person might type them, with everything XML, shells and terminals find special.
  // Cyrus returns display names as CDATA, where a CR cannot survive (XML 1.0 §2.11 folds CR and
  // CRLF into LF before parsing), and calshare trims surrounding whitespace as layout: both are
  // applied to the expectation, nothing else.
  const namePiece = fc.constantFrom('<', '>', '&', '"', "'", ']]>', '<![CDATA[', '&amp;', '\r\n', '\n', '\t', '\u202e', '\u2066', '\u009b', '😀', '日本語',
    'ﷺ', '/', '%', '?', '#', ' ', '-', '--json', '\\', 'Work');
  const displayName = fc
    .oneof(
      { weight: 4, arbitrary: fc.array(fc.oneof(namePiece, fc.string({ unit: 'grapheme', maxLength: 4 })), { minLength: 1, maxLength: 10 }).map((p) => p.join('')) },
      { weight: 1, arbitrary: fc.integer({ min: 200, max: 3000 }).map((n) => `long ${'ä<&'.repeat(n)}`) },
    )
    .map((n) => `${n} ${randomUUID().slice(0, 6)}`) // unique among alice's calendars, whatever else runs
    .filter((n) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(n) && n.trim().length > 0);
  const asRead = (n: string) => n.replace(/\r\n?/g, '\n').trim();

  it('a calendar with a hostile display name is listed and resolved exactly (property)', async () => {
    await fc.assert(
      fc.asyncProperty(displayName, async (name) => {
        const url = `${CYRUS.home('alice')}h-${randomUUID().slice(0, 8)}/`;
        const mk = await dav('alice', 'MKCALENDAR', url, serialize(el(qn(NS.CALDAV, 'mkcalendar'), el(D('set'), el(D('prop'), el(D('displayname'), name))))));
        assert.equal(mk.status, 201, mk.body);
        try {
          const listed = await run('calendars', ['--json'], []);
          assert.equal(listed.code, 0, listed.stderr);
          const mine = (JSON.parse(listed.stdout) as { calendars: { name: string; url: string }[] }).calendars.find((c) => c.url === url);
          assert.equal(mine?.name, asRead(name), 'calendars --json returns the name identical');
          const resolved = await run('sharees', ['--json'], [asRead(name)]);
          assert.equal(resolved.code, 0, resolved.stderr);
          const cals = (JSON.parse(resolved.stdout) as { calendars: { name: string; url: string }[] }).calendars;
          assert.deepEqual(cals.map((c) => [c.url, c.name]), [[url, asRead(name)]], 'resolved to exactly that calendar');
        } finally {
          await deleteCalendar('alice', url);
        }
      }),
      { numRuns: 8 },
    );
  });

  it('calendars at hostile paths are resolved by path in every spelling', async () => {
    // Segments Cyrus accepts (it refuses most punctuation in mailbox names with 403). It sends "?"
    // back unescaped in hrefs: calshare must still keep it as part of the name.
    for (const seg of ['a b c', 'plus+eq=', 'what?#now', `x${'y'.repeat(150)}`]) {
      const url = `${CYRUS.home('alice')}${encodeURIComponent(seg)}-${randomUUID().slice(0, 4)}/`;
      assert.equal((await dav('alice', 'MKCALENDAR', url)).status, 201, seg);
      try {
        const path = new URL(url).pathname;
        for (const ref of [path, decodeURIComponent(path), url, path.replace(/\/$/, '')]) {
          const r = await run('sharees', ['--json'], [ref]);
          assert.equal(r.code, 0, `${ref}: ${r.stderr}`);
          // Cyrus spells hrefs its own way ("%3D" comes back as "="): the same resource, decoded.
          const got = (JSON.parse(r.stdout) as { calendars: { url: string }[] }).calendars[0]?.url ?? '';
          assert.equal(decodeURIComponent(new URL(got).pathname), decodeURIComponent(path), ref);
        }
      } finally {
        await deleteCalendar('alice', url);
      }
    }
  });

  it('hostile server content (markup, C1 controls, bidi overrides, a <script> common name) is shown inertly', async () => {
    const hostile = '<b>Work</b> \u009b2J\u202eevil\u2066 <script>alert(1)</script>';
    const cal = await freshCalendar('alice');
    const path = new URL(cal.url).pathname;
    const set = await dav('alice', 'PROPPATCH', cal.url, serialize(el(D('propertyupdate'), el(D('set'), el(D('prop'), el(D('displayname'), hostile))))));
    assert.equal(set.status, 207);
    assert.equal((await run('share', ['--view'], [path, 'bob@example.test'])).code, 0);
    const commonName = '<script>alert("x")</script>\u009b31m\u202e';
    // The proxy adds a hostile CS:common-name to bob's invite entry in every listing and Depth-0 read (PROPFIND or REPORT).
    const inject = (b: string) =>
      b.replace(/(<(\w+):user>\s*<(\w+):href>mailto:bob@example\.test<\/\3:href>)/g, (_m, open: string, cs: string) =>
        `${open}<${cs}:common-name>${commonName.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</${cs}:common-name>`);
    const p = await FaultProxy.start({ upstream: CYRUS.url, rules: [{ method: ['PROPFIND', 'REPORT'], times: Infinity, fault: { kind: 'rewrite', edit: inject } }] });
    try {
      for (const [cmd, opts, pos] of [['calendars', [], []], ['sharees', [], [path]], ['sharees', [], []], ['capabilities', [], [path]]] as const) {
        const r = await run(cmd, [...opts], [...pos], p.url);
        assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
        assert.doesNotMatch(r.stdout + r.stderr, ACTIVE, `${cmd}: no raw control or bidi character`);
      }
      const table = await run('sharees', [], [path], p.url);
      assert.ok(table.stdout.includes('\\u009b2J\\u202eevil'), `the name is visible, escaped:\n${table.stdout}`);
      const json = JSON.parse((await run('sharees', ['--json'], [path], p.url)).stdout) as { calendars: { name: string; sharees: { email: string; name: string | null }[] }[] };
      assert.equal(json.calendars[0]?.name, hostile, '--json carries the exact data');
      assert.equal(json.calendars[0]?.sharees.find((s) => s.email === 'bob@example.test')?.name, commonName);

      // A raw ESC is not even XML (§2.2): the response is refused whole, and the message stays inert.
      const esc = await FaultProxy.start({ upstream: CYRUS.url, rules: [{ method: ['PROPFIND', 'REPORT'], times: Infinity, fault: { kind: 'rewrite', edit: (b) => b.replace(/<b>Work<\/b>|&lt;b&gt;Work&lt;\/b&gt;/g, '\u001b]0;pwned\u0007\u001b[2J') } }] });
      try {
        const r = await run('sharees', [], [path], esc.url);
        assert.equal(r.code, 4, r.stderr);
        assert.match(lines(r).error, /could not be read/);
        assert.doesNotMatch(r.stdout + r.stderr, ACTIVE);
      } finally {
        await esc.close();
      }
    } finally {
      await p.close();
      await deleteCalendar('alice', cal.url);
    }
  });
});
