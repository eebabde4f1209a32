// The sharing job forced through WebDAV ACL (RFC 3744 ACL method), proven as the sharee.
// Owned by acl-owner, whom no other test file shares from: an ACL write anywhere in an owner's home
// makes Cyrus grant that home to everyone in any of the owner's calendar ACLs for a moment (home
// spill, src/servers/cyrus-home-spill.ts). With alice as owner, other files' concurrent ACL writes
// on her calendars made bob's and carol's ACL-only grants here read as inherited from the home.
import { sharingFlow } from './sharing-flow.js';

sharingFlow('acl', 'acl-owner');
