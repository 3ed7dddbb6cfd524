#!/usr/bin/env bash
# One entry point that sets up everything it needs on a fresh machine, then runs the job.
#   ./run.sh check --stack dev [--json]   offline policy check of a stack (no cloud, no CLI)
#   ./run.sh test [pytest args]           the whole test suite (PostgreSQL-backed tests too)
set -euo pipefail
cd "$(dirname "$0")"

venv() {
  # Recreate the virtualenv's packages only when the requirements change.
  local stamp=.venv/.requirements.sha256
  local want
  want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
  if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r requirements-dev.txt
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
  check) shift; venv; exec .venv/bin/python -m policy.check "$@" ;;
  test) shift; venv; postgres; exec .venv/bin/python -m pytest "$@" ;;
  *) echo "usage: ./run.sh check --stack NAME [--json] | ./run.sh test [pytest args]" >&2; exit 2 ;;
esac
