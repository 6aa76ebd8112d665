#!/usr/bin/env bash
# Start-up time of CLI verbs, cold and warm (a measurement for people, never asserted in tests).
#   bash scripts/measure-cli-startup.sh [NODE]      (NODE: a node binary, default `node`)
# Cold: the page cache of every file under the repository (node_modules and dist included) is
# dropped first (dd with oflag=nocache, which asks the kernel to evict the file's cached pages;
# no root needed), so the run reads from disk. Warm: 5 runs right after, sorted. Also prints
# an empty `node -e ''` for the machine's floor. `get sessions` needs Redis (REDIS_URL, default
# 127.0.0.1:6379) and uses an empty key prefix.
set -euo pipefail
cd "$(dirname "$0")/.."
NODE=${1:-node}
export RECONCILER_REDIS_PREFIX=esr-startup-measure REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}

drop_cache() {
  find . -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.json' -o -name '*.node' \) -not -path './.git/*' -print0 |
    xargs -0 -n 200 sh -c 'for f; do dd of="$f" oflag=nocache conv=notrunc,fdatasync count=0 status=none 2>/dev/null || true; done' _
}
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
measure() {
  local label=$1; shift
  drop_cache
  local cold; cold=$(ms "$@")
  local warm=(); for _ in 1 2 3 4 5; do warm+=("$(ms "$@")"); done
  printf '%-28s cold %5s ms   warm %s ms\n' "$label" "$cold" "$(printf '%s\n' "${warm[@]}" | sort -n | tr '\n' ' ')"
}
echo "$($NODE --version), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
measure "node -e ''" "$NODE" -e ''
measure 'reconciler --help' "$NODE" bin/reconciler.js --help
measure 'reconciler get sessions' "$NODE" bin/reconciler.js get sessions
