package redis

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// keyless are the commands our scripts call that take no key.
var keyless = map[string]bool{"TIME": true, "PUBLISH": true}

var keysRef = regexp.MustCompile(`^KEYS\[[A-Za-z0-9_ +\-]+\]$`)

// TestScriptsReachKeysOnlyThroughKEYS reads every script and checks that
// each redis.call names its key as KEYS[…] and nothing else: no key built
// by concatenation, read from a hash or passed in ARGV. Redis Cluster only
// routes and checks the keys in KEYS; a script that builds one can write
// to a slot it was not sent to (hibiken/asynq#951). The slot check in
// helpers_test.go then verifies, on every call the suite makes, that the
// KEYS given share one slot.
func TestScriptsReachKeysOnlyThroughKEYS(t *testing.T) {
	for _, sc := range allScripts() {
		calls := redisCalls(sc.src)
		if len(calls) == 0 {
			t.Errorf("%s: no redis.call found; is the parser broken?", sc.name)
		}
		for _, args := range calls {
			if len(args) == 0 {
				t.Errorf("%s: redis.call without arguments", sc.name)
				continue
			}
			cmd, err := strconv.Unquote(strings.ReplaceAll(args[0], "'", `"`))
			if err != nil {
				t.Errorf("%s: command %s is not a literal", sc.name, args[0])
				continue
			}
			if keyless[cmd] {
				continue
			}
			if len(args) < 2 || !keysRef.MatchString(args[1]) {
				t.Errorf("%s: redis.call(%s) reaches its key as %q; want KEYS[…]", sc.name, strings.Join(args, ", "), args[1:])
			}
		}
	}
}

func TestPreludeKeepsMaxErrors(t *testing.T) {
	if want := "local MAXERR = " + strconv.Itoa(maxErrors) + "\n"; !strings.Contains(prelude, want) {
		t.Fatalf("prelude does not say %q", want)
	}
}

// redisCalls returns the top-level arguments of every redis.call and
// redis.pcall in src, as source text.
func redisCalls(src string) [][]string {
	var out [][]string
	for _, fn := range []string{"redis.call(", "redis.pcall("} {
		rest := src
		for {
			i := strings.Index(rest, fn)
			if i < 0 {
				break
			}
			rest = rest[i+len(fn):]
			args, n := splitArgs(rest)
			out = append(out, args)
			rest = rest[n:]
		}
	}
	return out
}

// splitArgs splits s (just after an opening parenthesis) at top-level
// commas up to the matching closing parenthesis, minding Lua strings.
func splitArgs(s string) ([]string, int) {
	var args []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' && depth == 0:
			return append(args, strings.TrimSpace(s[start:i])), i + 1
		case c == ')' || c == ']' || c == '}':
			depth--
		case c == ',' && depth == 0:
			args = append(args, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	return args, len(s)
}

func TestSplitArgs(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []string
	}{
		{`'GET', KEYS[1]) rest`, []string{"'GET'", "KEYS[1]"}},
		{`'HSET', KEYS[ij], 'a,b', f(x, y)) x`, []string{"'HSET'", "KEYS[ij]", "'a,b'", "f(x, y)"}},
		{`'SET', ARGV[1] .. 'x', 1)`, []string{"'SET'", "ARGV[1] .. 'x'", "1"}},
	} {
		got, _ := splitArgs(tc.src)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("splitArgs(%q) = %q; want %q", tc.src, got, tc.want)
		}
	}
	// The check itself catches a built key.
	bad := redisCalls(`redis.call('SET', ARGV[1] .. ':x', 1)`)
	if len(bad) != 1 || keysRef.MatchString(bad[0][1]) {
		t.Fatalf("a key built from ARGV passes the check: %q", bad)
	}
}

// TestKeysOfOneQueueShareASlot covers names with the characters that could
// move a hash tag or make two names collide.
func TestKeysOfOneQueueShareASlot(t *testing.T) {
	ks := keyspace{prefix: "dg"}
	for _, name := range []string{"ingest", "a:b", "x}y", "{weird}", "%41", ""} {
		q := ks.queue(name)
		keys := []string{q.ready, q.sched, q.lease, q.dead, q.meta, q.cnt, q.job("job_1"), q.job("}{"),
			q.group("order:1}"), q.group(""), q.uniq("webhook:shop:{1}"), q.uniq("")}
		if err := sameSlot(keys); err != nil {
			t.Errorf("queue %q: %v", name, err)
		}
		r := ks.records(name)
		if err := sameSlot([]string{r.created, r.data("1}"), r.index("status", "on_hold"), r.index("a:b}", "{c")}); err != nil {
			t.Errorf("record kind %q: %v", name, err)
		}
		if err := sameSlot([]string{ks.counter(name), ks.counterOnce(name, "po:{1}")}); err != nil {
			t.Errorf("counter %q: %v", name, err)
		}
	}
	if ks.queue("a:b").ready == ks.queue("a").ready || escape("a:b") == escape("a%3Ab") {
		t.Fatal("escaped names collide")
	}
	if a, b := ks.records("k").index("a:b", "c"), ks.records("k").index("a", "b:c"); a == b {
		t.Fatalf("index keys collide: %s", a)
	}
}

func TestSlotOf(t *testing.T) {
	// Values from the Redis Cluster specification and CLUSTER KEYSLOT.
	if got := crc16("123456789"); got != 0x31C3 {
		t.Fatalf("crc16 = %#x; want 0x31c3", got)
	}
	for key, want := range map[string]int{
		"foo": 12182, "{user1000}.following": 3443, "foo{}{bar}": 8363, "foo{bar}{zap}": 5061, "dg:{q:ingest}:ready": 2031,
	} {
		if got := slotOf(key); got != want {
			t.Errorf("slotOf(%q) = %d; want %d", key, got, want)
		}
	}
}

// TestScriptHashes: every script has a name of its own and a hash of its
// own, so a server-side count by hash (bench/redisscripts.sh, which reads
// this test's -v output) names each one.
func TestScriptHashes(t *testing.T) {
	names := map[string]bool{}
	hashes := map[string]string{}
	for _, sc := range allScripts() {
		if sc.name == "" || names[sc.name] {
			t.Fatalf("script %q: empty or repeated name", sc.name)
		}
		names[sc.name] = true
		if other, dup := hashes[sc.Hash()]; dup {
			t.Fatalf("scripts %q and %q have one hash", sc.name, other)
		}
		hashes[sc.Hash()] = sc.name
		t.Logf("script %s %s", sc.Hash(), strings.ReplaceAll(sc.name, " ", "_"))
	}
}
