// The same read as `calshare calendars`, done with tsdav (issue 14's start-up comparison):
// discovery, then the calendars with their display names. Run as its own process by
// bench/startup.ts. The password comes from CALSHARE_PASSWORD, never argv; the request count
// goes to stderr as "requests N" (counted by wrapping the fetch tsdav calls).
import { createDAVClient } from 'tsdav';

const [serverUrl, username] = process.argv.slice(2);
let requests = 0;
const counted = (input, init) => {
  requests++;
  return fetch(input, init);
};
const client = await createDAVClient({
  serverUrl,
  credentials: { username, password: process.env.CALSHARE_PASSWORD },
  authMethod: 'Basic',
  defaultAccountType: 'caldav',
  fetch: counted,
});
const calendars = await client.fetchCalendars();
for (const c of calendars) process.stdout.write(`${c.displayName ?? ''}\t${c.url}\n`);
process.stderr.write(`requests ${requests}\n`);
