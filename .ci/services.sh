# Starts what the tests need when it is not already running. Sourced by
# .ci/run; failures here fail CI (a missing Redis is never a silent skip).

ci_tmp=${CI_TMP:-$(mktemp -d)}

start_redis() {
  export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
  if redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1; then
    echo "ci: redis answers at $REDIS_URL"
    return
  fi
  if ! command -v redis-server >/dev/null; then
    (apt-get update -qq && apt-get install -y -qq redis-server) >/dev/null
  fi
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir "$ci_tmp" --logfile "$ci_tmp/redis.log"
  for _ in $(seq 50); do
    redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1 && { echo "ci: started redis"; return; }
    sleep 0.1
  done
  echo "ci: redis did not start" >&2
  exit 1
}

# The SFTP transport tests start Debian's OpenSSH sshd themselves (as the
# current user, on a port of their own, internal-sftp); CI only has to
# provide the binaries, and as root the privilege separation directory that
# the service unit would otherwise create.
start_sshd_prereqs() {
  if ! command -v sshd >/dev/null && [ ! -x /usr/sbin/sshd ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      openssh-server openssh-sftp-server openssh-client) >/dev/null
  fi
  if ! command -v sshd >/dev/null && [ ! -x /usr/sbin/sshd ]; then
    echo "ci: sshd could not be installed" >&2
    exit 1
  fi
  if [ "$(id -u)" = 0 ]; then
    mkdir -p /run/sshd
  fi
  echo "ci: sshd is $(command -v sshd || echo /usr/sbin/sshd)"
}

# A three-master Redis Cluster on loopback ports 7000-7002 for the
# cluster run of the Redis driver's tests (internal/store/redis), from the
# same Debian redis-server. AOF is on, as the delivery promise requires in
# production (README, "Scaling out on Redis"); no replicas, so a node that
# dies takes its slots with it - fine for tests. Reuses a cluster that
# already answers on the first port.
start_redis_cluster() {
  local ports="7000 7001 7002" p addrs="" dir
  if [ "$(redis-cli -p 7000 cluster info 2>/dev/null | tr -d '\r' | grep '^cluster_state:')" = "cluster_state:ok" ]; then
    echo "ci: redis cluster answers on 127.0.0.1:7000"
    export REDIS_CLUSTER_ADDRS=${REDIS_CLUSTER_ADDRS:-127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002}
    return
  fi
  if ! command -v redis-server >/dev/null; then
    (apt-get update -qq && apt-get install -y -qq redis-server) >/dev/null
  fi
  for p in $ports; do
    dir="$ci_tmp/redis-cluster-$p"
    mkdir -p "$dir"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$p" --dir "$dir" \
      --logfile "$dir/redis.log" --pidfile "$dir/redis.pid" \
      --cluster-enabled yes --cluster-config-file "$dir/nodes.conf" --cluster-node-timeout 5000 \
      --appendonly yes --appendfsync everysec --save ""
    addrs="$addrs 127.0.0.1:$p"
  done
  for p in $ports; do
    for _ in $(seq 50); do
      redis-cli -p "$p" ping >/dev/null 2>&1 && break
      sleep 0.1
    done
  done
  # shellcheck disable=SC2086 # one argument per node
  if ! redis-cli --cluster create $addrs --cluster-replicas 0 --cluster-yes >"$ci_tmp/redis-cluster-create.log" 2>&1; then
    cat "$ci_tmp/redis-cluster-create.log" >&2
    echo "ci: redis cluster create failed" >&2
    exit 1
  fi
  for _ in $(seq 100); do
    if [ "$(redis-cli -p 7000 cluster info | tr -d '\r' | grep '^cluster_state:')" = "cluster_state:ok" ]; then
      export REDIS_CLUSTER_ADDRS=$(echo $addrs | tr ' ' ',')
      echo "ci: started redis cluster $REDIS_CLUSTER_ADDRS"
      return
    fi
    sleep 0.1
  done
  echo "ci: redis cluster did not reach cluster_state:ok" >&2
  exit 1
}

start_services() {
  start_redis
  start_sshd_prereqs
  start_redis_cluster
}
