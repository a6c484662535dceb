#!/usr/bin/env bash
# bench/compare.sh: the throughput figures of docs/BENCHMARKS.md, each
# beside its reference in the same run, alternating A and B and repeated.
#
#   bash bench/compare.sh            # 3 rounds (about 3 minutes)
#   ROUNDS=5 bash bench/compare.sh
#
# It starts private redis-servers (AOF everysec on one, none on the other)
# on free ports and stops them on exit. Needs redis-server and the Go
# module proxy (asynq is fetched for bench/queuecmp, never into the main
# module).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_redis() { # $1 port, rest: options
  local port=$1; shift
  mkdir -p "$tmp/r$port"
  redis-server --port "$port" --bind 127.0.0.1 --save "" --dir "$tmp/r$port" --logfile "$tmp/r$port/log" "$@" &
  pids+=($!)
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && return; sleep 0.1; done
  echo "redis on $port did not start" >&2; exit 1
}
aof=$(free_port); start_redis "$aof" --appendonly yes --appendfsync everysec
plain=$(free_port); start_redis "$plain" --appendonly no

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $ROUNDS rounds"
go test -c -o "$tmp/gateway.test" ./gateway/
go test -c -o "$tmp/cmd.test" ./cmd/dropgate/
(cd bench && go build -o "$tmp/queuecmp" ./queuecmp)

med() { sort -n | awk '{a[NR]=$1} END{if(NR==0){print "-"; exit} m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.0f\n", m}'; }
metric() { awk -v m="$1" '{for(i=2;i<=NF;i++) if($i==m) print $(i-1)}'; }

# redis_cpu: the server's user + system CPU seconds so far.
redis_cpu() { redis-cli -p "$1" info cpu | tr -d '\r' | awk -F: '/^used_cpu_(sys|user):/{s+=$2} END{printf "%.6f", s}'; }

declare -A R
for r in $(seq "$ROUNDS"); do
  # Webhook ingest at 64 connections: bare floor, embedded, Redis AOF.
  out=$(cd gateway && REDIS_URL=redis://127.0.0.1:$aof/0 "$tmp/gateway.test" -test.run '^$' \
    -test.bench 'WebhookIngest(Bare|Redis)?$/clients=64' -test.benchtime 4000x 2>&1)
  R[bare]+="$(echo "$out" | grep 'IngestBare/' | metric req/s) "
  R[emb]+="$(echo "$out" | grep 'WebhookIngest/' | metric req/s) "
  R[red]+="$(echo "$out" | grep 'IngestRedis/' | metric req/s) "
  # Queue: dropgate and asynq on the same private Redis, one after the other.
  for sys in dropgate asynq; do
    redis-cli -p "$plain" flushall >/dev/null; redis-cli -p "$plain" config resetstat >/dev/null
    c0=$(redis_cpu "$plain")
    line=$("$tmp/queuecmp" -redis "redis://127.0.0.1:$plain/0" -jobs 20000 -only "$sys" 2>&1 | tail -1)
    R[${sys}_cpu]+="$(echo "($(redis_cpu "$plain") - $c0) * 1000000 / 20000" | bc -l) "
    n=$(redis-cli -p "$plain" info commandstats | awk -F'[=,]' '/calls=/ && !/resetstat|flushall|info/{s+=$2} END{print s}')
    R[${sys}_enq]+="$(echo "$line" | awk '{print $2}') "
    R[${sys}_proc]+="$(echo "$line" | awk '{print $3}') "
    R[${sys}_cmds]+="$(echo "$n / 20000" | bc -l) "
  done
  # Orders -> 850 end to end, embedded store.
  out=$(cd cmd/dropgate && "$tmp/cmd.test" -test.run '^$' -test.bench 'OrdersTo850' -test.benchtime 1000x 2>&1)
  R[o8]+="$(echo "$out" | grep 'workers=8' | metric orders/s) "
  R[ooff]+="$(echo "$out" | grep 'batch=off-' | metric orders/s) "
  R[oon]+="$(echo "$out" | grep 'batch=on-' | metric orders/s) "
  R[con]+="$(echo "$out" | grep 'batch=on-' | metric commits/order) "
  echo "round $r done, load $(cut -d' ' -f1 /proc/loadavg)" >&2
done

m() { echo ${R[$1]} | tr ' ' '\n' | grep -v '^$' | med; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "-" }'; }
printf "\n| measure | dropgate | reference | ratio |\n|---|---|---|---|\n"
printf "| webhook ingest, embedded, 64 conns (req/s) | %s | bare %s | %s |\n" "$(m emb)" "$(m bare)" "$(ratio "$(m emb)" "$(m bare)")"
printf "| webhook ingest, Redis AOF everysec, 64 conns (req/s) | %s | bare %s | %s |\n" "$(m red)" "$(m bare)" "$(ratio "$(m red)" "$(m bare)")"
printf "| queue enqueue, 20k jobs (jobs/s) | %s | asynq %s | %s |\n" "$(m dropgate_enq)" "$(m asynq_enq)" "$(ratio "$(m dropgate_enq)" "$(m asynq_enq)")"
printf "| queue process, 20k jobs (jobs/s) | %s | asynq %s | %s |\n" "$(m dropgate_proc)" "$(m asynq_proc)" "$(ratio "$(m dropgate_proc)" "$(m asynq_proc)")"
printf "| Redis commands per job | %.2f | asynq %.2f | %s |\n" "$(echo ${R[dropgate_cmds]} | awk '{print $1}')" "$(echo ${R[asynq_cmds]} | awk '{print $1}')" "$(ratio "$(echo ${R[dropgate_cmds]} | awk '{print $1}')" "$(echo ${R[asynq_cmds]} | awk '{print $1}')")"
printf "| Redis CPU per job (µs) | %s | asynq %s | %s |\n" "$(m dropgate_cpu)" "$(m asynq_cpu)" "$(ratio "$(m dropgate_cpu)" "$(m asynq_cpu)")"
printf "| orders -> 850, embedded, 16 senders (orders/s) | %s (64 workers) | %s (8 workers) | %s |\n" "$(m ooff)" "$(m o8)" "$(ratio "$(m ooff)" "$(m o8)")"
printf "| orders -> 850 with batch (orders/s) | %s | %s (8 workers) | %s |\n" "$(m oon)" "$(m o8)" "$(ratio "$(m oon)" "$(m o8)")"
printf "| commits per order, batch on | %s | | |\n" "$(echo ${R[con]} | awk '{print $1}')"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
