// The sharing job forced through CalendarServer sharing (POST of CS:share), proven as the sharee.
import { sharingFlow } from './sharing-flow.js';

sharingFlow('cs');
