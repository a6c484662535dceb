package config

import (
	"net"
	"net/url"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// validateRedis checks the redis store's settings without touching the
// network: one of url (a server) and addrs (a cluster), a URL the driver
// can dial, host:port addresses, and a prefix that cannot move the keys'
// hash tags. Messages never quote the URL: it may hold a password.
func (d *decoder) validateRedis(cfg *Config, root *yaml.Node) {
	st := cfg.Store
	switch {
	case st.URL == "" && len(st.Addrs) == 0:
		d.errorf(nodeAt(root, "store"), "store.url", "the redis driver needs url (redis://…) or addrs (cluster)")
	case st.URL != "" && len(st.Addrs) > 0:
		d.errorf(nodeAt(root, "store.addrs"), "store.addrs", "set url (one server) or addrs (a cluster), not both")
	}
	if st.URL != "" {
		n := nodeAt(root, "store.url")
		u, err := url.Parse(st.URL)
		switch {
		case err != nil:
			d.errorf(n, "store.url", "not a URL; want redis://host:6379/0 or rediss://host:6380/0")
		case u.Scheme != "redis" && u.Scheme != "rediss":
			d.errorf(n, "store.url", "scheme %q: want redis:// or rediss:// (TLS)", u.Scheme)
		case u.Hostname() == "":
			d.errorf(n, "store.url", "no host; want redis://host:6379/0")
		case u.Path != "" && u.Path != "/" && !isNumber(strings.TrimPrefix(u.Path, "/")):
			d.errorf(n, "store.url", "database %q: want a number, as in redis://host:6379/0", strings.TrimPrefix(u.Path, "/"))
		}
		if err == nil && u.User != nil && !d.fromEnv[n] {
			if _, hasPassword := u.User.Password(); hasPassword {
				d.warnf(n, "store.url", "password set inline; use ${REDIS_URL} or store.password from the environment")
			}
		}
	}
	for i, a := range st.Addrs {
		host, port, err := net.SplitHostPort(a)
		if err != nil || host == "" || !isNumber(port) {
			path := "store.addrs[" + strconv.Itoa(i) + "]"
			d.errorf(nodeAt(root, path), path, "%q: want host:port", a)
		}
	}
	for q, n := range st.Partitions {
		path := "store.partitions." + q
		switch {
		case !knownQueue(q):
			d.errorf(nodeAt(root, "store.partitions"), path, "unknown queue %q (known: *, %s)", q, strings.Join(Queues, ", "))
		case n < 1 || n > 1024:
			d.errorf(nodeAt(root, path), path, "%d: want 1 to 1024", n)
		}
	}
	if st.PoolSize < 0 || st.PoolSize > 10000 {
		d.errorf(nodeAt(root, "store.pool_size"), "store.pool_size", "%d: want 0 (the default, 10 per CPU) to 10000", st.PoolSize)
	}
	if st.EnqueuePipelines < 0 || st.EnqueuePipelines > 64 {
		d.errorf(nodeAt(root, "store.enqueue_pipelines"), "store.enqueue_pipelines", "%d: want 0 (the default, 2) to 64", st.EnqueuePipelines)
	}
	if strings.ContainsAny(st.Prefix, "{} \t\n") {
		d.errorf(nodeAt(root, "store.prefix"), "store.prefix", "%q: no braces or spaces (keys carry hash tags after it)", st.Prefix)
	}
}

// Queues are the job queues store.partitions may name (core/app's).
var Queues = []string{"ingest", "inbound", "outbound"}

func knownQueue(q string) bool {
	if q == "*" {
		return true
	}
	for _, k := range Queues {
		if k == q {
			return true
		}
	}
	return false
}

func isNumber(s string) bool {
	_, err := strconv.ParseUint(s, 10, 16)
	return err == nil
}
