package email

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/tls"
	"encoding/csv"
	"errors"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
)

// captured is one message a test SMTP server accepted.
type captured struct {
	From  string
	Rcpts []string
	Data  []byte
	TLS   bool
	User  string
}

// smtpBackend accepts mail from one user (AUTH PLAIN, only over TLS: the
// server does not offer AUTH on a plain connection) and keeps it.
type smtpBackend struct {
	user, pass string
	mu         sync.Mutex
	msgs       []captured
}

func (b *smtpBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &smtpSession{b: b, conn: c}, nil
}

func (b *smtpBackend) messages() []captured {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]captured(nil), b.msgs...)
}

type smtpSession struct {
	b    *smtpBackend
	conn *smtp.Conn
	cur  captured
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != s.b.user || pass != s.b.pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.cur.User = user
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.cur.User == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	s.cur.From = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasSuffix(to, "@nowhere.example") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.cur.Rcpts = append(s.cur.Rcpts, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, s.cur.TLS = s.conn.TLSConnectionState()
	s.cur.Data = b
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, s.cur)
	s.b.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        { s.cur = captured{User: s.cur.User} }
func (s *smtpSession) Logout() error { return nil }

// startSMTP runs a server on loopback: STARTTLS on a plain listener, or
// TLS from the first byte (implicit).
func startSMTP(t *testing.T, pki testPKI, implicit bool) (*smtpBackend, int) {
	t.Helper()
	be := &smtpBackend{user: "orders@shop.example", pass: "s3cret"}
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.TLSConfig = pki.Server
	srv.ErrorLog = discardLogger{}
	var ln net.Listener = listen(t)
	port := portOf(ln)
	if implicit {
		ln = tls.NewListener(ln, pki.Server)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return be, port
}

func smtpConfig(pki testPKI, port int) *Config {
	cfg := baseConfig()
	cfg.SMTP = SMTP{Server: Server{Host: "127.0.0.1", Port: port, TLS: tlsStartTLS, TLSCA: pki.CAFile, TLSServerName: "localhost",
		Username: "orders@shop.example", Password: "s3cret"}}
	return cfg
}

func TestSMTPSendPO(t *testing.T) {
	pki := newPKI(t)
	be, port := startSMTP(t, pki, false)
	c := mustNew(t, smtpConfig(pki, port))
	po, order := testPO()

	sent, err := c.SendPO(context.Background(), po, order)
	if err != nil {
		t.Fatal(err)
	}
	wantID := "<" + po.Number + "@dropgate.shop.example>"
	if sent.Document != wantID || len(sent.Refs) != 1 || sent.Refs[0] != (model.Ref{System: RefMessageID, ID: wantID}) {
		t.Errorf("sent = %+v, want document %s", sent, wantID)
	}
	msgs := be.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	if !m.TLS || m.User != "orders@shop.example" || m.From != "orders@shop.example" {
		t.Errorf("session: tls %v user %q from %q", m.TLS, m.User, m.From)
	}
	if strings.Join(m.Rcpts, ",") != "sales@acme.example,ops@shop.example,archive@shop.example" {
		t.Errorf("rcpts = %v", m.Rcpts)
	}

	h, parts := readParts(t, m.Data)
	want := map[string]string{
		"Message-Id":      wantID,
		"X-Dropgate-Po":   po.Number,
		"X-Dropgate-Kind": "purchase-order",
		"From":            `"Shop Orders" <orders@shop.example>`,
		"To":              `"Acme Sales" <sales@acme.example>`,
		"Cc":              `<ops@shop.example>`,
		"Reply-To":        `<replies@shop.example>`,
		"Date":            "Wed, 04 Mar 2026 09:30:00 +0000",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if subj, _ := h.Subject(); subj != "Purchase order "+po.Number+" (order #1001)" {
		t.Errorf("subject = %q", subj)
	}
	if h.Get("Bcc") != "" || bytes.Contains(m.Data, []byte("archive@shop.example")) {
		t.Error("the Bcc address must not appear in the message")
	}
	if len(parts) != 3 || parts[0].Type != "text/plain" || parts[1].Type != "text/csv" || parts[2].Type != "application/pdf" {
		t.Fatalf("parts = %v", partTypes(parts))
	}
	text := string(parts[0].Body)
	for _, s := range []string{
		"Purchase order: " + po.Number, "Order reference: #1001", "Shipping method: Ground",
		"- ACME-MUG-01 x 2  Blue mug, 350 ml (our SKU MUG-BLUE, 4.25 USD each)",
		"- ACME-TEE-M x 1  T-shirt, size M (our SKU TEE-M, 9.00 USD each)",
		"Total: 17.50 USD", "Grace Hopper\n", "22201 Arlington VA\nUS\nPhone: +1 555 0100", "Shop Orders\n",
	} {
		if !strings.Contains(strings.ReplaceAll(text, "\r\n", "\n"), s) {
			t.Errorf("body lacks %q:\n%s", s, text)
		}
	}
	checkCSV(t, parts[1], po.Number)
	checkPDF(t, parts[2], po.Number)

	// A resend is the same message to the supplier: same Message-ID.
	if _, err := c.SendPO(context.Background(), po, order); err != nil {
		t.Fatal(err)
	}
	msgs = be.messages()
	h2, _ := readParts(t, msgs[1].Data)
	if h2.Get("Message-Id") != wantID {
		t.Errorf("resend Message-ID = %s, want %s", h2.Get("Message-Id"), wantID)
	}
}

func partTypes(ps []mimePart) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Type+" "+p.Filename)
	}
	return out
}

