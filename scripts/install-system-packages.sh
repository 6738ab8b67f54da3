#!/usr/bin/env bash
# Debian packages the tests use as real peers. Installs only what is missing, so a warm machine skips apt.
set -euo pipefail
declare -A needs=(
  [gpg]=gnupg
)
missing=()
for command in "${!needs[@]}"; do
  command -v "$command" >/dev/null 2>&1 || missing+=("${needs[$command]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
