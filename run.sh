#!/usr/bin/env bash
# One entry point that sets up everything it needs on a fresh machine, then runs the job.
#   ./run.sh check --stack dev [--json]   offline policy check of a stack (no cloud, no CLI);
#                                         paths are relative to the folder you run it from
#   ./run.sh test [pytest args]           the whole test suite (PostgreSQL-backed tests too)
set -euo pipefail
repo="$(cd "$(dirname "$0")" && pwd)"

venv() {
  # Recreate the virtualenv's packages only when the requirements change.
  local stamp="$repo/.venv/.requirements.sha256"
  local want
  local lock="$repo/components/rotation/driver-lock.txt"
  want=$(cat "$repo/requirements.txt" "$repo/requirements-dev.txt" "$lock" | sha256sum | cut -d' ' -f1)
  # A virtualenv left without pip (an interrupted first run, or Debian without python3-venv)
  # is made again rather than failing on every later run.
  if [ -x "$repo/.venv/bin/python" ] && ! "$repo/.venv/bin/python" -m pip --version >/dev/null 2>&1
  then
    rm -rf "$repo/.venv"
  fi
  if [ ! -x "$repo/.venv/bin/python" ]; then
    echo "run.sh: first run: creating .venv and installing the packages (about a minute)" >&2
    python3 -m venv "$repo/.venv"
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    "$repo/.venv/bin/python" -m pip install --quiet --upgrade pip
    "$repo/.venv/bin/python" -m pip install --quiet -r "$repo/requirements-dev.txt"
    # The rotation function bundles these exact driver versions (issue 18, data N9).
    "$repo/.venv/bin/python" -m pip install --quiet --require-hashes --no-deps -r "$lock"
    echo "$want" > "$stamp"
  fi
}

postgres() {
  # The rotation tests start a real PostgreSQL server (Debian's package) and need openssl for
  # its test certificate.
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
      echo "PostgreSQL server binaries missing: run 'apt-get install postgresql openssl' as root" >&2
      exit 2
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql openssl >/dev/null
  fi
  command -v openssl >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl
}

case "${1:-}" in
  # The check runs from the caller's folder, so relative --program/--config/--state paths are
  # the caller's. The repository goes on the import path instead, and -P keeps the caller's
  # folder off it (a program with a `policy/` folder of its own must not shadow the pack).
  check) shift; venv
    PYTHONPATH="$repo${PYTHONPATH:+:$PYTHONPATH}" exec "$repo/.venv/bin/python" -P -m policy.check "$@" ;;
  test) shift; cd "$repo"; venv; postgres; exec .venv/bin/python -m pytest "$@" ;;
  *) echo "usage: ./run.sh check --stack NAME [--json] | ./run.sh test [pytest args]" >&2; exit 2 ;;
esac
