# Starts what the tests need when it is not already running, and stops
# exactly what it started. Sourced by .ci/run, which calls stop_services
# on exit (trap). Failures here fail CI (a missing Redis is never a silent
# skip). A service that was already running is used and left alone.

if [ -n "${CI_TMP:-}" ]; then
  ci_tmp=$CI_TMP
  ci_tmp_ours=
else
  ci_tmp=$(mktemp -d)
  ci_tmp_ours=1
fi

# The pid files of the redis-servers started here, one per line.
ci_started_pidfiles=

# redis_server_started starts a daemonized redis-server with the given
# arguments and a pid file, and remembers it for stop_services.
redis_server_started() {
  local pidfile=$1
  shift
  ci_started_pidfiles="$ci_started_pidfiles $pidfile"
  redis-server --daemonize yes --pidfile "$pidfile" "$@"
}

ensure_redis_installed() {
  if ! command -v redis-server >/dev/null; then
    (apt-get update -qq && apt-get install -y -qq redis-server) >/dev/null
  fi
}

start_redis() {
  export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
  if redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1; then
    echo "ci: redis answers at $REDIS_URL"
    return
  fi
  ensure_redis_installed
  redis_server_started "$ci_tmp/redis-6379.pid" --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir "$ci_tmp" --logfile "$ci_tmp/redis.log"
  for _ in $(seq 50); do
    redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1 && { echo "ci: started redis"; return; }
    sleep 0.1
  done
  echo "ci: redis did not start" >&2
  exit 1
}

# The SFTP transport tests start Debian's OpenSSH sshd themselves (as the
# current user, on a port of their own, internal-sftp), and stop it; CI
# only has to provide the binaries, and as root the privilege separation
# directory that the service unit would otherwise create.
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
# already answers on the first port (and leaves it running).
start_redis_cluster() {
  local ports="7000 7001 7002" p addrs="" dir
  if [ "$(redis-cli -p 7000 cluster info 2>/dev/null | tr -d '\r' | grep '^cluster_state:')" = "cluster_state:ok" ]; then
    echo "ci: redis cluster answers on 127.0.0.1:7000"
    export REDIS_CLUSTER_ADDRS=${REDIS_CLUSTER_ADDRS:-127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002}
    return
  fi
  ensure_redis_installed
  for p in $ports; do
    dir="$ci_tmp/redis-cluster-$p"
    mkdir -p "$dir"
    redis_server_started "$dir/redis.pid" --bind 127.0.0.1 --port "$p" --dir "$dir" \
      --logfile "$dir/redis.log" \
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

# ensure_chromium installs Debian's chromium for the dashboard's browser
# tests (gateway/ui) when it is missing.
ensure_chromium() {
  if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
    (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null
  fi
}

# stripe-mock (Stripe's API mock, from the Go module proxy) on loopback
# ports 12111 (HTTP) and 12112 (HTTPS) for the Stripe connector's tests;
# one already answering is used and left alone.
ci_stripe_mock_pid=
start_stripe_mock() {
  export STRIPE_MOCK_URL=${STRIPE_MOCK_URL:-http://127.0.0.1:12111}
  if (exec 3<>/dev/tcp/127.0.0.1/12111) 2>/dev/null; then
    echo "ci: stripe-mock answers at $STRIPE_MOCK_URL"
    return
  fi
  local bin
  bin=$(command -v stripe-mock || echo "$(go env GOPATH)/bin/stripe-mock")
  if [ ! -x "$bin" ]; then
    GOFLAGS= go install github.com/stripe/stripe-mock@v0.203.0 >/dev/null
  fi
  "$bin" -http-port 12111 -https-port 12112 >"$ci_tmp/stripe-mock.log" 2>&1 &
  ci_stripe_mock_pid=$!
  for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/12111) 2>/dev/null && { echo "ci: started stripe-mock"; return; }
    sleep 0.1
  done
  echo "ci: stripe-mock did not start" >&2
  exit 1
}

start_services() {
  start_stripe_mock
  ensure_chromium
  start_redis
  start_sshd_prereqs
  start_redis_cluster
}

# stop_services stops the redis-servers started above (SIGTERM, then
# SIGKILL after 10 s) and removes the temporary directory if it made it.
# Safe to call more than once, and after a partial start.
stop_services() {
  local pidfile pid
  for pidfile in $ci_started_pidfiles; do
    pid=$(cat "$pidfile" 2>/dev/null) || continue
    [ -n "$pid" ] || continue
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -9 "$pid" 2>/dev/null || true
    fi
    echo "ci: stopped redis-server $pid"
  done
  ci_started_pidfiles=
  if [ -n "$ci_stripe_mock_pid" ]; then
    kill "$ci_stripe_mock_pid" 2>/dev/null || true
    echo "ci: stopped stripe-mock $ci_stripe_mock_pid"
    ci_stripe_mock_pid=
  fi
  if [ -n "$ci_tmp_ours" ] && [ -d "$ci_tmp" ]; then
    rm -rf "$ci_tmp"
  fi
  return 0
}
