// Getting the first token set: the code flow in the user's browser when one can be opened here,
// the device flow otherwise (RFC 8252 §7.3 / RFC 8628). The user reads the progress on stderr.
import { browserCommand, openBrowser } from './browser.js';
import { listenLoopback } from './loopback.js';
import { deviceFlow, oauthClient, startCodeFlow, type OAuthClientOptions, type TokenSet } from './oauth.js';
import type { OAuthSettings } from './config.js';

export interface OAuthLoginOptions extends OAuthClientOptions {
  device?: boolean;
  say: (line: string) => void;
  /** How long to wait for the browser to come back. */
  timeoutMs?: number;
}

export async function oauthLogin(settings: OAuthSettings, opts: OAuthLoginOptions): Promise<TokenSet> {
  const c = await oauthClient(settings, opts);
  const browser = browserCommand();
  if (opts.device || !browser || !c.as.authorization_endpoint) {
    if (!opts.device) opts.say(browser ? 'The server has no authorization endpoint; using the device flow.' : 'No browser can be opened here; using the device flow (RFC 8628).');
    return deviceFlow(c, (d) => {
      opts.say(`To log in, open ${d.verification_uri} on any device and enter the code ${d.user_code}`);
      if (d.verification_uri_complete) opts.say(`  (or open ${d.verification_uri_complete})`);
      opts.say('Waiting for approval…');
    });
  }
  const lb = await listenLoopback(opts.timeoutMs ?? 300_000);
  try {
    const flow = await startCodeFlow(c, lb.redirectUri);
    opts.say(`Opening your browser to log in. If it does not open, visit:\n  ${flow.url.href}`);
    if (!(await openBrowser(browser, flow.url.href))) opts.say(`Could not start the browser (${browser[0]}); open the address above yourself.`);
    return await flow.finish(await lb.callback);
  } finally {
    lb.close();
  }
}
