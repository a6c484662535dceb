package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/gateway/portal/portaltest"
)

// TestSupplierSeesOnlyItsOwnPOs: supplier a gets 404 for b's PO on the
// page, the CSV and every action, and never sees it in its list; its own
// PO works.
func TestSupplierSeesOnlyItsOwnPOs(t *testing.T) {
	f := newFixture(t)
	c := portaltest.New(t, f.srv.URL)
	c.MustLogin("ann@a.example", password)

	list := c.Get("/portal/")
	if !strings.Contains(list.Body, "POA1") || strings.Contains(list.Body, "POB1") {
		t.Fatalf("list must show POA1 only:\n%s", list.Body)
	}
	if !strings.Contains(list.Body, `class="new"`) {
		t.Errorf("a sent PO must be highlighted as new:\n%s", list.Body)
	}
	for _, path := range []string{"/portal/pos/POB1", "/portal/pos/POB1/csv", "/portal/pos/NOPE/csv", "/portal/pos/POB1/pdf"} {
		if r := c.Get(path); r.Status != http.StatusNotFound || strings.Contains(r.Body, "b-MUG") {
			t.Errorf("GET %s: %d, want 404 without b's data", path, r.Status)
		}
	}
	c.Get("/portal/pos/POA1") // a fresh CSRF token
	for _, action := range []string{"ack", "ship", "invoice"} {
		form := url.Values{"tracking": {"1Z999AA10123456784"}, "carrier": {"ups"}, "invoice_number": {"I1"}, "qty_1": {"1"}}
		if r := c.Post("/portal/pos/POB1/"+action, form); r.Status != http.StatusNotFound {
			t.Errorf("POST %s on b's PO: %d, want 404", action, r.Status)
		}
	}
	if docs, _ := f.submitted(); len(docs) != 0 {
		t.Fatalf("nothing may be submitted for another supplier's PO: %+v", docs)
	}
	csv := c.Get("/portal/pos/POA1/csv")
	if csv.Status != http.StatusOK || !strings.Contains(csv.Body, "POA1,1,a-MUG,MUG,,2,4.00,USD") {
		t.Fatalf("own CSV: %d\n%s", csv.Status, csv.Body)
	}
	if !strings.Contains(csv.Body, `'=HYPERLINK`) {
		t.Errorf("a formula in customer text must be defused:\n%s", csv.Body)
	}
	pdf := c.Get("/portal/pos/POA1/pdf")
	if pdf.Status != http.StatusOK || !strings.HasPrefix(pdf.Body, "%PDF-1.4") || !strings.Contains(pdf.Body, "(Purchase order POA1) Tj") || !strings.Contains(pdf.Body, "a-MUG") {
		t.Fatalf("own PDF: %d\n%.300s", pdf.Status, pdf.Body)
	}
	if r := c.Post("/portal/pos/POA1/ack", url.Values{"line_1": {"accept"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("own ack: %d %s", r.Status, r.Body)
	}
	docs, actors := f.submitted()
	if len(docs) != 1 || docs[0].POAck == nil || docs[0].POAck.Status != "accepted" || actors[0] != "portal:a:ann@a.example" {
		t.Fatalf("submitted %+v by %v", docs, actors)
	}
}

// TestPostWithoutCSRFIsRefused: a POST without the session's token, or
// with another's, changes nothing.
func TestPostWithoutCSRFIsRefused(t *testing.T) {
	f := newFixture(t)
	c := portaltest.New(t, f.srv.URL)
	c.MustLogin("ann@a.example", password)
	for name, token := range map[string][]string{"missing": nil, "empty": {""}, "wrong": {"not-the-token"}} {
		form := url.Values{"line_1": {"accept"}}
		form["csrf"] = token
		if token == nil {
			form["csrf"] = []string{}
		}
		if r := c.Post("/portal/pos/POA1/ack", form); r.Status != http.StatusForbidden {
			t.Errorf("%s token: %d, want 403", name, r.Status)
		}
	}
	if r := c.Upload("/portal/pos/POA1/invoice", url.Values{"csrf": {"nope"}, "invoice_number": {"I1"}}, "i.csv", []byte("line_no,quantity,unit_price\n1,2,4.00\n")); r.Status != http.StatusForbidden {
		t.Errorf("upload with a wrong token: %d, want 403", r.Status)
	}
	// The login form's own double-submit token.
	other := portaltest.New(t, f.srv.URL)
	if r := other.Post("/portal/login", url.Values{"email": {"ann@a.example"}, "password": {password}, "csrf": {"forged"}}); r.Status != http.StatusForbidden {
		t.Errorf("login without the form's token: %d, want 403", r.Status)
	}
	if docs, _ := f.submitted(); len(docs) != 0 {
		t.Fatalf("submitted without CSRF: %+v", docs)
	}
}

// TestLoginRateLimited: after 5 failed logins an account is refused (429)
// even with the right password, from any address; an address that failed
// 5 times is refused for any account; a minute later logins work again.
func TestLoginRateLimited(t *testing.T) {
	f := newFixture(t)
	c := portaltest.New(t, f.srv.URL)
	for i := 0; i < 5; i++ {
		if r := c.Login("ann@a.example", "wrong password"); r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "e=1") {
			t.Fatalf("failed login %d: %d %s", i, r.Status, r.Location)
		}
	}
	if r := c.Login("ann@a.example", password); r.Status != http.StatusTooManyRequests {
		t.Fatalf("6th login: %d, want 429", r.Status)
	}
	if r := c.Login("bob@b.example", password); r.Status != http.StatusTooManyRequests {
		t.Fatalf("another account from the same address: %d, want 429", r.Status)
	}
	f.advance(time.Minute)
	c.MustLogin("ann@a.example", password)
}

// TestLoginRateLimitedPerAccount: failures spread over addresses still
// lock the account they target.
func TestLoginRateLimitedPerAccount(t *testing.T) {
	f := newFixture(t)
	var h http.Handler = f.srv.Config.Handler
	for i := 0; i < 5; i++ {
		rec := loginFrom(t, h, "10.0.0."+string(rune('1'+i)), "bob@b.example", "nope")
		if rec != http.StatusSeeOther {
			t.Fatalf("failed login %d: %d", i, rec)
		}
	}
	if got := loginFrom(t, h, "10.0.9.9", "bob@b.example", password); got != http.StatusTooManyRequests {
		t.Fatalf("login from a fresh address to a locked account: %d, want 429", got)
	}
	if got := loginFrom(t, h, "10.0.9.9", "ann@a.example", password); got != http.StatusSeeOther {
		t.Fatalf("another account from that address: %d, want 303", got)
	}
}

// TestBadTrackingNumberRefused: a tracking number whose check digit is
// wrong is refused with a message saying so; nothing is submitted. A
// right one becomes a ship notice for every unit due.
func TestBadTrackingNumberRefused(t *testing.T) {
	f := newFixture(t)
	c := portaltest.New(t, f.srv.URL)
	c.MustLogin("ann@a.example", password)
	c.Get("/portal/pos/POA1")
	r := c.Post("/portal/pos/POA1/ship", url.Values{"carrier": {"ups"}, "tracking": {"1Z999AA10123456785"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "1Z999AA10123456785 is not a valid ups tracking number: its check digit is wrong") {
		t.Fatalf("bad check digit: %d\n%s", r.Status, r.Body)
	}
	r = c.Post("/portal/pos/POA1/ship", url.Values{"carrier": {""}, "tracking": {"hello"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "HELLO is not a tracking number of any carrier we know") {
		t.Fatalf("garbage number: %d\n%s", r.Status, r.Body)
	}
	if docs, _ := f.submitted(); len(docs) != 0 {
		t.Fatalf("a refused shipment was submitted: %+v", docs)
	}
	r = c.Post("/portal/pos/POA1/ship", url.Values{"carrier": {"UPS"}, "tracking": {"1z 999 aa1 0123 4567 84"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("good number: %d\n%s", r.Status, r.Body)
	}
	docs, _ := f.submitted()
	sn := docs[0].ShipNotice
	if sn == nil || sn.Carrier != "ups" || sn.Packages[0].TrackingNumber != "1Z999AA10123456784" || sn.Packages[0].Lines[0].Quantity != 2 {
		t.Fatalf("ship notice %+v", sn)
	}
}

// TestInvoiceUpload: a CSV invoice becomes an invoice document with its
// total; a file over the limit or with a bad row is refused.
func TestInvoiceUpload(t *testing.T) {
	f := newFixture(t)
	c := portaltest.New(t, f.srv.URL)
	c.MustLogin("ann@a.example", password)
	c.Get("/portal/pos/POA1")
	bad := c.Upload("/portal/pos/POA1/invoice", url.Values{"invoice_number": {"INV-9"}}, "i.csv", []byte("line_no,quantity,unit_price\n7,2,4.00\n"))
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "Row 2: Line 7 is not a line of POA1") {
		t.Fatalf("bad row: %d\n%s", bad.Status, bad.Body)
	}
	big := c.Upload("/portal/pos/POA1/invoice", url.Values{"invoice_number": {"INV-9"}}, "i.csv", []byte(strings.Repeat("x", 300<<10)))
	if big.Status == http.StatusSeeOther {
		t.Fatalf("an oversized file was accepted")
	}
	c.Get("/portal/pos/POA1")
	ok := c.Upload("/portal/pos/POA1/invoice", url.Values{"invoice_number": {"INV-9"}}, "i.csv", []byte("line_no,quantity,unit_price\n1,2,3.50\n"))
	if ok.Status != http.StatusSeeOther {
		t.Fatalf("good invoice: %d\n%s", ok.Status, ok.Body)
	}
	docs, _ := f.submitted()
	if len(docs) != 1 || docs[0].Invoice == nil || docs[0].Invoice.Total.String() != "7.00 USD" || docs[0].Invoice.Number != "INV-9" {
		t.Fatalf("invoice %+v", docs)
	}
}

// TestSupplierSeesItsOwnScorecard: the portal's scorecard page is the
// logged-in supplier's, whatever the request asks for.
func TestSupplierSeesItsOwnScorecard(t *testing.T) {
	f := newFixture(t)
	c := portaltest.New(t, f.srv.URL)
	c.MustLogin("ann@a.example", password)
	for _, path := range []string{"/portal/scorecard", "/portal/scorecard?supplier=b"} {
		r := c.Get(path)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "Your scorecard") || !strings.Contains(r.Body, "50.0% (2/4)") {
			t.Fatalf("GET %s: %d\n%s", path, r.Status, r.Body)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if strings.Join(f.cards, ",") != "a,a" {
		t.Fatalf("scorecards asked for %v; want only a's", f.cards)
	}
}
