#!/usr/bin/env bash
# The date-sensitive tests again, with the machine's clock moved (libfaketime, Debian's `faketime`): a test
# that mixes a fixed date with the real one, or a product path that mixes an injected clock with the system's,
# fails here the day it is written rather than on the day the calendar catches up with it.
#   - a year ahead, one minute before midnight UTC on 31 December: the day, month and year roll over mid-run;
#   - 00:59 UTC on the last Sunday of March in Europe/London: the clocks go forward an hour mid-run.
# The clock starts at the given time and runs on from there (faketime's @), so timeouts still fire.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v faketime >/dev/null 2>&1; then
  echo "shifted-clock tests need faketime: apt-get install faketime (scripts/install-system-packages.sh does)" >&2
  exit 2
fi
# The tests that handle dates or the clock (sessions, cookies, retention, the audit chain, digests and their
# schedule, the dashboard's weeks, trace headers, key expiry, ages from dates of birth): those that say so.
# Left out: slow tests that read the clock only to time themselves (Chromium loading a large file, memory
# bounds on large files, Redis outages, page accessibility), where a moved calendar changes nothing but costs minutes.
timing_only='test/(crypto/(envelope-browser|large-attachment-rss)|web/accessibility|queue/mail-queue|message/large-(csv|pdf)-rss)\.test\.ts'
mapfile -t files < <(grep -rlE 'Date\.now|new Date\(|now: |useFakeTimers' test --include='*.test.ts' | grep -vE "$timing_only" | sort)
next_year=$(( $(date -u +%Y) + 1 ))
# The last Sunday of March of next year: British Summer Time starts at 01:00 UTC.
last_sunday=$(for day in 31 30 29 28 27 26 25; do [ "$(date -u -d "$next_year-03-$day" +%u)" = 7 ] && echo "$next_year-03-$day" && break; done)
for start in "$next_year-12-31 23:59:00" "$last_sunday 00:59:00"; do
  echo "== shifted clock: starting at $start UTC (TZ=Europe/London)"
  # A redis-server a test starts of its own keeps the real clock (test/queue/support/redis.ts), as the shared
  # Redis and PostgreSQL do.
  TZ=Europe/London faketime -f "@$start" npx vitest run "${files[@]}" "$@"
done
