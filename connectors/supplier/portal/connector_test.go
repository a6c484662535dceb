package portal

import (
	"context"
	"errors"
	"net/smtp"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/config"
)

func testPO() *model.PurchaseOrder {
	return &model.PurchaseOrder{Number: "PO7K2", Supplier: "brightline", Lines: []model.POLine{{LineNo: 1}}}
}

// TestSendWithoutNotifyOnlyShows: the PO becomes visible; nothing is sent.
func TestSendWithoutNotifyOnlyShows(t *testing.T) {
	c, err := New(connector.Env{Name: "brightline"}, &Config{})
	if err != nil {
		t.Fatal(err)
	}
	c.send = func(string, smtp.Auth, string, []string, []byte) error {
		t.Fatal("no notify configured, yet mail sent")
		return nil
	}
	sent, err := c.SendPO(context.Background(), testPO(), &model.Order{})
	if err != nil || sent.Document != "portal:PO7K2" {
		t.Fatalf("sent %+v, %v", sent, err)
	}
}

// TestNoticeIsTheSameMessageOnRetry: the notice names the PO and the
// portal link, its Message-ID is the same on a retry, and an SMTP outage
// is retryable.
func TestNoticeIsTheSameMessageOnRetry(t *testing.T) {
	c, err := New(connector.Env{Name: "brightline"}, &Config{PortalURL: "https://dg.example/portal/",
		Notify: &Notify{SMTP: "smtp.example:587", From: "Shop <dg@shop.example>", To: []string{"Orders <o@brightline.example>"}}})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	fail := true
	c.send = func(addr string, _ smtp.Auth, from string, to []string, msg []byte) error {
		if fail {
			fail = false
			return errors.New("connection refused")
		}
		if addr != "smtp.example:587" || from != "dg@shop.example" || to[0] != "o@brightline.example" {
			t.Errorf("envelope %s %s %v", addr, from, to)
		}
		msgs = append(msgs, string(msg))
		return nil
	}
	_, err = c.SendPO(context.Background(), testPO(), &model.Order{})
	var re *fault.RetryableError
	if !errors.As(err, &re) {
		t.Fatalf("an SMTP outage must be retryable: %v", err)
	}
	for i := 0; i < 2; i++ {
		if _, err := c.SendPO(context.Background(), testPO(), &model.Order{}); err != nil {
			t.Fatal(err)
		}
	}
	if len(msgs) != 2 || msgs[0] != msgs[1] || !strings.Contains(msgs[0], "Message-ID: <po7k2.portal@shop.example>") ||
		!strings.Contains(msgs[0], "https://dg.example/portal/pos/PO7K2") {
		t.Fatalf("notices:\n%v", msgs)
	}
}

// TestPortalSupplierNeedsUsers: a portal supplier without logins, or with
// a bad notify block, does not validate.
func TestPortalSupplierNeedsUsers(t *testing.T) {
	yaml := "suppliers:\n  - name: bright\n    type: portal\n    notify: { smtp: nohost, from: x@y.example, to: [not an address] }\n"
	_, probs := config.Parse("t.yaml", []byte(yaml), config.Options{Registry: connector.Default()})
	out := probs.Error()
	for _, want := range []string{
		"t.yaml:2: suppliers[0].portal: a portal supplier needs portal.users",
		"suppliers[0].notify.smtp: must be host:port",
		`suppliers[0].notify.to[0]: "not an address" is not an e-mail address`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}
