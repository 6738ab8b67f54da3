#!/usr/bin/env bash
# The fresh-machine check: following only the README, from `git clone` to a message relayed and a
# quarantined message seen in the review app. The commands come from the clone's own README ("Install and
# run"), never retyped here, so the check fails when the README drifts from the product.
# docs/fresh-machine-check.md says what it does and what it needs.
#
# Usage: scripts/fresh-machine-check.sh [--keep] [REPOSITORY]
#   REPOSITORY  a path or URL for `git clone` (default: this checkout, at its committed HEAD)
#   --keep      keep the temporary folder (clone, data, logs, screenshots) even when the check passes
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
keep=false
repository=''
for argument in "$@"; do
  case "$argument" in
    --keep) keep=true ;;
    -h | --help) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $argument" >&2; exit 2 ;;
    *) repository=$argument ;;
  esac
done
repository=${repository:-$(git -C "$script_dir/.." rev-parse --show-toplevel)}

# A message the default rules hold (rule `slur`, quarantine) whoever the school is: no roster needed.
readonly HELD_SUBJECT='Booking system'
readonly HELD_BODY='The new booking system is so slow, only a retard would have designed it.'
readonly HELD_CATEGORY='language/slur'
readonly START_TIMEOUT_S=900 STOP_TIMEOUT_S=60

work=$(mktemp -d "${TMPDIR:-/tmp}/hallmonitor-fresh.XXXXXX")
clone=$work/hallmonitor
logs=$work/logs
screenshots=$work/screenshots
mkdir -p "$logs" "$screenshots"
serve_log=$logs/install-and-serve.log

step_names=() step_seconds=()
current_step='' step_started=0 check_started=$EPOCHREALTIME
serve_group='' redis_note='not known' failure=''

elapsed() { awk -v from="$1" -v to="$EPOCHREALTIME" 'BEGIN { printf "%.1f", to - from }'; }
# begin NAME [WHAT]: NAME goes in the summary, WHAT (the README's command) only in the running log.
begin() { current_step=$1; step_started=$EPOCHREALTIME; echo "== $1${2:+: $2}"; }
done_step() { step_names+=("$current_step"); step_seconds+=("$(elapsed "$step_started")"); current_step=''; }
fail() { failure=$*; echo "FAIL: $*" >&2; exit 1; }

summary() {
  local status=$1 index
  echo
  echo "fresh-machine check: $([ "$status" -eq 0 ] && echo PASS || echo FAIL) in $(elapsed "$check_started") s ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo "  repository: $repository @ $(git -C "$clone" rev-parse --short HEAD 2>/dev/null || echo '?'); Redis: $redis_note"
  for index in "${!step_names[@]}"; do printf '  %-38s %7s s  ok\n' "${step_names[$index]}" "${step_seconds[$index]}"; done
  [ -z "$current_step" ] || printf '  %-38s %7s s  FAILED\n' "$current_step" "$(elapsed "$step_started")"
  [ -z "$failure" ] || echo "  why: $failure"
}

# Our own processes only, by id: the README command's process group, then any redis-server serve left behind.
stop_leftovers() {
  if [ -n "$serve_group" ] && kill -0 -- "-$serve_group" 2>/dev/null; then
    kill -TERM -- "-$serve_group" 2>/dev/null || true
    sleep 5
    kill -KILL -- "-$serve_group" 2>/dev/null || true
  fi
  local pid
  for pid in $(private_redis_pids); do kill -TERM "$pid" 2>/dev/null || true; done
}

