// Issue 11 §1: OAuth endpoints pass the same origin policy as the CalDAV server. A hostile
// issuer's metadata names token, revocation and device endpoints on another origin; the refresh
// token must never be sent there.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HostileDav } from '../helpers/hostile-dav.js';
import { deviceFlow, oauthClient, refresh, revoke } from '../../src/credentials/oauth.js';
import { NetworkError } from '../../src/errors.js';

describe('OAuth endpoints and the origin policy', () => {
  let issuer: HostileDav;
  let other: HostileDav;
  before(async () => {
    [issuer, other] = await Promise.all([HostileDav.start(), HostileDav.start()]);
    const iss = issuer.url.href.replace(/\/$/, '');
    const elsewhere = other.url.href.replace(/\/$/, '');
    const meta = JSON.stringify({
      issuer: iss,
      token_endpoint: `${elsewhere}/token`,
      revocation_endpoint: `${elsewhere}/revoke`,
      device_authorization_endpoint: `http://login.evil.example/device`,
      authorization_endpoint: `${iss}/authorize`,
    });
    issuer.on('GET', '/.well-known/openid-configuration', 200, meta, { 'content-type': 'application/json' });
  });
  after(() => Promise.all([issuer.close(), other.close()]));

  const refusal = (host: string) => (e: unknown) => e instanceof NetworkError && e.exitCode === 4 && e.code === 'ORIGIN_REFUSED' && e.message.includes(host);

  it('refresh, revocation and device endpoints on another origin are refused, and nothing reaches it', async () => {
    const c = await oauthClient({ issuer: issuer.url.href, clientId: 'calshare' });
    await assert.rejects(refresh(c, { access_token: 'a', refresh_token: 'r-secret' }, 'work'), refusal(other.url.host));
    await assert.rejects(revoke(c, { access_token: 'a', refresh_token: 'r-secret' }), refusal(other.url.host));
    await assert.rejects(deviceFlow(c, () => {}), refusal('login.evil.example'));
    assert.equal(other.connections, 0, 'no connection to the other origin');
  });

  it('an endpoint the user named is theirs to choose', async () => {
    other.on('POST', '/token', 200, JSON.stringify({ access_token: 'new', token_type: 'bearer', expires_in: 60 }), { 'content-type': 'application/json' });
    const c = await oauthClient({ issuer: issuer.url.href, clientId: 'calshare', tokenEndpoint: new URL('/token', other.url).href });
    const t = await refresh(c, { access_token: 'a', refresh_token: 'r' }, 'work');
    assert.equal(t.access_token, 'new');
  });
});
