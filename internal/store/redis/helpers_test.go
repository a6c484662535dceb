package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dropgate/dropgate/internal/testutil"
)

// standaloneOptions returns options for $REDIS_URL (default
// redis://127.0.0.1:6379/0), skipping the test (failing it in CI) when
// nothing answers there.
func standaloneOptions(t testing.TB) Options {
	t.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	o := Options{URL: url}
	reachable(t, o, "REDIS_URL="+url)
	return o
}

// clusterOptions returns options for $REDIS_CLUSTER_ADDRS (comma-separated),
// skipping the test (failing it in CI) when it is unset or unreachable.
func clusterOptions(t testing.TB) Options {
	t.Helper()
	addrs := os.Getenv("REDIS_CLUSTER_ADDRS")
	if addrs == "" {
		testutil.Unavailable(t, "REDIS_CLUSTER_ADDRS is not set (see start_redis_cluster in .ci/services.sh)")
	}
	o := Options{Addrs: strings.Split(addrs, ",")}
	reachable(t, o, "REDIS_CLUSTER_ADDRS="+addrs)
	return o
}

func reachable(t testing.TB, o Options, what string) {
	t.Helper()
	o, err := o.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	c, err := o.client()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if cc, ok := c.(*goredis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, n *goredis.Client) error { return n.Ping(ctx).Err() })
	} else {
		err = c.Ping(ctx).Err()
	}
	if err != nil {
		testutil.Unavailable(t, "redis at %s: %v", what, err)
	}
}

// testPrefix is a fresh key prefix, so tests running at once (and runs of
// other packages on the same Redis) never see each other's keys.
func testPrefix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "dgtest-" + hex.EncodeToString(b[:])
}

// openPrefixed opens a store on o with prefix, checking every script call
// for keys outside one slot, and deletes the prefix's keys when the test
// ends (after the store is closed: cleanups run last-registered first).
func openPrefixed(t testing.TB, o Options, prefix string) *Store {
	t.Helper()
	o.Prefix = prefix
	s, err := Open(context.Background(), o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, bench := t.(*testing.B); !bench {
		s.rdb.AddHook(slotCheck{t: t})
	}
	return s
}

// openTest opens a store on a fresh prefix that is wiped after the test.
func openTest(t testing.TB, o Options) *Store {
	t.Helper()
	prefix := testPrefix()
	t.Cleanup(func() { wipe(t, o, prefix) })
	return openPrefixed(t, o, prefix)
}

// wipe deletes every key under prefix (on every master of a cluster).
func wipe(t testing.TB, o Options, prefix string) {
	o, err := o.withDefaults()
	if err != nil {
		return
	}
	c, err := o.client()
	if err != nil {
		return
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// One pipeline of single-key UNLINKs per SCAN page: a multi-key
	// UNLINK would cross slots on a cluster node.
	del := func(ctx context.Context, n goredis.Cmdable) error {
		var cursor uint64
		for {
			keys, next, err := n.Scan(ctx, cursor, prefix+":*", 1000).Result()
			if err != nil {
				return err
			}
			if len(keys) > 0 {
				if _, err := n.Pipelined(ctx, func(p goredis.Pipeliner) error {
					for _, k := range keys {
						p.Unlink(ctx, k)
					}
					return nil
				}); err != nil {
					return err
				}
			}
			if cursor = next; cursor == 0 {
				return nil
			}
		}
	}
	if cc, ok := c.(*goredis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, n *goredis.Client) error { return del(ctx, n) })
	} else {
		err = del(ctx, c)
	}
	if err != nil {
		t.Logf("wipe %s: %v", prefix, err)
	}
}

// slotCheck fails the test when a script is given keys of more than one
// Redis Cluster slot. Together with TestScriptsReachKeysOnlyThroughKEYS
// (a script touches only what it is given), this is what makes every
// script safe on Cluster, checked on a single server too.
type slotCheck struct{ t testing.TB }

func (slotCheck) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (h slotCheck) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		h.check(cmd)
		return next(ctx, cmd)
	}
}

func (h slotCheck) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		for _, c := range cmds {
			h.check(c)
		}
		return next(ctx, cmds)
	}
}

func (h slotCheck) check(cmd goredis.Cmder) {
	args := cmd.Args()
	name := strings.ToLower(cmd.Name())
	if (name != "evalsha" && name != "eval") || len(args) < 3 {
		return
	}
	n, err := parseInt(args[2])
	if err != nil || len(args) < 3+n {
		h.t.Errorf("%s: cannot read numkeys from %v", name, args)
		return
	}
	keys := make([]string, n)
	for i := range n {
		keys[i] = fmt.Sprint(args[3+i])
	}
	if err := sameSlot(keys); err != nil {
		h.t.Errorf("script given keys of several slots: %v", err)
	}
}

func parseInt(v any) (int, error) {
	var n int
	_, err := fmt.Sscan(fmt.Sprint(v), &n)
	return n, err
}

// sameSlot returns an error naming two keys of different slots.
func sameSlot(keys []string) error {
	for _, k := range keys[1:] {
		if slotOf(k) != slotOf(keys[0]) {
			return fmt.Errorf("%q (slot %d) and %q (slot %d)", keys[0], slotOf(keys[0]), k, slotOf(k))
		}
	}
	return nil
}

// slotOf is Redis Cluster's key slot: CRC16 (XMODEM) of the hash tag (the
// first non-empty {…}) or of the whole key, modulo 16384.
func slotOf(key string) int {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			key = key[i+1 : i+1+j]
		}
	}
	return int(crc16(key) % 16384)
}

// crc16 is CRC-16/XMODEM, bit by bit (fast enough for tests).
func crc16(s string) uint16 {
	var crc uint16
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}