// checkCSV parses the attachment back.
func checkCSV(t *testing.T, p mimePart, number string) {
	t.Helper()
	if p.Filename != number+".csv" {
		t.Errorf("csv name = %q", p.Filename)
	}
	rows, err := csv.NewReader(bytes.NewReader(p.Body)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v", err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(csvColumns, ",") {
		t.Fatalf("csv rows = %q", rows)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	r1, r2 := rows[1], rows[2]
	checks := []struct{ got, want string }{
		{r1[col["po_number"]], number}, {r1[col["supplier_sku"]], "ACME-MUG-01"}, {r1[col["sku"]], "MUG-BLUE"},
		{r1[col["description"]], "Blue mug, 350 ml"}, {r1[col["quantity"]], "2"}, {r1[col["unit_cost"]], "4.25"},
		{r1[col["currency"]], "USD"}, {r1[col["ship_to_name"]], "Grace Hopper"}, {r1[col["ship_to_postal_code"]], "22201"},
		{r1[col["ship_to_phone"]], "+1 555 0100"}, {r2[col["supplier_sku"]], "ACME-TEE-M"}, {r2[col["unit_cost"]], "9.00"},
		// The customer-supplied company would run as a formula: defused.
		{r1[col["ship_to_company"]], `'=HYPERLINK("http://evil")`},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("csv cell %q, want %q", c.got, c.want)
		}
	}
}

