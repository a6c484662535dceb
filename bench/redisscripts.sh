#!/usr/bin/env bash
# bench/redisscripts.sh: where the Redis store's server-side work goes in
# the orders benchmark, script by script.
#
#   bash bench/redisscripts.sh            # 1,000 orders
#   ORDERS=2000 bash bench/redisscripts.sh
#
# It starts a private redis-server (AOF everysec, as compare.sh's orders
# runs use) on a free port, runs BenchmarkOrdersTo850/store=redis/batch=on
# with SLOWLOG recording every command, and prints per order: each Lua
# script's calls and mean microseconds (named from the scripts' hashes,
# TestScriptHashes), then the top commands, those run inside scripts
# included, from INFO commandstats. A script's time includes the commands
# it runs. SLOWLOG at 0 adds its own cost to every command: compare the
# rows with one another, not with compare.sh's figures. Stops its server
# on exit. Needs redis-server and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
ORDERS=${ORDERS:-1000}
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save "" --dir "$tmp" --logfile "$tmp/log" \
  --appendonly yes --appendfsync everysec --slowlog-log-slower-than 0 --slowlog-max-len 2000000 &
pid=$!
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
r() { redis-cli -p "$port" "$@"; }

go test -count=1 -run '^TestScriptHashes$' -v ./internal/store/redis/ | awk '$2=="script"{print $3, $4}' >"$tmp/names"
go test -c -o "$tmp/cmd.test" ./cmd/dropgate/
r slowlog reset >/dev/null
r config resetstat >/dev/null
(cd cmd/dropgate && REDIS_URL=redis://127.0.0.1:$port/0 "$tmp/cmd.test" -test.run '^$' \
  -test.bench 'OrdersTo850/store=redis/batch=on$' -test.skip 'OrdersTo850/store=redis/batch=on/rate' \
  -test.benchtime "${ORDERS}x" 2>&1 | grep '^Benchmark' | tr '\t' ' ' | tr -s ' ')
r config set slowlog-log-slower-than 10000 >/dev/null
r --raw slowlog get 2000000 >"$tmp/slow"
r info commandstats | tr -d '\r' >"$tmp/stats"

python3 - "$tmp/names" "$tmp/slow" "$tmp/stats" "$ORDERS" <<'EOF'
import collections, sys
names = dict(l.split() for l in open(sys.argv[1]) if len(l.split()) == 2)
orders = int(sys.argv[4])
lines = open(sys.argv[2], 'rb').read().split(b'\n')
# --raw SLOWLOG GET prints each entry as: id, timestamp, microseconds, then
# the arguments, then the client's address and name.
by = collections.defaultdict(list)
for i in range(len(lines) - 4):
    try:
        int(lines[i]); int(lines[i + 1]); us = int(lines[i + 2])
    except ValueError:
        continue
    cmd = lines[i + 3].lower()
    if cmd == b'evalsha':
        sha = lines[i + 4].decode(errors='replace')
        by['script ' + names.get(sha, sha[:12])].append(us)
print(f"\n| Lua script | calls per order | mean µs (SLOWLOG on) | µs per order |")
print("|---|---|---|---|")
for k, v in sorted(by.items(), key=lambda kv: -sum(kv[1])):
    print(f"| {k[7:]} | {len(v) / orders:.2f} | {sum(v) / len(v):.1f} | {sum(v) / orders:.0f} |")
rows = []
for l in open(sys.argv[3]):
    if not l.startswith('cmdstat_'):
        continue
    name, rest = l[8:].split(':', 1)
    f = dict(kv.split('=') for kv in rest.strip().split(','))
    rows.append((name, int(f['calls']), float(f['usec'])))
print(f"\n| command (in scripts too) | calls per order | µs per order |")
print("|---|---|---|")
for name, calls, usec in sorted(rows, key=lambda r: -r[2])[:15]:
    print(f"| {name} | {calls / orders:.2f} | {usec / orders:.1f} |")
EOF
