"""A CalDAV client no part of calshare wrote: Debian's python3-caldav, as a calendar app would use
it. Started from the user's own calendar home; the password comes from the environment
(CALDAV_PASSWORD), never from argv. Prints one JSON document.

  list URL USER          calendars the app finds (url, name)
  read URL USER CAL_URL  the SUMMARY of every event in CAL_URL, or the error the server gave
"""
import json
import os
import sys

import caldav
import requests
from caldav.lib import error


def summaries(cal):
    out = []
    for ev in cal.events():
        for line in ev.data.splitlines():
            if line.startswith("SUMMARY:"):
                out.append(line[len("SUMMARY:"):])
    return out


def once_more_on_reset(f):
    # SOGo 5.8 now and then resets a kept-alive connection right after its 401 challenge (seen on
    # the read of a revoked subscription: the authenticated retry never reaches sogod's log). A
    # calendar app retries on its next sync; one fresh attempt here does the same.
    try:
        return f()
    except requests.exceptions.ConnectionError:
        return f()


def main():
    mode, url, user = sys.argv[1], sys.argv[2], sys.argv[3]
    client = caldav.DAVClient(url=url, username=user, password=os.environ["CALDAV_PASSWORD"])
    if mode == "list":
        cals = once_more_on_reset(lambda: [{"url": str(c.url), "name": c.name} for c in client.principal().calendars()])
        print(json.dumps({"calendars": cals}))
    elif mode == "read":
        cal = caldav.Calendar(client=client, url=sys.argv[4])
        try:
            print(json.dumps({"summaries": once_more_on_reset(lambda: summaries(cal))}))
        except (error.DAVError, error.AuthorizationError) as e:
            print(json.dumps({"refused": True, "error": type(e).__name__, "detail": str(e)[:300]}))
    else:
        raise SystemExit("unknown mode " + mode)


main()
