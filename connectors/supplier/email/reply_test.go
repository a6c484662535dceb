package email

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/model"
)

const poA, poB = "POL92AYZ2Y16", "PO7K3M9QX2AB"

func parseWith(t *testing.T, cfg Replies, raw []byte) parseResult {
	t.Helper()
	r, err := compileReplies(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r.parse("acme", "reply.eml", raw)
}

func notice(t *testing.T, p parseResult) *model.ShipNotice {
	t.Helper()
	if len(p.Docs) != 1 || p.Docs[0].ShipNotice == nil || len(p.Rejected) != 0 {
		t.Fatalf("want one ship notice, got docs %+v rejected %+v", p.Docs, p.Rejected)
	}
	return p.Docs[0].ShipNotice
}

func numbers(sn *model.ShipNotice) string {
	var out []string
	for _, p := range sn.Packages {
		out = append(out, p.Carrier+":"+p.TrackingNumber)
	}
	return strings.Join(out, ",")
}

func rejectedReason(t *testing.T, p parseResult) string {
	t.Helper()
	if len(p.Rejected) != 1 || len(p.Rejected[0].Errors) == 0 {
		t.Fatalf("want one rejected document, got docs %+v rejected %+v", p.Docs, p.Rejected)
	}
	return strings.Join(p.Rejected[0].Errors, "; ")
}

func TestParseShipNotices(t *testing.T) {
	cases := []struct {
		name  string
		cfg   Replies
		raw   []byte
		check func(t *testing.T, p parseResult)
	}{{
		name: "plain text, carrier named, no items: the whole PO",
		raw:  reply("Subject: Re: Purchase order "+poA, "Hello,\nyour order shipped via UPS.\nTracking: "+ups1+"\n"),
		check: func(t *testing.T, p parseResult) {
			sn := notice(t, p)
			if sn.PONumber != poA || !sn.WholePO || numbers(sn) != "ups:"+ups1 || sn.Carrier != "ups" || p.Docs[0].ID != "email:r1@acme.example" {
				t.Errorf("notice %+v id %s", sn, p.Docs[0].ID)
			}
			if sn.ShippedAt.Format("2006-01-02T15:04") != "2026-03-04T15:04" {
				t.Errorf("shipped at %v", sn.ShippedAt)
			}
		},
	}, {
		name: "number printed in groups, PO only in References",
		raw:  reply("Subject: Re: your order\nReferences: <x@y> <"+poA+"@dropgate.shop.example>", "Sent: 1Z 999 AA1 01 2345 678 4\n"),
		check: func(t *testing.T, p parseResult) {
			if sn := notice(t, p); sn.PONumber != poA || numbers(sn) != "ups:"+ups1 {
				t.Errorf("notice %+v", sn)
			}
		},
	}, {
		name: "items listed SKU x QTY go with the first parcel",
		raw:  reply("Subject: "+poA, "Shipped:\nACME-MUG-01 x 2\n- ACME-TEE-M x 1\n\nTracking "+ups1+" and "+ups2+"\n"),
		check: func(t *testing.T, p parseResult) {
			sn := notice(t, p)
			if sn.WholePO || len(sn.Packages) != 2 || len(sn.Packages[1].Lines) != 0 {
				t.Fatalf("notice %+v", sn)
			}
			l := sn.Packages[0].Lines
			if len(l) != 2 || l[0].SupplierSKU != "ACME-MUG-01" || l[0].Quantity != 2 || l[1].SupplierSKU != "ACME-TEE-M" || l[1].Quantity != 1 {
				t.Errorf("lines %+v", l)
			}
		},
	}, {
		name: "configured pattern with a carrier group",
		cfg:  Replies{Tracking: []string{`(?i)waybill[: ]+(?P<number>[0-9A-Z]+) \((?P<carrier>[^)]+)\)`}},
		raw:  reply("Subject: "+poA, "Waybill: "+ups2+" (United Parcel Service)\n"),
		check: func(t *testing.T, p parseResult) {
			if sn := notice(t, p); numbers(sn) != "ups:"+ups2 {
				t.Errorf("notice %+v", sn)
			}
		},
	}, {
		name: "configured pattern, carrier dropgate has no rules for: kept as written",
		cfg:  Replies{Tracking: []string{`Consignment:\s*(?P<number>\S+)`}, CarrierNames: map[string]string{"Speedy Parcel": "speedy"}},
		raw:  reply("Subject: "+poA, "Carrier: Speedy Parcel\nConsignment: SP-0042-7781\n"),
		check: func(t *testing.T, p parseResult) {
			if sn := notice(t, p); numbers(sn) != "speedy:SP00427781" {
				t.Errorf("notice %+v", sn)
			}
		},
	}, {
		name: "a pattern's number with a wrong check digit is rejected, not applied",
		cfg:  Replies{Tracking: []string{`Tracking(?: number)?:\s*(?P<number>\S+)`}},
		raw:  reply("Subject: "+poA, "Shipped via UPS.\nTracking number: "+upsBad+"\n"),
		check: func(t *testing.T, p parseResult) {
			if r := rejectedReason(t, p); !strings.Contains(r, upsBad) || !strings.Contains(r, "check digit") || len(p.Docs) != 0 {
				t.Errorf("reason %q docs %+v", r, p.Docs)
			}
		},
	}, {
		name: "HTML only, with a table and a Gmail quote",
		raw: reply("Subject: Re: Purchase order "+poA+"\nContent-Type: text/html; charset=utf-8",
			`<html><head><style>p{color:red}</style></head><body><p>Shipped&nbsp;today.</p><table><tr><td>Tracking</td><td>`+ups3+`</td></tr></table>`+
				`<div class="gmail_quote">On Mon, Shop wrote:<blockquote>Old tracking `+ups1+`</blockquote></div></body></html>`),
		check: func(t *testing.T, p parseResult) {
			if sn := notice(t, p); numbers(sn) != "ups:"+ups3 {
				t.Errorf("notice %+v", sn)
			}
		},
	}, {
		name: "quoted text is not read: > lines, On … wrote:, Outlook header block",
		raw: reply("Subject: RE: Purchase order "+poA,
			"The replacement went out: "+ups2+"\n\n> earlier: "+ups3+"\n\nOn Tue, 3 Mar 2026 at 10:00, Shop Orders\n<orders@shop.example> wrote:\nTracking "+ups1+"\n"),
		check: func(t *testing.T, p parseResult) {
			if sn := notice(t, p); numbers(sn) != "ups:"+ups2 {
				t.Errorf("notice %+v", sn)
			}
		},
	}, {
		name: "Outlook reply without > quoting",
		raw: reply("Subject: RE: Purchase order "+poA,
			"Tracking: "+ups2+"\n\n________________________________\nFrom: Shop Orders <orders@shop.example>\nSent: Tuesday, March 3, 2026 10:00\nSubject: "+poA+"\n\nprevious tracking "+ups1+"\n"),
		check: func(t *testing.T, p parseResult) {
			if sn := notice(t, p); numbers(sn) != "ups:"+ups2 {
				t.Errorf("notice %+v", sn)
			}
		},
	}, {
		name: "a forwarded carrier notice is read",
		raw: reply("Subject: Fwd: UPS Ship Notification "+poA,
			"FYI\n\n---------- Forwarded message ---------\nFrom: UPS <pkginfo@ups.com>\nDate: Wed, Mar 4, 2026\n\nTracking Number: "+ups1+"\n"),
		check: func(t *testing.T, p parseResult) {
			if sn := notice(t, p); numbers(sn) != "ups:"+ups1 {
				t.Errorf("notice %+v", sn)
			}
		},
	}, {
		name: "an out-of-stock item beside tracking: acknowledgement first, then the notice",
		raw:  reply("Subject: "+poA, "ACME-TEE-M is out of stock, sorry.\nThe mug shipped: "+ups1+"\n"),
		check: func(t *testing.T, p parseResult) {
			if len(p.Docs) != 2 || p.Docs[0].POAck == nil || p.Docs[1].ShipNotice == nil || p.Docs[0].ID != "email:r1@acme.example:ack" {
				t.Fatalf("docs %+v", p.Docs)
			}
			a := p.Docs[0].POAck
			if a.Status != ackWithChanges || len(a.Lines) != 1 || a.Lines[0].SupplierSKU != "ACME-TEE-M" || a.Lines[0].Status != model.AckRejected {
				t.Errorf("ack %+v", a)
			}
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, parseWith(t, tc.cfg, tc.raw)) })
	}
}

