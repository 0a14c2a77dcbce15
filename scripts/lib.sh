# Shared by scripts/test and scripts/run: make sure the machine has what the build needs.
# Sourced, not run.

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs Debian packages that are missing, idempotently. apt can fail once while another
# apt runs (unattended upgrades), so each step is retried.
ensure_apt() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get: install them by hand"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "missing packages: ${missing[*]}. Run this script as root, or install them: apt-get install ${missing[*]}"
    sudo="sudo"
  fi
  log "installing ${missing[*]}"
  local try
  for try in 1 2 3; do
    if $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
       $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
      return 0
    fi
    log "apt-get failed (try $try of 3), retrying in 10 s"
    sleep 10
  done
  die "could not install: ${missing[*]}"
}

# Makes sure cargo with rustfmt and clippy is on PATH, installing Rust with rustup if needed.
ensure_rust() {
  [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
  if ! command -v cargo >/dev/null; then
    ensure_apt curl ca-certificates
    log "installing Rust (rustup, stable)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c clippy,rustfmt
    . "$HOME/.cargo/env"
  fi
  if command -v rustup >/dev/null; then
    rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
    rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
  fi
}

# The build needs a C compiler (ring/aws-lc, libFuzzer) and pkg-config.
ensure_build_deps() {
  ensure_apt build-essential pkg-config
  ensure_rust
}

# The desktop app's build needs WebKitGTK and the tray library.
ensure_desktop_build_deps() {
  ensure_apt libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev
}

# The desktop tests run the app under Xvfb with a private D-Bus session, take screenshots
# with ImageMagick, list windows with xwininfo, read the clipboard with xclip and drive the
# webview with WebKitWebDriver.
ensure_desktop_test_deps() {
  ensure_apt xvfb xauth dbus dbus-x11 x11-utils xclip imagemagick webkit2gtk-driver fonts-dejavu-core curl
}

# Real Chromium for the web pages the publisher serves (the console), driven by chromedriver.
ensure_browser_test_deps() {
  ensure_apt chromium chromium-driver
}

# A PostgreSQL server for the store suite and the publisher's PostgreSQL tests. The tests
# start their own server in a temporary folder (as the postgres user when run as root) on
# a loopback port; nothing here starts or needs the system's cluster. Any version works;
# Debian 12's is 15.
ensure_postgres_test_deps() {
  if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    ensure_apt postgresql postgresql-client
  fi
}

# A virtualenv outside the checkout at $1 with the pinned packages of the file $2, made anew
# when the file changes.
ensure_venv() {
  local venv="$1" want="$2"
  if [ ! -x "$venv/bin/python" ] || ! cmp -s "$want" "$venv/requirements.txt"; then
    log "python packages of $want into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv" || die "python3 -m venv failed (package python3-venv)"
    local try
    for try in 1 2 3; do
      if "$venv/bin/pip" install -q --disable-pip-version-check -r "$want"; then
        cp "$want" "$venv/requirements.txt"
        break
      fi
      [ "$try" -eq 3 ] && die "could not install $want from PyPI"
      log "pip failed (try $try of 3), retrying in 10 s"
      sleep 10
    done
  fi
}

# Independent readers of what the publisher serves, from PyPI: statuscheck (a Statuspage v2
# client) and feedparser (Atom and RSS); and moto, a local S3-compatible server for the
# object-store mirror. The tests find them through SVETOFOR_PYTHON and SVETOFOR_MOTO_PYTHON.
ensure_python_test_deps() {
  ensure_apt python3 python3-venv
  local cache="$HOME/.cache/svetofor"
  ensure_venv "${SVETOFOR_PYENV:-$cache/pyenv}" tests/python-requirements.txt
  ensure_venv "${SVETOFOR_MOTOENV:-$cache/motoenv}" tests/moto-requirements.txt
  export SVETOFOR_PYTHON="${SVETOFOR_PYENV:-$cache/pyenv}/bin/python"
  export SVETOFOR_MOTO_PYTHON="${SVETOFOR_MOTOENV:-$cache/motoenv}/bin/python"
}
