package email

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

var t0 = time.Date(2026, 3, 4, 9, 30, 0, 0, time.UTC)

// Valid UPS numbers (check digits verified by internal/tracking).
const (
	ups1   = "1Z999AA10123456784"
	ups2   = "1Z12345E6605272234"
	ups3   = "1ZXF38300382722839"
	upsBad = "1Z12345E0205271688" // check digit 8, want 6
)

func testPO() (*model.PurchaseOrder, *model.Order) {
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	addr := model.Address{Name: "Grace Hopper", Company: "=HYPERLINK(\"http://evil\")", Line1: "12 Harbor Rd", City: "Arlington",
		Region: "VA", PostalCode: "22201", Country: "US", Phone: "+1 555 0100"}
	order := &model.Order{ID: "ord_1", Channel: "shop", ChannelOrderID: "450789469", ChannelOrderNumber: "#1001", Currency: "USD",
		Customer: model.Customer{Name: "Grace Hopper", Email: "grace@example.com"}, ShippingAddress: &addr,
		Lines: []model.OrderLine{{ID: "L1", SKU: "MUG-BLUE", Quantity: 2}, {ID: "L2", SKU: "TEE-M", Quantity: 1}}}
	po := &model.PurchaseOrder{
		Number: model.PONumber("ord_1", "acme", 1), Seq: 1, OrderID: "ord_1", Supplier: "acme", Status: model.PODraft, Currency: "USD",
		ShipTo: addr, OrderNumber: "#1001", ShippingMethod: "Ground", Created: t0.Add(-time.Hour),
		Lines: []model.POLine{
			{LineNo: 1, OrderLineID: "L1", SKU: "MUG-BLUE", SupplierSKU: "ACME-MUG-01", Description: "Blue mug, 350 ml", Quantity: 2, UnitCost: usd("4.25")},
			{LineNo: 2, OrderLineID: "L2", SKU: "TEE-M", SupplierSKU: "ACME-TEE-M", Description: "T-shirt, size M", Quantity: 1, UnitCost: usd("9.00")},
		},
	}
	return po, order
}

func testEnv() connector.Env {
	return connector.Env{Name: "acme", Clock: clock.NewFake(t0), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// baseConfig is a config with addresses and the given transport blocks.
func baseConfig() *Config {
	return &Config{
		From:    "Shop Orders <orders@shop.example>",
		To:      []string{"Acme Sales <sales@acme.example>"},
		Cc:      []string{"ops@shop.example"},
		Bcc:     []string{"archive@shop.example"},
		ReplyTo: "replies@shop.example",
		Attach:  []string{"csv", "pdf"},
	}
}

func mustNew(t *testing.T, cfg *Config) *Connector {
	t.Helper()
	c, err := New(testEnv(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testPKI is a throw-away CA and a server certificate for localhost and
// 127.0.0.1, with the CA written as PEM for tls_ca.
type testPKI struct {
	CAFile string
	Server *tls.Config
}

func newPKI(t *testing.T) testPKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "dropgate test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return testPKI{CAFile: caFile, Server: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}}
}

// listen opens a loopback listener.
func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func portOf(ln net.Listener) int { return ln.Addr().(*net.TCPAddr).Port }

// readParts parses a message and returns its header and leaf parts as
// (content type, filename, decoded body).
type mimePart struct {
	Type, Filename string
	Body           []byte
}

func readParts(t *testing.T, raw []byte) (gomail.Header, []mimePart) {
	t.Helper()
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	h := gomail.Header{Header: e.Header}
	var parts []mimePart
	err = e.Walk(func(_ []int, p *message.Entity, err error) error {
		if err != nil {
			return err
		}
		typ, _, _ := p.Header.ContentType()
		if strings.HasPrefix(typ, "multipart/") {
			return nil
		}
		_, dp, _ := p.Header.ContentDisposition()
		b, err := io.ReadAll(p.Body)
		if err != nil {
			return err
		}
		parts = append(parts, mimePart{Type: typ, Filename: dp["filename"], Body: b})
		return nil
	})
	if err != nil {
		t.Fatalf("walk message: %v", err)
	}
	return h, parts
}

// applyNotice applies a parsed ship notice to an order, as the engine
// would.
func applyNotice(t *testing.T, a *model.Aggregate, d connector.InboundDoc) lifecycle.Outcome {
	t.Helper()
	out, err := lifecycle.ApplyShipNotice(a, d.ShipNotice, d.ID, lifecycle.Step{At: t0, Cause: model.Cause{Kind: model.CauseDocument, Ref: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	a.Recompute()
	return out
}

// reply builds a raw reply: headers (key: value lines) and a body.
func reply(headers, body string) []byte {
	h := strings.TrimSpace(headers)
	if !strings.Contains(strings.ToLower(h), "message-id:") {
		h += "\nMessage-ID: <r1@acme.example>"
	}
	if !strings.Contains(strings.ToLower(h), "from:") {
		h += "\nFrom: Acme Sales <sales@acme.example>"
	}
	h += "\nDate: Wed, 04 Mar 2026 15:04:05 +0000"
	return []byte(crlf(h + "\n\n" + body))
}
