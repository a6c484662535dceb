package email

import (
	"strings"
	"testing"
)

// FuzzParseReply feeds arbitrary bytes to the reply parser: it must never
// panic, and every input must be accounted for (documents, a rejection,
// or our own message recognised).
//
//	go test -run '^$' -fuzz FuzzParseReply ./connectors/supplier/email/
func FuzzParseReply(f *testing.F) {
	seeds := [][]byte{
		reply("Subject: Re: Purchase order "+poA, "Shipped via UPS, tracking "+ups1),
		reply("Subject: "+poA+"\nContent-Type: text/html", "<p>Tracking <b>"+ups2+"</b></p><blockquote>"+ups1+"</blockquote>"),
		csvReply("Re: "+poA, "attached", "sku,qty,tracking,carrier\nA-1,2,"+ups1+",UPS\nA-2,1,,\n"),
		reply("Subject: Re: CANCEL purchase order "+poA, "already shipped"),
		rmaReply("approved, RMA number is RMA-58213"),
		reply("Subject: "+poA, "ACME-MUG-01 x 2\nACME-TEE-M is out of stock\nOn Mon, X wrote:\n> old"),
		[]byte("Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n"),
		[]byte("Subject: =?utf-8?B?////?=\r\nReferences: <<<>>>\r\n\r\n"),
		{},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	r, err := compileReplies(Replies{Tracking: []string{`(?i)tracking[: ]+(?P<number>\S+)`}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := r.parse("acme", "fuzz.eml", data)
		if len(p.Docs) == 0 && len(p.Rejected) == 0 && p.ignored == "" {
			t.Fatalf("input produced nothing and no rejection")
		}
		for _, d := range p.Docs {
			if d.ID == "" || !strings.HasPrefix(d.ID, "email:") || d.PONumber == "" {
				t.Fatalf("bad document %+v", d)
			}
			if d.ShipNotice != nil && len(d.ShipNotice.Packages) == 0 {
				t.Fatalf("ship notice without packages: %+v", d.ShipNotice)
			}
		}
		for _, rj := range p.Rejected {
			if len(rj.Errors) == 0 || rj.ID == "" {
				t.Fatalf("rejection without a reason: %+v", rj)
			}
		}
	})
}