# serve's private redis-server runs with its working directory under the data folder (ensure-redis.ts).
private_redis_pids() {
  local pid
  for pid in $(pgrep -x redis-server || true); do
    case "$(readlink "/proc/$pid/cwd" 2>/dev/null)" in "$clone"/*) echo "$pid" ;; esac
  done
}

finish() {
  local status=$?
  trap - EXIT
  stop_leftovers
  summary "$status"
  if [ "$keep" = true ]; then
    echo "  everything kept in $work"
  elif [ "$status" -eq 0 ]; then
    rm -rf "$work"
  else
    rm -rf "$clone"
    echo "  logs and screenshots kept in $work"
  fi
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- what the README says, read from the clone -----------------------------------------------------------

# The "## Install and run" section, up to the next level-2 heading.
install_section() { awk '/^## /{inside = ($0 == "## Install and run"); next} inside' "$clone/README.md"; }
# The Nth ```sh block of that section, its lines joined.
sh_block() { install_section | awk -v want="$1" '/^```sh$/{n++; inside = (n == want); next} /^```$/{inside = 0} inside' | paste -sd ' '; }
sh_block_with() { local n=1 block; while block=$(sh_block "$n") && [ -n "$block" ]; do [[ "$block" == *"$1"* ]] && { echo "$block"; return; }; n=$((n + 1)); done; }

read_readme() {
  install_command=$(sh_block 1)
  swaks_command=$(install_section | grep -o '`swaks [^`]*`' | head -1 | tr -d '`') || true
  users_command=$(sh_block_with 'users add')
  sign_in_url=$(install_section | grep -Eo 'https?://[^ `)]+/sign-in' | head -1) || true
  [[ "$install_command" == *"npm ci"*serve* ]] || fail "the README's first sh block under \"Install and run\" is not the install-and-serve command: '$install_command'"
  [ -n "$swaks_command" ] || fail 'no `swaks …` command under "Install and run" in the README'
  [ -n "$users_command" ] || fail 'no sh block with `users add` under "Install and run" in the README'
  [ -n "$sign_in_url" ] || fail 'no …/sign-in address under "Install and run" in the README'
  smtp_address=$(grep -Eo -- '--server [^ ]+' <<<"$swaks_command" | cut -d' ' -f2) || fail "the README's swaks command has no --server HOST:PORT"
  recipient=$(grep -Eo -- '--to [^ ]+' <<<"$swaks_command" | cut -d' ' -f2) || fail "the README's swaks command has no --to"
  sender=$(grep -Eo -- '--from [^ ]+' <<<"$swaks_command" | cut -d' ' -f2) || fail "the README's swaks command has no --from"
  dpo_email=$(grep -Eo 'users add [^ ]+' <<<"$users_command" | cut -d' ' -f3)
  web_address=$(sed -E 's#^https?://([^/]+)/.*#\1#' <<<"$sign_in_url")
  echo "  install and run: $install_command"
  echo "  try it:          $swaks_command"
  echo "  review:          $users_command; then $sign_in_url"
}

port_in_use() { (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null; }

# --- the steps --------------------------------------------------------------------------------------------

preflight() {
  begin 'tools'
  local tool
  for tool in git node npm swaks; do command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-system-packages.sh installs the Debian ones)"; done
  [ -x "${HM_CHROMIUM:-/usr/bin/chromium}" ] || fail 'Chromium is not at /usr/bin/chromium (apt-get install chromium) or HM_CHROMIUM'
  done_step
}

clone_repository() {
  begin 'git clone, README read, ports free'
  git clone --quiet "$repository" "$clone"
  read_readme
  local address
  for address in "$smtp_address" "$web_address"; do
    if port_in_use "$address"; then
      fail "something already listens on $address, which the README's defaults use; stop it first (ss -ltnp 'sport = :${address##*:}' shows what)"
    fi
  done
  done_step
}

# The README's command in the background, in a process group of its own so only it is stopped at the end.
install_and_serve() {
  begin 'npm ci (with the build)' "$install_command"
  (cd "$clone" && npm_config_yes=false npm_config_prefer_offline=true exec setsid bash -c "$install_command" </dev/null >"$serve_log" 2>&1) &
  serve_job=$!
  serve_group=$serve_job
  local deadline=$((SECONDS + START_TIMEOUT_S)) installed=false
  # npm's "added N packages" line ends `npm ci` (the package's prepare, the build, runs before it).
  until grep -q '"msg":"hallmonitor started"' "$serve_log"; do
    if [ "$installed" = false ] && grep -Eq '^added [0-9]+ packages' "$serve_log"; then
      installed=true
      echo "  $(grep -Eo '^added [0-9]+ packages.*' "$serve_log" | head -1)"
      done_step
      begin 'serve start' 'until it logs "hallmonitor started"'
    fi
    kill -0 "$serve_job" 2>/dev/null || { tail -n 20 "$serve_log" >&2; fail 'the README command ended before serve started (last lines above)'; }
    [ "$SECONDS" -lt "$deadline" ] || fail "serve had not started after ${START_TIMEOUT_S} s (see $serve_log)"
    sleep 1
  done
  grep -q '"msg":"trial mode' "$serve_log" || fail 'serve did not say it runs in trial mode'
  outbox=$(grep -o '"outbox":"[^"]*"' "$serve_log" | head -1 | cut -d'"' -f4)
  [ "$outbox" = "$clone/data/outbox" ] || fail "trial mode writes to '$outbox', not ./data/outbox/ as the README says"
  if grep -q 'started a private redis-server' "$serve_log"; then redis_note="a private redis-server under ./data/redis"; else redis_note='the one already at the default address'; fi
  curl -fsS "http://$web_address/healthz" >/dev/null || fail "http://$web_address/healthz does not answer"
  echo "  started; Redis: $redis_note"
  done_step
}

# swaks's last reply before QUIT's 221: the answer to the message.
final_reply() { grep -E '^<(-|\*\*) +[0-9]{3}[ -]' | grep -Ev '^<(-|\*\*) +221 ' | tail -1 | sed -E 's/^<(-|\*\*) +//'; }
delivered_files() { { find "$outbox" -maxdepth 1 -name '*.eml' ! -name '*notice*' 2>/dev/null || true; } | sort; }

relay_clean_message() {
  begin 'clean message relayed' "$swaks_command"
  local reply delivered
  reply=$(cd "$clone" && bash -c "$swaks_command" 2>&1 | tee "$logs/swaks-clean.log" | final_reply) || true
  [[ "$reply" == 250\ * ]] || fail "the clean message was answered '$reply', not 250"
  delivered=$(delivered_files)
  [ "$(wc -l <<<"$delivered")" -eq 1 ] && [ -n "$delivered" ] || fail "expected one delivered message in $outbox, found: ${delivered:-none}"
  grep -qi "^To: $recipient" "$delivered" || fail "the file in the outbox is not the message to $recipient"
  echo "  $reply; in ./data/outbox/: $(basename "$delivered")"
  done_step
}

hold_message() {
  begin 'slur held for review' 'the same swaks command with a slur in the body'
  local reply before
  before=$(delivered_files)
  reply=$(cd "$clone" && bash -c "$swaks_command --header 'Subject: $HELD_SUBJECT' --body '$HELD_BODY'" 2>&1 | tee "$logs/swaks-held.log" | final_reply) || true
  [[ "$reply" == 250\ *'held for review'* ]] || fail "the message with a slur was answered '$reply', not 250 … held for review"
  [ "$(delivered_files)" = "$before" ] || fail 'the held message was written to the outbox'
  echo "  $reply"
  # "the sender has been told": the notice is queued, then a worker writes it to the outbox (trial mode).
  local deadline=$((SECONDS + 60))
  until grep -qil "^To: $sender" "$outbox"/quarantine-notice.*.eml 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || fail "no notice to the sender in $outbox a minute after the message was held"
    sleep 1
  done
  echo '  the notice to the sender is in ./data/outbox/'
  done_step
}

add_dpo() {
  begin 'DPO account' "$users_command"
  dpo_password=$(head -c 18 /dev/urandom | base64)
  local said
  said=$(cd "$clone" && printf '%s\n' "$dpo_password" | bash -c "$users_command" 2>&1) || fail "users add failed: $said"
  grep -q "added $dpo_email as dpo" <<<"$said" || fail "users add did not say it added $dpo_email as dpo: $said"
  echo "  added $dpo_email as dpo"
  done_step
}

review_in_browser() {
  begin 'held message seen in the review app' "Chromium at $sign_in_url"
  if ! HM_FRESH_PASSWORD=$dpo_password node "$script_dir/fresh-machine-browser.mjs" "$clone" "$sign_in_url" "$dpo_email" "$HELD_CATEGORY" "$screenshots" | sed 's/^/  /'; then
    fail "the review app did not show the held message and its findings (screenshots in $screenshots)"
  fi
  done_step
}

# SIGTERM to serve itself (the process listening on the README's SMTP port), as systemd would send it;
# the README command's own exit status is then serve's, through npx.
stop_serve() {
  begin 'SIGTERM, exit 0'
  local serve_pid status=0 waited=0
  serve_pid=$(ss -ltnpH "sport = :${smtp_address##*:}" | grep -Eo 'pid=[0-9]+' | head -1 | cut -d= -f2) || true
  [ -n "$serve_pid" ] || fail "nothing listens on $smtp_address any more"
  [ "$(ps -o pgid= -p "$serve_pid" | tr -d ' ')" = "$serve_group" ] || fail "the process on $smtp_address is not the one the README command started"
  kill -TERM "$serve_pid"
  while kill -0 "$serve_job" 2>/dev/null; do
    [ "$waited" -lt "$STOP_TIMEOUT_S" ] || fail "serve had not exited ${STOP_TIMEOUT_S} s after SIGTERM"
    sleep 1
    waited=$((waited + 1))
  done
  wait "$serve_job" || status=$?
  serve_group=''
  [ "$status" -eq 0 ] || fail "the README command exited $status after SIGTERM, not 0"
  grep -q '"msg":"hallmonitor stopped"' "$serve_log" || fail 'serve did not log that it stopped'
  [ -z "$(private_redis_pids)" ] || fail 'serve left its private redis-server running'
  echo '  exit status 0'
  done_step
}

# One function and `; exit` on its line, so bash has read all it will run before it starts (the file may be
# edited while a check runs).
main() {
  preflight
  clone_repository
  install_and_serve
  relay_clean_message
  hold_message
  add_dpo
  review_in_browser
  stop_serve
}
main; exit
