import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopbackHost, judgeRedirect, OriginPolicy, parseServerUrl, resolvesToLoopback } from '../../src/transport/url-policy.js';
import { NetworkError, UsageError } from '../../src/errors.js';

describe('isLoopbackHost', () => {
  for (const h of ['127.0.0.1', '127.5.6.7', '127.255.255.254', '::1', '[::1]', 'localhost', 'LOCALHOST', 'foo.localhost', 'a.b.localhost']) {
    it(`treats ${h} as this machine`, () => assert.equal(isLoopbackHost(h), true));
  }
  for (const h of [
    '128.0.0.1',
    '10.0.0.1',
    '0.0.0.0', // "any address": on some systems it reaches other interfaces
    '::',
    '::ffff:10.0.0.1',
    '[::ffff:10.0.0.1]',
    'localhost.evil.com',
    'evil-localhost',
    'notlocalhost',
    '127.0.0.1.evil.com',
    'example.com',
    '',
  ]) {
    it(`does not treat ${JSON.stringify(h)} as this machine`, () => assert.equal(isLoopbackHost(h), false));
  }

  it('agrees with how URL normalises hosts', () => {
    assert.equal(isLoopbackHost(new URL('http://127.1:8080/').hostname), true); // → 127.0.0.1
    assert.equal(isLoopbackHost(new URL('http://[0:0:0:0:0:0:0:1]/').hostname), true); // → [::1]
    assert.equal(isLoopbackHost(new URL('http://0x7f000001/').hostname), true); // → 127.0.0.1
    assert.equal(isLoopbackHost(new URL('http://2130706433/').hostname), true); // → 127.0.0.1
    assert.equal(isLoopbackHost(new URL('http://0x80000001/').hostname), false); // → 128.0.0.1
  });
});

