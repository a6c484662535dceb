package config

import (
	"strings"
	"testing"
)

func TestRedisStoreSettings(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		env        map[string]string
		want       []string // whole problem lines; none: valid without warnings
	}{
		{"url", "store: { driver: redis, url: \"${REDIS_URL:-redis://127.0.0.1:6379/0}\" }\n", nil, nil},
		{"tls url from env", "store: { driver: redis, url: \"${REDIS_URL}\" }\n",
			map[string]string{"REDIS_URL": "rediss://:pw@cache.internal:6380/2"}, nil},
		{"cluster", "store:\n  driver: redis\n  addrs: [\"10.0.0.1:7000\", \"10.0.0.2:7000\"]\n  password: \"${REDIS_PASSWORD}\"\n  prefix: shop1\n",
			map[string]string{"REDIS_PASSWORD": "pw"}, nil},
		{"neither", "store: { driver: redis }\n", nil,
			[]string{`test.yaml:1: store.url: the redis driver needs url (redis://…) or addrs (cluster)`}},
		{"both", "store:\n  driver: redis\n  url: redis://h:6379\n  addrs: [\"h:7000\"]\n", nil,
			[]string{`test.yaml:4: store.addrs: set url (one server) or addrs (a cluster), not both`}},
		{"scheme", "store:\n  driver: redis\n  url: http://h:6379\n", nil,
			[]string{`test.yaml:3: store.url: scheme "http": want redis:// or rediss:// (TLS)`}},
		{"database", "store:\n  driver: redis\n  url: redis://h:6379/cache\n", nil,
			[]string{`test.yaml:3: store.url: database "cache": want a number, as in redis://host:6379/0`}},
		{"bad addr", "store:\n  driver: redis\n  addrs: [\"h:7000\", \"h7001\"]\n", nil,
			[]string{`test.yaml:3: store.addrs[1]: "h7001": want host:port`}},
		{"prefix", "store:\n  driver: redis\n  url: redis://h:6379\n  prefix: \"dg{x}\"\n", nil,
			[]string{`test.yaml:4: store.prefix: "dg{x}": no braces or spaces (keys carry hash tags after it)`}},
		{"inline password", "store:\n  driver: redis\n  url: redis://:hunter2@h:6379/0\n", nil,
			[]string{`test.yaml:3: store.url: warning: password set inline; use ${REDIS_URL} or store.password from the environment`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, probs := parse(t, tc.yaml, tc.env)
			got := probs.Error()
			for _, w := range tc.want {
				if !strings.Contains("\n"+got+"\n", "\n"+w+"\n") {
					t.Errorf("problems:\n%s\nwant the line:\n%s", got, w)
				}
			}
			if len(tc.want) == 0 && len(probs) != 0 {
				t.Errorf("unexpected problems:\n%s", got)
			}
			if strings.Contains(got, "hunter2") || strings.Contains(got, ":pw@") {
				t.Errorf("a problem quotes the password:\n%s", got)
			}
		})
	}
}
