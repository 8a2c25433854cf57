#!/bin/sh
# Installs a Mnemo distribution archive (mnemo-<version>.tar.gz) under ROOT, laid out as the
# container image has it; the Dockerfile runs it with ROOT=/, the tests with a temporary ROOT.
#   ROOT/opt/mnemo/                        the unpacked archive (bin/, lib/, conf/, systemd/, README.md)
#   ROOT/usr/local/bin/mnemo               -> ../../../opt/mnemo/bin/mnemo
#   ROOT/usr/local/bin/docker-entrypoint.sh
#   ROOT/usr/local/bin/mnemo-healthcheck
#   ROOT/var/lib/mnemo/                    the working directory (memory files, -e), owned by uid 11211 when run as root
# Usage: install.sh ARCHIVE [ROOT]
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ ! -f "$1" ]; then
    echo "usage: install.sh mnemo-<version>.tar.gz [ROOT]" >&2
    exit 64
fi
archive="$1"
root="${2:-/}"
here="$(cd "$(dirname "$0")" && pwd)"

mkdir -p "$root/opt/mnemo" "$root/usr/local/bin" "$root/var/lib/mnemo"
tar -xzf "$archive" -C "$root/opt/mnemo" --strip-components=1 --no-same-owner
ln -sf ../../../opt/mnemo/bin/mnemo "$root/usr/local/bin/mnemo"
cp "$here/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
cp "$here/healthcheck.sh" "$root/usr/local/bin/mnemo-healthcheck"
chmod 0755 "$root/opt/mnemo/bin/mnemo" "$root/usr/local/bin/docker-entrypoint.sh" "$root/usr/local/bin/mnemo-healthcheck"
if [ "$(id -u)" = 0 ]; then
    chown 11211:11211 "$root/var/lib/mnemo"
fi
chmod 0750 "$root/var/lib/mnemo"