// csvReply is a reply with a CSV attachment.
func csvReply(subject, body, csvText string) []byte {
	enc := base64.StdEncoding.EncodeToString([]byte(csvText))
	return reply("Subject: "+subject+"\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX",
		"--XX\nContent-Type: text/plain\n\n"+body+"\n--XX\nContent-Type: application/octet-stream; name=\"shipped.csv\"\n"+
			"Content-Disposition: attachment; filename=\"shipped.csv\"\nContent-Transfer-Encoding: base64\n\n"+enc+"\n--XX--\n")
}

func TestParseCSV(t *testing.T) {
	t.Run("two packages with items", func(t *testing.T) {
		p := parseWith(t, Replies{}, csvReply("Re: "+poA, "See attached.",
			"\ufeffItem;Qty Shipped;Tracking #;Ship Via\nACME-MUG-01;2;"+ups1+";UPS\nACME-TEE-M;1;"+ups2+";UPS Ground\n;;;\n"))
		sn := notice(t, p)
		if sn.WholePO || numbers(sn) != "ups:"+ups1+",ups:"+ups2 || sn.Carrier != "ups" {
			t.Fatalf("notice %+v", sn)
		}
		if l := sn.Packages[0].Lines; len(l) != 1 || l[0].SupplierSKU != "ACME-MUG-01" || l[0].Quantity != 2 {
			t.Errorf("first package %+v", l)
		}
		if l := sn.Packages[1].Lines; len(l) != 1 || l[0].SupplierSKU != "ACME-TEE-M" || l[0].Quantity != 1 {
			t.Errorf("second package %+v", l)
		}
	})
	t.Run("one file for two POs, continuation rows, a bad row", func(t *testing.T) {
		p := parseWith(t, Replies{CSV: CSVColumns{PO: "Order Ref"}}, csvReply("Shipments today", "Attached.",
			"order ref,sku,qty,tracking\n"+poA+",A-1,1,"+ups1+"\n"+poA+",A-2,2,\n"+poB+",B-1,1,"+ups2+"\n"+poB+",B-2,x,"+ups3+"\n"))
		if len(p.Docs) != 2 {
			t.Fatalf("docs %+v", p.Docs)
		}
		a, b := p.Docs[0], p.Docs[1]
		if a.ID != "email:r1@acme.example:"+poA || a.PONumber != poA || b.PONumber != poB {
			t.Errorf("ids %s %s", a.ID, b.ID)
		}
		if l := a.ShipNotice.Packages[0].Lines; len(l) != 2 || l[1].SupplierSKU != "A-2" || l[1].Quantity != 2 {
			t.Errorf("continuation row: %+v", l)
		}
		if r := rejectedReason(t, p); !strings.Contains(r, "shipped.csv: row 5") || !strings.Contains(r, `quantity "x"`) || p.Rejected[0].ID != "email:r1@acme.example:rejected" {
			t.Errorf("rejected %+v", p.Rejected)
		}
	})
	t.Run("a CSV without tracking (our own PO sent back) is not a shipment", func(t *testing.T) {
		po, _ := testPO()
		b, _ := renderCSV(po)
		p := parseWith(t, Replies{}, csvReply("Re: "+po.Number, "Confirmed, will ship Friday.", string(b)))
		if len(p.Docs) != 1 || p.Docs[0].POAck == nil || p.Docs[0].POAck.Status != ackAccepted {
			t.Errorf("docs %+v rejected %+v", p.Docs, p.Rejected)
		}
	})
}

