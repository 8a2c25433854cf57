#!/bin/sh
# The container's entrypoint, as the official memcached image's: arguments that start with '-'
# are mnemo's flags (docker run mnemo -m 1024), anything else is a command to run (docker run
# -it mnemo sh). mnemo gets -l 0.0.0.0 first, so that it listens on every interface of the
# container as memcached does; a -l among the arguments comes later and wins.
set -e

if [ "${1#-}" != "$1" ]; then
    set -- mnemo "$@"
fi
if [ "$1" = mnemo ]; then
    shift
    set -- mnemo -l 0.0.0.0 "$@"
fi
exec "$@"
