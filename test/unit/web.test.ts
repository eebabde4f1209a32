// The web UI's two pure safety nets: the escaping html`` tag and the request checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { escapeHtml, html } from '../../src/web/html.js';
import { checkStateChange, hostAllowed, readCookie, sameSecret } from '../../src/web/security.js';

test('html`` escapes every interpolated string, so no value can open a tag or leave an attribute', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => {
      const out = html`${s}`.value;
      assert.doesNotMatch(out, /[<>"']/);
      // and nothing is lost: decoding the five entities gives the text back
      const back = out.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!);
      assert.equal(back, s);
    }),
  );
  assert.equal(html`<b>${'<script>alert(1)</script>'}</b>`.value, '<b>&lt;script&gt;alert(1)&lt;/script&gt;</b>');
});

test('html`` nests fragments without escaping them twice, and skips empty values', () => {
  const inner = html`<i>${'a&b'}</i>`;
  assert.equal(html`<p>${inner}${[inner, 'x<y']}${undefined}${null}${false}</p>`.value, '<p><i>a&amp;b</i><i>a&amp;b</i>x&lt;y</p>');
  assert.equal(escapeHtml(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;');
});

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

test('only 127.0.0.1:PORT and localhost:PORT are served', () => {
  assert.equal(hostAllowed(req({ host: '127.0.0.1:8123' }), 8123), true);
  assert.equal(hostAllowed(req({ host: 'LOCALHOST:8123' }), 8123), true);
  for (const host of ['127.0.0.1', 'localhost', '127.0.0.1:80', 'evil.example:8123', '127.0.0.1:8123.evil.example', '[::1]:8123', '0.0.0.0:8123']) {
    assert.equal(hostAllowed(req({ host }), 8123), false, host);
  }
  assert.equal(hostAllowed(req({}), 8123), false);
});

test('a state change needs the exact origin of the Host, same-origin fetch metadata and the CSRF token', () => {
  const ok = { host: '127.0.0.1:9', origin: 'http://127.0.0.1:9', 'x-csrf-token': 'tok' };
  assert.equal(checkStateChange(req(ok), 'tok', undefined), undefined);
  assert.equal(checkStateChange(req({ ...ok, 'sec-fetch-site': 'same-origin' }), 'tok', undefined), undefined);
  assert.equal(checkStateChange(req({ host: ok.host, origin: ok.origin }), 'tok', 'tok'), undefined, 'form field instead of header');
  const refused = [
    { ...ok, origin: 'http://localhost:9' },
    { ...ok, origin: 'null' },
    { ...ok, 'sec-fetch-site': 'same-site' },
    { ...ok, 'x-csrf-token': 'tok2' },
    { host: ok.host, 'x-csrf-token': 'tok' },
  ];
  for (const h of refused) assert.equal(checkStateChange(req(h), 'tok', undefined)?.status, 403, JSON.stringify(h));
  // A correct form field does not rescue a wrong header: the header is what htmx sends.
  assert.equal(checkStateChange(req({ ...ok, 'x-csrf-token': 'bad' }), 'tok', 'tok')?.status, 403);
});

test('secrets compare by value whatever their length; cookies are read by exact name', () => {
  assert.equal(sameSecret('abc', 'abc'), true);
  assert.equal(sameSecret('abc', 'abcd'), false);
  assert.equal(sameSecret(undefined, 'abc'), false);
  assert.equal(sameSecret('', 'abc'), false);
  assert.equal(readCookie(req({ cookie: 'x_calshare_ui_9=no; calshare_ui_9=yes; other=1' }), 'calshare_ui_9'), 'yes');
  assert.equal(readCookie(req({}), 'calshare_ui_9'), undefined);
});
