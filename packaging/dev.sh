#!/bin/sh
# One entry point for developers and CI: sh packaging/dev.sh run | test [--all] | bench | smoke | dist
# Creates .venv on first use, installs what is missing (Debian packages via apt-get when allowed), then acts.
set -eu
cd "$(dirname "$0")/.."
VENV=${OMALIREF_VENV:-.venv}
PYTHON=${PYTHON:-python3}
# Qt 6 needs these shared libraries and a font even offscreen; the xcb ones are for a real window.
DEB_QT="libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 libdbus-1-3 libglib2.0-0
libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 fonts-dejavu-core"

say() { printf '%s\n' "dev: $*" >&2; }

apt_install() {
  command -v dpkg-query >/dev/null 2>&1 || return 0   # not Debian: nothing we can install here
  missing=""
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing="$missing $pkg"
  done
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ]; then SUDO=""
  elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"
  else say "please install:$missing (apt-get install$missing)"; exit 1; fi
  say "installing Debian packages:$missing"
  # A busy apt (unattended-upgrades, another install) holds its locks: wait for them (dpkg's own timeout), and
  # retry the whole step a few times for the package lists' lock, which that timeout does not cover.
  tries=0
  until $SUDO apt-get -o DPkg::Lock::Timeout=120 update -qq &&
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=120 install -y -qq \
          --no-install-recommends $missing >/dev/null; do
    tries=$((tries + 1))
    [ "$tries" -ge 10 ] && { say "apt-get failed $tries times; install by hand:$missing"; exit 1; }
    say "apt is busy or failed; trying again in 15 s ($tries/10)"
    sleep 15
  done
}

ensure_env() {
  extras=$1
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { say "Python 3.11 or newer is needed"; exit 1; }
  if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PYTHON" -m venv "$VENV" >/dev/null 2>&1; then
      rm -rf "$VENV"; apt_install python3-venv; "$PYTHON" -m venv "$VENV"
    fi
  fi
  apt_install $DEB_QT
  stamp="$VENV/.installed-$extras"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    say "installing omaliref$extras into $VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".$extras"
    touch "$stamp"
  fi
}

cmd=${1:-help}; [ $# -gt 0 ] && shift
case "$cmd" in
  run)   ensure_env ""; exec "$VENV/bin/omaliref" "$@" ;;
  test)  # locally the fast set (-m "not slow"); everything under CI (CI set, as .ci/run does) or with --all
         which="fast"
         case "${CI:-}" in ""|0|false|no) ;; *) which="all" ;; esac
         if [ "${1:-}" = "--all" ]; then which="all"; shift; fi
         ensure_env "[test]"
         export QT_QPA_PLATFORM=offscreen
         "$VENV/bin/ruff" check omaliref tests packaging
         "$VENV/bin/ruff" format --check --quiet omaliref tests packaging
         "$VENV/bin/lint-imports"
         "$VENV/bin/mypy"
         if [ "$which" = "all" ]; then exec "$VENV/bin/python" -m pytest "$@"; fi
         say "the fast set (-m \"not slow\", the slow list is in tests/conftest.py); all tests: sh packaging/dev.sh test --all"
         exec "$VENV/bin/python" -m pytest -m "not slow" "$@" ;;
  bench) ensure_env "[test]"; QT_QPA_PLATFORM=offscreen exec "$VENV/bin/python" tests/benchmarks/run.py "$@" ;;
  smoke) ensure_env ""; QT_QPA_PLATFORM=offscreen exec "$VENV/bin/omaliref" --smoke-test ;;
  dist)  ensure_env "[test,package]"
         apt_install binutils   # PyInstaller inspects shared libraries with objdump
         rm -rf dist/omaliref build/pyinstaller
         "$VENV/bin/pyinstaller" --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
             packaging/omaliref.spec
         say "built dist/omaliref ($(du -sh dist/omaliref | cut -f1))" ;;
  frozen-check)   # the frozen bundle: smoke test, a search, and the frozen e2e tests
         ensure_env "[test]"
         export QT_QPA_PLATFORM=offscreen OMALIREF_FROZEN="$PWD/dist/omaliref/omaliref"
         "$OMALIREF_FROZEN" --state-dir build/frozen-state --smoke-test
         "$OMALIREF_FROZEN" search xolair --json | head -c 300; echo
         exec "$VENV/bin/python" -m pytest -q tests/e2e/test_frozen.py "$@" ;;
  dist-baseline)  # a default PyInstaller one-folder build of a bare PySide6 window, to compare sizes
         ensure_env "[test,package]"
         rm -rf build/baseline
         "$VENV/bin/pyinstaller" --noconfirm --log-level WARN --onedir --distpath build/baseline/dist \
             --workpath build/baseline/work --specpath build/baseline tests/benchmarks/bare_window.py
         say "bare default build: $(du -sh build/baseline/dist/bare_window | cut -f1); omaliref: $(du -sh dist/omaliref 2>/dev/null | cut -f1)" ;;
  *) echo "usage: sh packaging/dev.sh run | test [--all] | bench | smoke | dist | frozen-check | dist-baseline"; exit 2 ;;
esac
