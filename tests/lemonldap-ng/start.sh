#!/usr/bin/env bash
# LemonLDAP::NG (Debian's lemonldap-ng) as a second, independently written OpenID provider with
# dynamic client registration, for the tests: open registration (no initial access token), no
# RFC 7592 management, client ids holding '/' and '.', and an admin REST API (the Manager) that
# must allow client_credentials per client. Changes reach its token endpoint after a second or two.
#
#   start.sh DIR PORTAL_PORT MANAGER_PORT
#
# Writes its whole configuration into DIR (a fresh folder), starts the portal and the Manager API
# on 127.0.0.1 with plackup, waits until both answer, and prints "ready" and the two process ids.
# Both listen on loopback only: the Manager API has no authentication.
set -euo pipefail
dir="$1" portal_port="$2" manager_port="$3"
cd "$dir"
mkdir -p conf cache sessions/lock psessions/lock
openssl genrsa -out oidc.key 2048 2>/dev/null
openssl rsa -in oidc.key -pubout -out oidc.pub 2>/dev/null

cat > lemonldap-ng.ini <<INI
[all]
logLevel = warn
checkTime = 1
[configuration]
type = File
dirName = $dir/conf
[portal]
staticPrefix = /static
templateDir = /usr/share/lemonldap-ng/portal/templates
languages = en
[handler]
status = 0
[manager]
protection = none
staticPrefix = /static
templateDir = /usr/share/lemonldap-ng/manager/htdocs/templates
languages = en
enabledModules = api
INI

# The configuration itself: demo users (dwho/dwho), file sessions, the OpenID issuer with open
# registration. "domain" must be a host name, and the portal's session cookie is set for it, so
# the portal is reached as localhost (it listens on 127.0.0.1).
python3 - "$dir" "$portal_port" <<'PY'
import json, sys
folder, port = sys.argv[1], sys.argv[2]
issuer = f"http://localhost:{port}"
key = open(f"{folder}/oidc.key").read()
public = open(f"{folder}/oidc.pub").read()
config = {
    "cfgNum": 1, "cfgAuthor": "registrar-tests", "cfgVersion": "2.16.1", "cfgDate": "1700000000",
    "domain": "localhost", "portal": f"{issuer}/", "cookieName": "lemonldap",
    "securedCookie": 0, "timeout": 72000,
    "authentication": "Demo", "userDB": "Same", "passwordDB": "Demo", "registerDB": "Null",
    "demoExportedVars": {"cn": "cn", "mail": "mail", "uid": "uid"},
    "whatToTrace": "uid", "exportedVars": {},
    "globalStorage": "Apache::Session::File",
    "globalStorageOptions": {
        "Directory": f"{folder}/sessions", "LockDirectory": f"{folder}/sessions/lock",
        "generateModule": "Lemonldap::NG::Common::Apache::Session::Generate::SHA256",
    },
    "persistentStorage": "Apache::Session::File",
    "persistentStorageOptions": {
        "Directory": f"{folder}/psessions", "LockDirectory": f"{folder}/psessions/lock",
    },
    "localSessionStorage": "Cache::FileCache",
    "localSessionStorageOptions": {
        "cache_root": f"{folder}/cache", "cache_depth": 3, "default_expires_in": 600,
        "directory_umask": "007", "namespace": "lemonldap-ng-sessions",
    },
    "locationRules": {"localhost": {"default": "accept"}},
    "issuerDBOpenIDConnectActivation": 1,
    "oidcServiceMetaDataIssuer": issuer,
    "oidcServicePrivateKeySig": key,
    "oidcServicePublicKeySig": public,
    "oidcServiceKeyIdSig": "registrar-tests",
    "oidcServiceAllowDynamicRegistration": 1,
}
json.dump(config, open(f"{folder}/conf/lmConf-1.json", "w"), indent=1)
PY

export LLNG_DEFAULTCONFFILE="$dir/lemonldap-ng.ini"
# The deployment environment: development's Lint middleware breaks the consent step.
plackup -E deployment --host 127.0.0.1 --port "$portal_port" \
  /usr/share/doc/liblemonldap-ng-portal-perl/examples/index.psgi >portal.log 2>&1 &
portal=$!
plackup -E deployment --host 127.0.0.1 --port "$manager_port" \
  /usr/share/lemonldap-ng/manager/api/api.psgi >manager.log 2>&1 &
manager=$!

answers() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ]; }
for _ in $(seq 300); do
  if answers "http://127.0.0.1:$portal_port/.well-known/openid-configuration" \
    && answers "http://127.0.0.1:$manager_port/api/v1/status"; then
    echo "ready $portal $manager"
    exit 0
  fi
  sleep 0.1
done
kill "$portal" "$manager" 2>/dev/null || true
echo "LemonLDAP::NG did not answer within 30 s; its logs:" >&2
cat portal.log manager.log >&2
exit 1
