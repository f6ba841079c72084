#!/usr/bin/env bash
# A stand-in browser for LemonLDAP::NG: opens an authorization URL, signs in as a demo user,
# consents, and prints where the portal sends the browser back (the redirect URL with the code).
#
#   sign-in.sh AUTHORIZATION_URL USER PASSWORD
set -euo pipefail
url="$1" user="$2" password="$3"
jar="$(mktemp)" page="$(mktemp)"
trap 'rm -f "$jar" "$page"' EXIT
# The hidden fields of the form on the page just fetched, as curl arguments.
fields() {
  python3 - "$page" <<'PY'
import re, shlex, sys
html = open(sys.argv[1]).read()
pairs = re.findall(r'name="([a-z_]+)" value="([^"]*)"', html)
print(" ".join("--data-urlencode " + shlex.quote(f"{name}={value}") for name, value in pairs))
PY
}
curl -sf -c "$jar" -b "$jar" -o "$page" "$url"
login=$(fields)
eval curl -sf -c "$jar" -b "$jar" -o "$page" "$login" \
  --data-urlencode "user=$user" --data-urlencode "password=$password" "'$url'"
consent=$(fields)
eval curl -s -c "$jar" -b "$jar" -o /dev/null -w "'%{redirect_url}'" "$consent" "'$url'"