describe('parseServerUrl', () => {
  const usage = (input: string, pattern: RegExp) =>
    assert.throws(
      () => parseServerUrl(input),
      (e: unknown) => e instanceof UsageError && e.exitCode === 2 && pattern.test(`${e.message}\n${e.hint}`),
    );

  it('accepts https to any host', () => {
    assert.equal(parseServerUrl('https://cal.example.com/dav/').href, 'https://cal.example.com/dav/');
    assert.equal(parseServerUrl('https://192.0.2.10:8443').port, '8443');
  });

  it('accepts plain http to this machine', () => {
    for (const u of ['http://127.0.0.1:5232/', 'http://localhost:8080/dav/', 'http://[::1]:8008/', 'http://cal.localhost/']) {
      assert.equal(parseServerUrl(u).protocol, 'http:');
    }
  });

  it('refuses plain http across the network, explaining why and what to do', () => {
    usage('http://cal.example.com/dav/', /unencrypted/);
    usage('http://cal.example.com/dav/', /https:\/\/cal\.example\.com\/dav\//);
    usage('http://cal.example.com/dav/', /--ca-file/);
    usage('http://10.0.0.5:5232/', /refusing plain http/);
    usage('http://localhost.evil.com/', /refusing plain http/);
    usage('http://0.0.0.0:8080/', /refusing plain http/);
  });

  it('refuses other schemes', () => {
    usage('ftp://cal.example.com/', /unsupported URL scheme "ftp:"/);
    usage('file:///etc/passwd', /unsupported URL scheme/);
    usage('webcal://cal.example.com/', /https:\/\//);
  });

  it('refuses credentials in the URL, even over https', () => {
    usage('https://alice:secret@cal.example.com/', /user name or password/);
    usage('https://alice@cal.example.com/', /--username/);
  });

  it('does not echo a password from the URL in its message', () => {
    try {
      parseServerUrl('https://alice:hunter2@cal.example.com/');
      assert.fail('expected a UsageError');
    } catch (e) {
      assert.ok(e instanceof UsageError);
      assert.doesNotMatch(`${e.message} ${e.hint}`, /hunter2/);
    }
  });

  it('refuses what is not a URL at all', () => {
    usage('cal.example.com', /is not a URL/);
    usage('', /is not a URL/);
    usage('https://', /is not a URL/);
    usage('not a url at all', /--url https:\/\//);
  });
});

describe('judgeRedirect', () => {
  const judge = (from: string, to: string) => judgeRedirect(new URL(from), new URL(to));

  it('follows a redirect within the same origin', () => {
    assert.deepEqual(judge('https://cal.example.com/', 'https://cal.example.com/dav/calendars/'), { follow: true });
    assert.deepEqual(judge('http://localhost:8080/.well-known/caldav', 'http://localhost:8080/dav/'), { follow: true });
  });

  it('follows an upgrade from http to https on the same host', () => {
    assert.deepEqual(judge('http://localhost/', 'https://localhost/dav/'), { follow: true });
  });

  const refused = (from: string, to: string, pattern: RegExp) => {
    const v = judge(from, to);
    assert.equal(v.follow, false);
    assert.match(v.follow ? '' : v.reason, pattern);
  };

  it('refuses a downgrade from https to http, even on the same host', () => {
    refused('https://cal.example.com/', 'http://cal.example.com/dav/', /down to plain http/);
    refused('https://localhost:8443/', 'http://localhost:8443/', /down to plain http/);
  });

  it('refuses another host', () => {
    refused('https://cal.example.com/', 'https://evil.example.net/', /another host \(evil\.example\.net\)/);
    refused('https://cal.example.com/', 'https://sub.cal.example.com/', /another host/);
    refused('http://127.0.0.1:8080/', 'http://localhost:8080/', /another host/);
  });

  it('refuses another port on https', () => {
    refused('https://cal.example.com/', 'https://cal.example.com:8443/', /another port \(cal\.example\.com:8443\)/);
    refused('http://localhost:8080/', 'http://localhost:9090/', /another port/);
  });

  it('refuses non-HTTP schemes', () => {
    refused('https://cal.example.com/', 'file:///etc/passwd', /file:/);
    refused('https://cal.example.com/', 'javascript:alert(1)', /javascript:/);
  });
});

describe('loopback, issue 11 §1', () => {
  it('an IPv4-mapped loopback address is loopback in every spelling', () => {
    assert.equal(isLoopbackHost(new URL('http://[::ffff:127.0.0.1]:8008/').hostname), true); // → [::ffff:7f00:1]
    assert.equal(parseServerUrl('http://[::ffff:127.0.0.1]:8008/').protocol, 'http:');
    assert.equal(isLoopbackHost('[::ffff:10.0.0.1]'), false);
  });

  it('a *.localhost name is loopback only if it resolves to loopback', async () => {
    const resolver = (map: Record<string, string[]>) => async (h: string) => map[h] ?? Promise.reject(new Error('ENOTFOUND'));
    assert.equal(await resolvesToLoopback('cal.localhost', resolver({ 'cal.localhost': ['127.0.0.1', '::1'] })), true);
    assert.equal(await resolvesToLoopback('cal.localhost', resolver({ 'cal.localhost': ['192.0.2.7'] })), false);
    assert.equal(await resolvesToLoopback('cal.localhost', resolver({ 'cal.localhost': ['127.0.0.1', '192.0.2.7'] })), false);
    assert.equal(await resolvesToLoopback('cal.localhost', resolver({})), false);
    assert.equal(await resolvesToLoopback('example.com', resolver({ 'example.com': ['127.0.0.1'] })), false, 'only localhost names may be http');
    const policy = new OriginPolicy(new URL('http://cal.localhost:8080/'), { resolve: resolver({ 'cal.localhost': ['192.0.2.7'] }) });
    await assert.rejects(policy.check(new URL('http://cal.localhost:8080/dav/'), 'testing'), (e: unknown) => e instanceof NetworkError && e.exitCode === 4 && /cal\.localhost/.test(e.message));
  });

  it('an https upgrade keeps the host and goes to the default or the same port only', () => {
    assert.deepEqual(judge('http://localhost:8080/', 'https://localhost:8080/dav/'), { follow: true });
    assert.deepEqual(judge('http://localhost:8080/', 'https://localhost/dav/'), { follow: true });
    assert.equal(judge('http://localhost:8080/', 'https://localhost:9443/').follow, false);
  });
  const judge = (from: string, to: string) => judgeRedirect(new URL(from), new URL(to));
});

describe('OriginPolicy', () => {
  const refusedBy = async (policy: OriginPolicy, url: string, host: string) =>
    assert.rejects(policy.check(new URL(url), 'testing'), (e: unknown) => e instanceof NetworkError && e.exitCode === 4 && e.code === 'ORIGIN_REFUSED' && e.message.includes(host));

  it('admits the named origin, refuses other ports, schemes and hosts', async () => {
    const p = new OriginPolicy(new URL('https://cal.example.com/dav/'));
    await p.check(new URL('https://cal.example.com/dav/calendars/x/'), 'testing');
    await refusedBy(p, 'https://cal.example.com:8443/', 'cal.example.com:8443');
    await refusedBy(p, 'http://cal.example.com/', 'cal.example.com');
    await refusedBy(p, 'http://127.0.0.1:9/', '127.0.0.1:9'); // loopback, but another origin than the account's
    await refusedBy(p, 'https://evil.example.net/', 'evil.example.net');
    await refusedBy(p, 'http://10.0.0.1/', '10.0.0.1');
    await refusedBy(p, 'ftp://cal.example.com/', 'cal.example.com');
  });

  it('admits another host over https within the registrable domain (iCloud), and says so once', async () => {
    const seen: string[] = [];
    const p = new OriginPolicy(new URL('https://caldav.icloud.com/'), { onCrossHost: (o, d) => seen.push(`${o} ${d}`) });
    await p.check(new URL('https://p07-caldav.icloud.com/123/calendars/'), 'testing');
    await p.check(new URL('https://p07-caldav.icloud.com/123/calendars/work/'), 'testing');
    assert.deepEqual(seen, ['https://p07-caldav.icloud.com icloud.com']);
    assert.deepEqual(p.crossHostOrigins, ['https://p07-caldav.icloud.com']);
    await refusedBy(p, 'http://p07-caldav.icloud.com/', 'p07-caldav.icloud.com');
    await refusedBy(p, 'https://caldav.icloud.com.evil.test/', 'caldav.icloud.com.evil.test');
    await refusedBy(p, 'https://icloud.com.evil.com/', 'icloud.com.evil.com');
  });

  it('treats private suffixes as registries: one github.io site is not another', async () => {
    await refusedBy(new OriginPolicy(new URL('https://alice.github.io/')), 'https://mallory.github.io/', 'mallory.github.io');
    await refusedBy(new OriginPolicy(new URL('https://127.0.0.1:8443/')), 'https://127.0.0.2:8443/', '127.0.0.2');
    await refusedBy(new OriginPolicy(new URL('http://localhost:8080/')), 'https://other.localhost/', 'other.localhost');
  });

  it('admits what the saved account recorded, but only over https', async () => {
    const p = new OriginPolicy(new URL('https://cal.example.com/'), { recorded: ['https://p1.other.example/', 'http://p2.other.example/', 'not a url'] });
    await p.check(new URL('https://p1.other.example/x/'), 'testing');
    await refusedBy(p, 'http://p2.other.example/', 'p2.other.example');
  });
});
