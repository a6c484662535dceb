package config

import (
	"strings"
	"testing"
)

// TestUnsetSecretVariableIsNotInline: a secret written as ${VAR} whose
// variable is unset is one problem (the unset variable), never also the
// "secret set inline" warning: the merchant did keep it out of the file.
func TestUnsetSecretVariableIsNotInline(t *testing.T) {
	for _, tc := range []struct{ name, value string }{
		{"whole value", `"${WEBHOOK_SECRET}"`},
		{"inside text", `"prefix-${WEBHOOK_SECRET}"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, probs := parse(t, "server: { admin_token: \"${ADMIN_TOKEN}\" }\nchannels:\n  - name: a\n    type: testchan\n    domain: x\n    secret: "+tc.value+"\n", nil)
			if w := probs.Warnings(); len(w) != 0 {
				t.Errorf("warnings for ${VAR} references: %v", w)
			}
			errs := probs.Errors()
			if len(errs) != 2 {
				t.Fatalf("want the two unset variables as errors, got:\n%s", probs.Error())
			}
			for _, e := range errs {
				if !strings.Contains(e.Message, "is not set") {
					t.Errorf("unexpected problem: %s", e)
				}
			}
		})
	}
}

// TestLiteralSecretStillWarns: the warning stays for a literal secret,
// also next to a ${VAR} reference elsewhere in the file.
func TestLiteralSecretStillWarns(t *testing.T) {
	_, probs := parse(t, "server: { admin_token: \"${ADMIN_TOKEN:-x}\" }\nchannels:\n  - name: a\n    type: testchan\n    domain: x\n    secret: hunter2\n", nil)
	if w := probs.Warnings(); len(w) != 1 || w[0].Path != "channels[0].secret" {
		t.Fatalf("warnings = %v", w)
	}
}
