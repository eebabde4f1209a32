// Sharing figures against staging DAViCal (staging/davical.sh), through the library with a request
// counter: one view-only share with bob and one revoke, each verified by the engine's read-back.
// Prints figures; asserts nothing (`npm run bench`).
import { DAVICAL } from '../test/helpers/staging.js';
import { benchShareRevoke } from './lib/share-revoke.js';

await benchShareRevoke({
  server: 'davical',
  url: DAVICAL.url,
  home: DAVICAL.home('alice'),
  write: 'ACL',
  title: 'DAViCal 1.1 (ACL upsert; revoke = empty grant): one share and one revoke, warm session after discovery',
  legend: '(REPORT = people lookup by principal-property-search; PROPFIND = fresh read before the write and read-backs):',
});