func TestParseAcknowledgements(t *testing.T) {
	cases := []struct {
		name, headers, body string
		status, cancel      string
		lines               int
	}{
		{"confirmed", "Subject: Re: " + poA, "Order confirmed, ships tomorrow.", ackAccepted, "", 0},
		{"refused as a whole", "Subject: Re: " + poA, "Sorry, this is out of stock.", ackRejected, "", 0},
		{"one item refused", "Subject: Re: " + poA, "Item ACME-TEE-M is discontinued.\nThe rest will ship.", ackWithChanges, "", 1},
		{"cancellation agreed", "Subject: Re: CANCEL purchase order " + poA, "Done, cancelled.", ackAccepted, ackAccepted, 0},
		{"cancellation refused", "Subject: Re: anything\nIn-Reply-To: <" + poA + ".cancel@dropgate.shop.example>", "Too late, it has already shipped.", ackRejected, ackRejected, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := parseWith(t, Replies{}, reply(tc.headers, tc.body))
			if len(p.Docs) != 1 || p.Docs[0].POAck == nil || len(p.Rejected) != 0 {
				t.Fatalf("docs %+v rejected %+v", p.Docs, p.Rejected)
			}
			a := p.Docs[0].POAck
			if a.PONumber != poA || a.Supplier != "acme" || a.Status != tc.status || a.CancelResponse != tc.cancel || len(a.Lines) != tc.lines || a.Reason == "" {
				t.Errorf("ack %+v", a)
			}
		})
	}
	// Configured patterns replace the defaults.
	p := parseWith(t, Replies{Confirmed: []string{`(?i)\bin Bearbeitung\b`}}, reply("Subject: "+poA, "Auftrag in Bearbeitung."))
	if len(p.Docs) != 1 || p.Docs[0].POAck.Status != ackAccepted {
		t.Errorf("configured confirmation: %+v %+v", p.Docs, p.Rejected)
	}
}

