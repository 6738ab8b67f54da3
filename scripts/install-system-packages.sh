#!/usr/bin/env bash
# Debian packages the tests use as real peers. Installs only what is missing, so a warm machine skips apt.
set -euo pipefail
declare -A needs=(
  [gpg]=gnupg
  [swaks]=swaks
  [smtp-sink]=postfix
  [smtp-source]=postfix
  [chromium]=chromium
  [faketime]=faketime
  [qpdf]=qpdf
  [pdftotext]=poppler-utils
  [pdfdetach]=poppler-utils
)
missing=()
for command in "${!needs[@]}"; do
  command -v "$command" >/dev/null 2>&1 || missing+=("${needs[$command]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  if [ "$(id -u)" -ne 0 ]; then
    echo "the tests need Debian packages missing here; as root: apt-get install -y ${packages% }" >&2
    exit 2
  fi
  apt-get update -qq
  # postfix is wanted only for its smtp-sink and smtp-source test tools; it must not deliver mail here.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages
fi
