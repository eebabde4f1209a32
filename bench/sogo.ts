// Sharing figures against staging SOGo (staging/sogo.sh), through the library with a request
// counter: one view-only share with bob and one revoke, each verified by the engine's read-back.
// Prints figures; asserts nothing (`npm run bench`).
import { SOGO } from '../test/helpers/staging.js';
import { benchShareRevoke } from './lib/share-revoke.js';

await benchShareRevoke({
  server: 'sogo',
  url: SOGO.url,
  home: SOGO.home('alice'),
  write: 'POST',
  title: 'SOGo 5.8 (acl-query; state = user-list + one roles per sharee): one share and one revoke, warm session after discovery',
  legend: '(REPORT = acl-query user-list/roles reads before and after; POST = the acl-query write; PROPFIND = people lookup and read-back):',
});
