#!/usr/bin/env bash
# Stands in for the system browser in the tests: given the authorization URL, it signs in as the
# sandbox's user over HTTP (the password in SANDBOX_PASSWORD) and follows the redirect back to the
# app's loopback listener, as a person in a browser would.
set -euo pipefail
url="$1"
endpoint="${url%%\?*}"
query="${url#*\?}"
back=$(curl -sS -o /dev/null -w '%{redirect_url}' \
  --data "$query" --data-urlencode "username=admin" --data-urlencode "password=${SANDBOX_PASSWORD}" \
  "$endpoint")
[ -n "$back" ] || { echo "the sign-in page did not redirect" >&2; exit 1; }
curl -sS -o /dev/null "$back"
