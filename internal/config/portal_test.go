package config

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestPortalBlock(t *testing.T) {
	hash, _ := bcrypt.GenerateFromPassword([]byte("a-long-password"), bcrypt.MinCost)
	h := string(hash)
	tests := []struct {
		name, yaml string
		want       []string // problems, each a whole line; none when empty
		on         bool
	}{
		{"enabled with users", "suppliers:\n  - name: s\n    type: testsup\n    portal:\n      enabled: true\n      users: [{email: ann@s.example, password_hash: \"" + h + "\"}]\n", nil, true},
		{"users but not enabled", "suppliers:\n  - name: s\n    type: testsup\n    portal:\n      users: [{email: ann@s.example, password_hash: \"" + h + "\"}]\n", nil, false},
		{"plain password refused", "suppliers:\n  - name: s\n    type: testsup\n    portal:\n      enabled: true\n      users:\n        - email: ann@s.example\n          password_hash: hunter2\n",
			[]string{"test.yaml:8: suppliers[0].portal.users[0].password_hash: not a bcrypt hash (make one with `dropgate portal hash-password`)"}, true},
		{"enabled without users", "suppliers:\n  - name: s\n    type: testsup\n    portal: { enabled: true }\n",
			[]string{"test.yaml:4: suppliers[0].portal.users: the portal is on but has no users"}, true},
		{"bad and duplicate e-mail", "suppliers:\n  - name: s\n    type: testsup\n    portal:\n      enabled: true\n      users:\n        - {email: ann@s.example, password_hash: \"" + h + "\"}\n        - {email: ANN@s.example, password_hash: \"" + h + "\"}\n        - {email: nobody, password_hash: \"" + h + "\"}\n",
			[]string{"test.yaml:8: suppliers[0].portal.users[1].email: ANN@s.example is listed twice", `test.yaml:9: suppliers[0].portal.users[2].email: "nobody" is not an e-mail address`}, true},
		{"one login for two suppliers", "suppliers:\n  - name: s\n    type: testsup\n    portal: { enabled: true, users: [{email: ann@s.example, password_hash: \"" + h + "\"}] }\n  - name: t\n    type: testsup\n    portal:\n      enabled: true\n      users: [{email: Ann@s.example, password_hash: \"" + h + "\"}]\n",
			[]string{"test.yaml:9: suppliers[1].portal.users[0].email: Ann@s.example is already a portal login of supplier s (a login acts for one supplier)"}, true},
		{"missing key", "suppliers:\n  - name: s\n    type: testsup\n    portal:\n      enabled: true\n      users: [{email: ann@s.example}]\n",
			[]string{"test.yaml:6: suppliers[0].portal.users[0].password_hash: missing required key"}, true},
		{"unknown key", "suppliers:\n  - name: s\n    type: testsup\n    portal: { enabled: true, password: x, users: [{email: ann@s.example, password_hash: \"" + h + "\"}] }\n",
			[]string{"test.yaml:4: suppliers[0].portal.password: unknown key (known keys: enabled, users)"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, probs := parse(t, tt.yaml, nil)
			got := map[string]bool{}
			for _, p := range probs.Errors() {
				got[p.String()] = true
			}
			for _, w := range tt.want {
				if !got[w] {
					t.Errorf("missing problem\n  %s\ngot:\n  %s", w, strings.ReplaceAll(probs.Error(), "\n", "\n  "))
				}
			}
			if len(tt.want) == 0 && len(probs.Errors()) > 0 {
				t.Fatalf("unexpected problems:\n%s", probs.Error())
			}
			if len(cfg.Suppliers) == 1 && cfg.Suppliers[0].PortalOn() != tt.on {
				t.Errorf("PortalOn = %v, want %v", !tt.on, tt.on)
			}
		})
	}
}