func TestParseRejected(t *testing.T) {
	cases := []struct {
		name string
		raw  []byte
		want string
	}{
		{"no PO number", reply("Subject: hello", "Tracking "+ups1), "no purchase order number"},
		{"two POs", reply("Subject: "+poA+" and "+poB, "shipped "+ups1), "several purchase orders (" + poB + ", " + poA + ")"},
		{"nothing recognised", reply("Subject: Re: "+poA, "Call me about this one."), "found no tracking number"},
		{"bounce", []byte(crlf("From: MAILER-DAEMON@shop.example\nSubject: Undelivered Mail\nMessage-ID: <b1@x>\nContent-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\nContent-Type: text/plain\n\nDelivery failed.\n--B\nContent-Type: message/delivery-status\n\nStatus: 5.1.1\n--B\nContent-Type: text/rfc822-headers\n\nX-Dropgate-PO: " + poA + "\nSubject: Purchase order " + poA + "\n--B--\n")), "delivery failure notice"},
		{"out of office", reply("Subject: Automatic reply: Purchase order "+poA+"\nAuto-Submitted: auto-replied", "I am away until Monday."), "automatic reply"},
		{"not an e-mail", []byte("\x00\x01\x02 garbage"), "reply.eml"},
		{"tracking only in the quote", reply("Subject: Re: "+poA, "See below.\n> Tracking "+ups1), "found no tracking number"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := parseWith(t, Replies{}, tc.raw)
			if r := rejectedReason(t, p); !strings.Contains(r, tc.want) || len(p.Docs) != 0 {
				t.Errorf("reason %q, want %q (docs %+v)", r, tc.want, p.Docs)
			}
			if p.Rejected[0].Type != docType || !strings.HasPrefix(p.Rejected[0].ID, "email:") {
				t.Errorf("rejected doc %+v", p.Rejected[0])
			}
		})
	}
	// The bounce names the PO found in the returned headers.
	p := parseWith(t, Replies{}, cases[3].raw)
	if !strings.Contains(p.Rejected[0].Errors[0], poA) {
		t.Errorf("bounce reason lacks the PO: %q", p.Rejected[0].Errors[0])
	}
}

func TestParseIgnoresOurOwnMessage(t *testing.T) {
	cfg := baseConfig()
	cfg.Transport, cfg.File.Outbox = transportFile, t.TempDir()
	c := mustNew(t, cfg)
	po, order := testPO()
	raw, _, err := c.Render(po, order, false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.ParseDocuments(t.Context(), "own.eml", raw)
	if err != nil || len(got.Docs) != 0 || len(got.Rejected) != 0 {
		t.Errorf("own message: %+v %v", got, err)
	}
}

// The lowered PO number of an all-lowercase reply is found; words of PO
// shape are not.
func TestPONumbersIn(t *testing.T) {
	got := poNumbersIn("re: " + strings.ToLower(poA) + " polysyllable POLYSYLLABLE " + poB + ", Purchase order POABCDEFGHJK, PO# POZZZZZZZZZZ")
	if strings.Join(got, ",") != poA+","+poB+",POABCDEFGHJK,POZZZZZZZZZZ" {
		t.Errorf("got %v", got)
	}
}

func TestStripQuotes(t *testing.T) {
	in := "Thanks!\nShipped.\n\nAm 03.03.2026 um 10:00 schrieb Shop Orders <orders@shop.example>:\n> Bitte liefern\n"
	if got := stripQuotes(in); got != "Thanks!\nShipped." {
		t.Errorf("got %q", got)
	}
	sig := "Shipped 1Z.\n-- \nAcme Ltd, call 555-0100"
	if got := stripQuotes(sig); got != "Shipped 1Z." {
		t.Errorf("signature: got %q", got)
	}
	// "From:" in the supplier's own words is not a header block.
	own := "From: our Dallas warehouse\nTracking follows."
	if got := stripQuotes(own); got != own {
		t.Errorf("own From: %q", got)
	}
}

func TestHTMLToText(t *testing.T) {
	got := htmlToText(`<div>Line&nbsp;one<br>line <b>two</b></div><script>var x="1Z";</script><table><tr><td>a</td><td>b</td></tr></table><blockquote>old</blockquote>`, false)
	if got != "Line one\nline two\n\na\tb" {
		t.Errorf("got %q", got)
	}
	if got := htmlToText(`<p>new</p><div id="appendonsend"></div><p>old</p>`, false); got != "new" {
		t.Errorf("outlook: %q", got)
	}
	if got := htmlToText(`<p>new</p><blockquote>old</blockquote>`, true); got != "new\nold" {
		t.Errorf("quoted kept: %q", got)
	}
}
