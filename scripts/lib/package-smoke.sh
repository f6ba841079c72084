#!/usr/bin/env bash
# The installed package, as an admin gets it: installs the .deb given (dpkg -i, then apt-get -f for
# its dependencies), starts the installed app in a fresh home folder on its embedded sandbox and
# waits for its window and its painted apps list, runs the installed command line on the sandbox
# the app made, then removes the package and checks that nothing of it is left. Run inside
# scripts/lib/headless.sh (a display and an unlocked keyring); needs root or sudo.
set -euo pipefail
source "$(dirname "$0")/setup.sh"

deb="$(realpath "$1")"
package="$(dpkg-deb --field "$deb" Package)"
fail() { echo "package smoke test: $*" >&2; exit 1; }

installed() { dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; }
# A Registrar the machine's user installed is neither replaced nor removed by a test.
installed && fail "$package is installed already: remove it first (apt-get remove $package)"

home="$(mktemp -d /tmp/registrar-package.XXXXXX)"
app_pid=""
cleanup() {
  set +e
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null
  installed && as_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "$package" >/dev/null
  rm -rf "$home"
}
trap cleanup EXIT

echo "==> installing $deb"
as_root dpkg -i "$deb" >/dev/null || as_root env DEBIAN_FRONTEND=noninteractive apt-get -f install -y -qq >/dev/null
files="$(dpkg -L "$package")"
for bin in /usr/bin/registrar /usr/bin/registrar-desktop; do
  grep -qx "$bin" <<<"$files" || fail "$bin is not in the package"
done

mkdir -p "$home/home" "$home/data" "$home/config" "$home/cache"
# A fresh home and a keychain namespace of its own: nothing the user keeps is read or written.
run_installed() {
  env HOME="$home/home" XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" \
    XDG_CACHE_HOME="$home/cache" REGISTRAR_KEYCHAIN_NAMESPACE="registrar-package-$$" "$@"
}

echo "==> starting the installed app"
run_installed env RUST_LOG=info /usr/bin/registrar-desktop 2>"$home/app.log" &
app_pid=$!
for _ in $(seq 120); do
  grep -q "interactive .* ms after start" "$home/app.log" && break
  kill -0 "$app_pid" 2>/dev/null || fail "the app ended: $(cat "$home/app.log")"
  sleep 0.5
done
grep -q "interactive .* ms after start" "$home/app.log" ||
  fail "no apps list was painted within 60 s: $(cat "$home/app.log")"
windows="$(xwininfo -root -tree)"
grep -q '"Registrar"' <<<"$windows" || fail "no window named Registrar is mapped"
[ -d "$home/data/dev.registrar.desktop" ] || fail "the sandbox's data is not in the fresh home"
kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=""

echo "==> the installed command line"
version="$(run_installed registrar --version)"
[ "$version" = "registrar $(dpkg-deb --field "$deb" Version)" ] || fail "registrar --version said: $version"
# The window's binary hands command words to the command line installed beside it.
handed="$(run_installed registrar-desktop --version)"
[ "$handed" = "$version" ] || fail "registrar-desktop --version said: $handed"
connections="$(run_installed registrar connections list)" || fail "registrar connections list failed"
grep -q "Sandbox" <<<"$connections" || fail "the app's Sandbox connection is not listed: $connections"
# The command line reaches the sandbox the app made, through the same folders and keychain.
apps="$(run_installed registrar apps list 2>&1)" || fail "registrar apps list failed: $apps"
grep -q "Registrar admin" <<<"$apps" || fail "the sandbox's admin app is not listed: $apps"

echo "==> removing $package"
as_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "$package" >/dev/null
installed && fail "$package is still installed"
while read -r path; do
  [ -f "$path" ] && fail "$path is left after removal"
done <<<"$files"
echo "==> the package installs, starts, runs its command line and removes cleanly"
