// The sharing job forced through WebDAV ACL (RFC 3744 ACL method), proven as the sharee.
import { sharingFlow } from './sharing-flow.js';

sharingFlow('acl');
