// Preloaded (node --import) into a calshare child by tests that need real host names: every name
// in CALSHARE_TEST_LOOPBACK_NAMES (comma-separated) resolves to 127.0.0.1, all else as usual.
// This stands in for /etc/hosts entries a test cannot write; calshare's code is unchanged.
import dns from 'node:dns';

const names = new Set((process.env.CALSHARE_TEST_LOOPBACK_NAMES ?? '').split(',').filter(Boolean));
const original = dns.lookup;
dns.lookup = function lookup(hostname, options, callback) {
  if (!names.has(String(hostname).toLowerCase())) return original.call(this, hostname, options, callback);
  const cb = typeof options === 'function' ? options : callback;
  const all = typeof options === 'object' && options?.all;
  process.nextTick(() => (all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)));
  return {};
};
const promises = dns.promises;
const originalP = promises.lookup;
promises.lookup = async function lookup(hostname, options) {
  if (!names.has(String(hostname).toLowerCase())) return originalP.call(this, hostname, options);
  return options?.all ? [{ address: '127.0.0.1', family: 4 }] : { address: '127.0.0.1', family: 4 };
};
