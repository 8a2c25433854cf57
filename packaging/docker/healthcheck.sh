#!/bin/bash
# The container's health check: exits 0 when a Mnemo (or memcached) server answers "version" on
# ${MNEMO_HEALTHCHECK_HOST:-127.0.0.1}:${MNEMO_HEALTHCHECK_PORT:-11211} within 3 seconds, 1 otherwise.
# Bash's /dev/tcp, so the image needs no nc or client.
set -u
host="${MNEMO_HEALTHCHECK_HOST:-127.0.0.1}"
port="${MNEMO_HEALTHCHECK_PORT:-11211}"

exec 3<>"/dev/tcp/$host/$port" || exit 1
printf 'version\r\n' >&3
IFS= read -r -t 3 reply <&3 || exit 1
[[ "$reply" == VERSION* ]]
