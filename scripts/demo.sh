#!/usr/bin/env bash
# `npm run demo`: the main job, narrated, against the local staging Cyrus with the real CLI.
# alice lists her calendars, asks how her default calendar can be shared, shares it view-only with
# bob, looks at who has access, changes bob to edit, and revokes him. After each change bob himself
# tries to read and write through plain CalDAV requests, and the demo stops (exit 1) if the server
# does not do what calshare said. Works on a fresh Debian 12 machine: it sets everything up first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash staging/up.sh cyrus
node node_modules/typescript/bin/tsc -p tsconfig.json   # the build (npm run build), without a nested npm

# The staging server's accounts (see staging/cyrus.sh); calshare reads the password from the
# environment, never from its command line.
export CALSHARE_URL=http://127.0.0.1:8008/ CALSHARE_USERNAME=alice CALSHARE_PASSWORD=alice-pw
CALENDAR=personal
BOB=bob@example.test
CAL_URL=${CALSHARE_URL}dav/calendars/user/alice/Default/
EVENT_URL=${CAL_URL}calshare-demo.ics

if [[ -t 1 && -z ${NO_COLOR:-} ]]; then B=$'\e[1m' G=$'\e[32m' R=$'\e[31m' D=$'\e[2m' N=$'\e[0m'; else B='' G='' R='' D='' N=''; fi
say() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
run() { printf '%s$ calshare %s%s\n' "$D" "$*" "$N"; node dist/cli/main.js "$@"; }
ok() { printf '   %s✓ %s%s\n' "$G" "$*" "$N"; }
fail() { printf '   %s✗ %s%s\n' "$R" "$*" "$N" >&2; exit 1; }

# One CalDAV request as USER (password from DAV_PASSWORD, not argv), following Cyrus's same-origin
# redirect of a sharee to their own view of the calendar; prints the final HTTP status.
as() {
  local user=$1 method=$2 url=$3 summary=${4:-}
  DAV_USER=$user DAV_PASSWORD="$user-pw" node --input-type=module -e '
    const [method, url, summary] = process.argv.slice(1);
    const auth = "Basic " + Buffer.from(`${process.env.DAV_USER}:${process.env.DAV_PASSWORD}`).toString("base64");
    const uid = "calshare-demo-" + Math.random().toString(36).slice(2);
    const body = summary ? ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//calshare demo//EN", "BEGIN:VEVENT", `UID:${uid}`,
      "DTSTAMP:20260101T000000Z", "DTSTART:20261201T100000Z", "DTEND:20261201T110000Z", `SUMMARY:${summary}`,
      "END:VEVENT", "END:VCALENDAR", ""].join("\r\n") : undefined;
    let target = new URL(url);
    for (let hop = 0; hop < 5; hop++) {
      const res = await fetch(target, { method, body, redirect: "manual",
        headers: { authorization: auth, ...(body ? { "content-type": "text/calendar; charset=utf-8" } : {}) } });
      const text = await res.text();
      const next = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && next && new URL(next, target).origin === target.origin) { target = new URL(next, target); continue; }
      console.log(method === "GET" && res.status === 200 && !text.includes("SUMMARY:Planning meeting") ? "200-wrong-body" : res.status);
      break;
    }' "$method" "$url" "$summary"
}

bob_reads() { [[ $(as bob GET "$EVENT_URL") == 200 ]]; }
bob_creates() { local s; s=$(as bob PUT "${CAL_URL}by-bob-$$.ics" 'Added by bob'); printf '%s' "$s"; }

say "Setting the stage: alice puts an event in her calendar \"$CALENDAR\"; bob starts without access"
[[ $(as alice PUT "$EVENT_URL" 'Planning meeting') =~ ^20[14]$ ]] || fail "could not create alice's demo event"
node dist/cli/main.js unshare "$CALENDAR" "$BOB" --yes >/dev/null 2>&1 || true
trap 'as alice DELETE "$EVENT_URL" >/dev/null 2>&1 || true' EXIT
bob_reads && fail "bob can already read alice's calendar" || ok "bob cannot read alice's calendar yet"

say "1. alice lists her calendars"
run calendars

say "2. How can \"$CALENDAR\" be shared on this server?"
run capabilities "$CALENDAR"

say "3. Share it view-only with bob (calshare verifies by reading the server's state back)"
run share "$CALENDAR" "$BOB" --view

say "4. Who has access now?"
run sharees "$CALENDAR"

say "5. Proof, logged in as bob"
bob_reads && ok "bob reads alice's event" || fail "bob cannot read the shared calendar"
status=$(bob_creates)
[[ $status == 403 ]] && ok "bob's attempt to add an event is refused (HTTP $status)" || fail "bob's write was not refused (HTTP $status)"

say "6. Change bob to edit"
run share "$CALENDAR" "$BOB" --edit

say "7. Proof, logged in as bob"
status=$(bob_creates)
[[ $status == 201 || $status == 204 ]] && ok "bob adds an event (HTTP $status)" || fail "bob cannot write after the change to edit (HTTP $status)"
status=$(as bob DELETE "${CAL_URL}by-bob-$$.ics")
[[ $status == 204 || $status == 200 ]] && ok "bob deletes it again (HTTP $status)" || fail "bob cannot delete (HTTP $status)"

say "8. Revoke bob"
run unshare "$CALENDAR" "$BOB" --yes

say "9. Proof, logged in as bob"
bob_reads && fail "bob can still read after the revoke" || ok "bob is refused: he can no longer read alice's calendar"
status=$(bob_creates)
[[ $status -ge 400 ]] && ok "and cannot write (HTTP $status)" || fail "bob can still write (HTTP $status)"
run sharees "$CALENDAR"

printf '\n%sDemo complete: every step was proven as bob.%s\n' "$B" "$N"
