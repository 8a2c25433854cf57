#!/usr/bin/env bash
# What the metrics endpoint costs the event loops (issue 15: "scraping costs the event loops
# nothing measurable"): three Mnemo servers, -t 1, pinned to core 0, under memcaslap on core 1,
# runs alternated A B C as memcaslap-compare.sh, ratios to the first:
#   mnemo-off      without --metrics-port (no request timing, no endpoint);
#   mnemo-metrics  with --metrics-port, never scraped (the cost of timing the requests);
#   mnemo-scraped  with --metrics-port, scraped every second during its runs (curl on core 1,
#                  as Prometheus with scrape_interval: 1s; the scrape itself runs on the
#                  server's own HTTP thread, so on core 0 with the event loop).
#
# Usage: bench/metrics-compare.sh   (environment as bench/memcaslap-lib.sh)
# Smoke run: ROUNDS=1 SECONDS_PER_RUN=2 WARMUP_SECONDS=1 bench/metrics-compare.sh
# Needs: memcaslap-lib.sh's tools, curl, 2+ cores; builds Mnemo via ./mnemo.
set -euo pipefail
# shellcheck source=bench/memcaslap-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/memcaslap-lib.sh"
command -v curl >/dev/null || { echo "$bench_name: curl is missing" >&2; exit 1; }

"$root/mnemo" --version >/dev/null   # builds Mnemo first if needed, outside any measurement

start_mnemo mnemo-off 0 -t 1
start_mnemo mnemo-metrics 0 -t 1 --metrics-port "$(free_port)"
scraped_metrics_port="$(free_port)"
start_mnemo mnemo-scraped 0 -t 1 --metrics-port "$scraped_metrics_port"
scraped_port="${ports[2]}"
echo "servers: -t 1 on core 0; mnemo-scraped's /metrics on port $scraped_metrics_port, scraped by curl on core ${LOAD_CPUS:-1}"

# Scrapes once a second until killed; appends each scrape's size in bytes to $workdir/scrapes.
scrape_every_second() {
    while true; do
        taskset -c "${LOAD_CPUS:-1}" curl -sf -o /dev/null -w '%{size_download}\n' \
            "http://127.0.0.1:$scraped_metrics_port/metrics" >> "$workdir/scrapes" || echo failed >> "$workdir/scrapes"
        sleep 1
    done
}

# memcaslap-lib.sh's load, with the scraper running while the load is against mnemo-scraped.
eval "load_unscraped() $(declare -f load | tail -n +2)"
load() {
    if [[ "$1" != "$scraped_port" ]]; then
        load_unscraped "$@"
        return
    fi
    scrape_every_second > /dev/null 2>&1 &
    local scraper=$!
    load_unscraped "$@"
    kill "$scraper"
    wait "$scraper" 2>/dev/null || true
}

compare
echo "scrapes: $(grep -cv failed "$workdir/scrapes") ok, $(grep -c failed "$workdir/scrapes" || true) failed, $(sort -n "$workdir/scrapes" | tail -1) bytes each"
