package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const notifyYAML = `server: { admin_token: "${TOKEN:-x}" }
notifications:
  email:
    smtp: { host: smtp.example.com, port: 587, username: shop, password: "${SMTP_PASSWORD}" }
    from: "Shop <orders@shop.example>"
    send: [shipped, delivered]
  events:
    - name: erp
      url: https://erp.example.com/hooks/dropgate
      secret: "${ERP_SECRET}"
      types: [order.created, order.shipped]
`

func TestNotificationsValid(t *testing.T) {
	cfg, probs := parse(t, notifyYAML, map[string]string{"SMTP_PASSWORD": "pw", "ERP_SECRET": "whsec_c2VjcmV0"})
	if len(probs.Errors()) != 0 {
		t.Fatalf("problems:\n%s", probs.Error())
	}
	n := cfg.Notifications
	if n == nil || n.Email == nil || n.Email.SMTP.Password.Reveal() != "pw" || len(n.Events) != 1 || n.Events[0].Secret.Reveal() != "whsec_c2VjcmV0" {
		t.Fatalf("decoded %+v", n)
	}
}

// TestNotificationsProblems: each mistake is reported at its line with
// its key path.
func TestNotificationsProblems(t *testing.T) {
	env := map[string]string{"SMTP_PASSWORD": "pw", "ERP_SECRET": "s"}
	for _, tc := range []struct {
		name, from, to, path string
		line                 int
		env                  map[string]string
	}{
		{"bad url", "https://erp.example.com/hooks/dropgate", "ftp:/nowhere", "notifications.events[0].url", 9, env},
		{"missing secret env", "", "", "notifications.events[0].secret", 10, map[string]string{"SMTP_PASSWORD": "pw"}},
		{"unknown type", "order.shipped]", "order.teleported]", "notifications.events[0].types[1]", 11, env},
		{"unknown mail", "[shipped,", "[beamed,", "notifications.email.send[0]", 6, env},
		{"bad from", `"Shop <orders@shop.example>"`, `"not an address"`, "notifications.email.from", 5, env},
		{"bad whsec", "", "", "notifications.events[0].secret", 10, map[string]string{"SMTP_PASSWORD": "pw", "ERP_SECRET": "whsec_%%%"}},
		{"unknown channel", "send: [shipped, delivered]\n", "send: [shipped, delivered]\n    channels: { nowhere: false }\n", "notifications.email.channels.nowhere", 7, env},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y := notifyYAML
			if tc.from != "" {
				y = strings.Replace(y, tc.from, tc.to, 1)
			}
			_, probs := parse(t, y, tc.env)
			errs := probs.Errors()
			if len(errs) != 1 {
				t.Fatalf("want one problem, got:\n%s", probs.Error())
			}
			if errs[0].Line != tc.line || errs[0].File != "test.yaml" || (errs[0].Path != "" && errs[0].Path != tc.path) {
				t.Errorf("problem %s: want line %d, path %s", errs[0], tc.line, tc.path)
			}
		})
	}
}

// TestNotificationsExample: the shipped example validates.
func TestNotificationsExample(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "configs", "examples", "notifications.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, probs := Parse("notifications.yaml", b, Options{Lookup: func(string) (string, bool) { return "example", true }, Registry: registry()})
	if len(probs) != 0 {
		t.Fatalf("problems:\n%s", probs.Error())
	}
	if n := cfg.Notifications; n == nil || n.Email == nil || len(n.Events) != 2 {
		t.Fatalf("decoded %+v", n)
	}
}
