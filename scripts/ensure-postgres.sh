#!/usr/bin/env bash
# Make sure PostgreSQL server binaries (15 preferred) and openssl exist, for the
# integration test harness (test/support). Installs them with apt-get when
# missing, without creating or starting the distribution's own cluster.
# Prints the server bin directory (the one holding initdb) on stdout.
set -euo pipefail

find_bin_dir() {
  if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
    echo /usr/lib/postgresql/15/bin
    return 0
  fi
  # Otherwise the newest installed major version.
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
    echo "$dir"
    return 0
  fi
  return 1
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    as_root apt-get update -qq >&2
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

if ! find_bin_dir >/dev/null; then
  # Stop the package's post-install from creating and starting a cluster:
  # tests make their own servers.
  as_root mkdir -p /etc/postgresql-common
  if ! grep -qs '^create_main_cluster *= *false' /etc/postgresql-common/createcluster.conf; then
    echo 'create_main_cluster = false' | as_root tee -a /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  apt_install postgresql-15 || apt_install postgresql
fi

if ! command -v openssl >/dev/null 2>&1; then
  apt_install openssl
fi

if ! command -v psql >/dev/null 2>&1; then
  echo "ensure-postgres: psql is not on PATH" >&2
  exit 1
fi

find_bin_dir
