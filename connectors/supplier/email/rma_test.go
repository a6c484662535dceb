package email

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
)

// A return request is an e-mail threaded under the PO's, naming the
// return and the supplier's SKUs, with a Message-ID of its own that a
// retry repeats.
func TestRequestReturnEmail(t *testing.T) {
	dir := t.TempDir()
	cfg := baseConfig()
	cfg.Transport = transportFile
	cfg.File = File{Outbox: dir}
	c := mustNew(t, cfg)
	po, order := testPO()
	rq, ok := connector.As[connector.ReturnRequester](c)
	if !ok {
		t.Fatal("the e-mail supplier does not offer return requests")
	}
	r := &model.Return{ID: "ret_1", PONumber: po.Number, Reason: "arrived broken",
		Lines: []model.ReturnLine{{SKU: po.Lines[0].SKU, SupplierSKU: po.Lines[0].SupplierSKU, Quantity: 1}}}
	sent, err := rq.RequestReturn(context.Background(), r, po, order)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "ret_1.rma.eml"))
	if err != nil {
		t.Fatal(err)
	}
	h, parts := readParts(t, b)
	if h.Get("Message-Id") != sent.Document || !strings.Contains(sent.Document, "ret_1.rma@") {
		t.Fatalf("Message-ID %q, sent %q", h.Get("Message-Id"), sent.Document)
	}
	if h.Get("X-Dropgate-Kind") != "return-request" || !strings.Contains(h.Get("In-Reply-To"), po.Number+"@") {
		t.Fatalf("headers: kind %q, in-reply-to %q", h.Get("X-Dropgate-Kind"), h.Get("In-Reply-To"))
	}
	body := string(parts[0].Body)
	if !strings.Contains(body, po.Lines[0].SupplierSKU+" x 1") || !strings.Contains(body, "arrived broken") || !strings.Contains(h.Get("Subject"), "ret_1") {
		t.Fatalf("subject %q body:\n%s", h.Get("Subject"), body)
	}
	again, err := rq.RequestReturn(context.Background(), r, po, order)
	if err != nil || again.Document != sent.Document {
		t.Fatalf("retry: %q, %v", again.Document, err)
	}
}
