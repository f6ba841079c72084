#!/usr/bin/env bash
# Runs a command with what the desktop tests need and stops it all afterwards: a virtual X
# display, a private D-Bus session and an unlocked gnome-keyring (a real Secret Service) in
# throwaway folders, so no test touches the user's own keyring.
set -euo pipefail

if [ -z "${REGISTRAR_HEADLESS_INNER:-}" ]; then
  work="$(mktemp -d /tmp/registrar-headless.XXXXXX)"
  chmod 700 "$work"
  xvfb_pid=""
  cleanup() {
    set +e
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null && wait "$xvfb_pid" 2>/dev/null
    # WebKit may have started the document portal, which leaves a FUSE mount in the runtime folder.
    fusermount3 -u -z "$work/runtime/doc" 2>/dev/null
    rm -rf "$work" 2>/dev/null
  }
  trap cleanup EXIT

  display=":$(( 90 + RANDOM % 400 ))"
  Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
  xvfb_pid=$!
  for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done

  mkdir -p "$work/runtime" "$work/data" "$work/config" "$work/cache"
  chmod 700 "$work/runtime"
  REGISTRAR_HEADLESS_INNER=1 DISPLAY="$display" XDG_RUNTIME_DIR="$work/runtime" \
    XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache" \
    dbus-run-session -- "$0" "$@"
  exit $?
fi

# Inside the D-Bus session: unlock a fresh keyring (without --unlock it would wait for a prompt).
printf '%s' "registrar-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
"$@"
