// The sharing job forced through draft-pot WebDAV resource sharing (POST of DAV:share-resource), proven as the sharee.
import { sharingFlow } from './sharing-flow.js';

sharingFlow('resource-sharing');
