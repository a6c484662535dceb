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

start_services() {
  start_redis
  start_sshd_prereqs
}