// checkPDF checks the attachment is a PDF whose page content names the
// PO: content streams are inflated and searched.
func checkPDF(t *testing.T, p mimePart, number string) {
	t.Helper()
	if p.Filename != number+".pdf" || !bytes.HasPrefix(p.Body, []byte("%PDF-")) || !bytes.Contains(p.Body, []byte("%%EOF")) {
		t.Fatalf("not a PDF: %q…", p.Body[:min(len(p.Body), 16)])
	}
	var text strings.Builder
	streams := regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`).FindAllSubmatch(p.Body, -1)
	for _, s := range streams {
		zr, err := zlib.NewReader(bytes.NewReader(s[1]))
		if err != nil {
			text.Write(s[1])
			continue
		}
		b, _ := io.ReadAll(zr)
		text.Write(b)
	}
	for _, want := range []string{"(Purchase order " + number + ")", "(ACME-MUG-01)", "(Grace Hopper)", "(17.50)"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("pdf content lacks %s", want)
		}
	}
}

func TestSMTPCancelThreadsUnderThePO(t *testing.T) {
	pki := newPKI(t)
	be, port := startSMTP(t, pki, false)
	cfg := smtpConfig(pki, port)
	cfg.Attach = nil
	c := mustNew(t, cfg)
	po, order := testPO()
	sent, err := c.CancelPO(context.Background(), po, order)
	if err != nil {
		t.Fatal(err)
	}
	poID := "<" + po.Number + "@dropgate.shop.example>"
	cancelID := "<" + po.Number + ".cancel@dropgate.shop.example>"
	h, parts := readParts(t, be.messages()[0].Data)
	if sent.Document != cancelID || h.Get("Message-Id") != cancelID || h.Get("In-Reply-To") != poID || h.Get("References") != poID {
		t.Errorf("ids: sent %s, Message-Id %s, In-Reply-To %s, References %s", sent.Document, h.Get("Message-Id"), h.Get("In-Reply-To"), h.Get("References"))
	}
	if subj, _ := h.Subject(); !strings.HasPrefix(subj, "CANCEL purchase order "+po.Number) || h.Get("X-Dropgate-Kind") != "cancellation" {
		t.Errorf("subject %q kind %q", subj, h.Get("X-Dropgate-Kind"))
	}
	if len(parts) != 1 || !strings.Contains(string(parts[0].Body), "please CANCEL purchase order "+po.Number) {
		t.Errorf("parts = %v", partTypes(parts))
	}
}

func TestSMTPImplicitTLSAndHTML(t *testing.T) {
	pki := newPKI(t)
	be, port := startSMTP(t, pki, true)
	cfg := smtpConfig(pki, port)
	cfg.SMTP.TLS = tlsImplicit
	cfg.SMTP.Auth = "plain"
	cfg.Attach = []string{"csv"}
	cfg.Templates.HTML = `<p>Order <b>{{.PO.Number}}</b> for {{.PO.ShipTo.Name}}</p>`
	c := mustNew(t, cfg)
	po, order := testPO()
	if _, err := c.SendPO(context.Background(), po, order); err != nil {
		t.Fatal(err)
	}
	m := be.messages()[0]
	_, parts := readParts(t, m.Data)
	if !m.TLS || len(parts) != 3 || parts[0].Type != "text/plain" || parts[1].Type != "text/html" || parts[2].Type != "text/csv" {
		t.Fatalf("tls %v parts %v", m.TLS, partTypes(parts))
	}
	if !strings.Contains(string(parts[1].Body), "<p>Order <b>"+po.Number+"</b> for Grace Hopper</p>") {
		t.Errorf("html = %s", parts[1].Body)
	}
}

func TestSMTPFailures(t *testing.T) {
	pki := newPKI(t)
	_, port := startSMTP(t, pki, false)
	po, order := testPO()
	cases := []struct {
		name      string
		mod       func(*Config)
		permanent bool
		want      string
	}{
		{"wrong password", func(c *Config) { c.SMTP.Password = "nope" }, true, "535"},
		{"refused recipient", func(c *Config) { c.To = []string{"x@nowhere.example"} }, true, "550"},
		{"untrusted certificate", func(c *Config) { c.SMTP.TLSCA = "" }, true, "certificate"},
		{"wrong name", func(c *Config) { c.SMTP.TLSServerName = "mail.other.example" }, true, "certificate"},
		{"nothing listening", func(c *Config) { c.SMTP.Port = closedPort(t) }, false, "connect"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := smtpConfig(pki, port)
			tc.mod(cfg)
			_, err := mustNew(t, cfg).SendPO(context.Background(), po, order)
			if err == nil || !strings.Contains(err.Error(), tc.want) || fault.IsPermanent(err) != tc.permanent {
				t.Errorf("err = %v (permanent %v), want %q permanent %v", err, fault.IsPermanent(err), tc.want, tc.permanent)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Error("the password leaked into the error")
			}
		})
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	ln := listen(t)
	p := portOf(ln)
	ln.Close()
	return p
}

func TestSMTPContextCancelled(t *testing.T) {
	// A server that accepts the connection and never greets.
	ln := listen(t)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	pki := newPKI(t)
	c := mustNew(t, smtpConfig(pki, portOf(ln)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	po, order := testPO()
	_, err := c.SendPO(ctx, po, order)
	if err == nil || !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "closed") {
		t.Errorf("err = %v", err)
	}
}
