package connectortest

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"reflect"
	"slices"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// DocumentsHarness is what RunDocuments needs of a supplier connector
// that reads documents from an inbox (a directory, an SFTP folder, an
// IMAP folder).
type DocumentsHarness struct {
	Setup func(r *Rig) DocumentsFixture
}

// DocumentsFixture is a connector with an inbox the test can drop files
// into.
type DocumentsFixture struct {
	Connector connector.Connector
	// Deliver puts a file in the inbox as the supplier would.
	Deliver func(name string, data []byte)
	// Samples are files the supplier sends, with what they hold.
	Samples []DocumentSample
}

// DocumentSample is an inbound file and the documents it holds, in order.
type DocumentSample struct {
	Name string
	Data []byte
	Want []WantDoc
}

// DocKind is which canonical document an InboundDoc carries.
type DocKind string

// Document kinds.
const (
	DocAck        DocKind = "ack"        // POAck (855, ORDRSP, a reply)
	DocShipNotice DocKind = "ship"       // ShipNotice (856, DESADV)
	DocInvoice    DocKind = "invoice"    // Invoice (810, INVOIC)
	DocInventory  DocKind = "inventory"  // Inventory levels (846, INVRPT)
	DocFuncAck    DocKind = "functional" // FunctionalAck (997, 999, CONTRL)
)

// WantDoc is one document a sample must yield; Check, when set, looks at
// every value the harness knows.
type WantDoc struct {
	Kind     DocKind
	PONumber string
	Check    func(t T, d connector.InboundDoc)
}

// kindOf says which document d carries; "" when none or several.
func kindOf(d connector.InboundDoc) DocKind {
	var kinds []DocKind
	if d.POAck != nil {
		kinds = append(kinds, DocAck)
	}
	if d.ShipNotice != nil {
		kinds = append(kinds, DocShipNotice)
	}
	if d.Invoice != nil {
		kinds = append(kinds, DocInvoice)
	}
	if len(d.Inventory) > 0 {
		kinds = append(kinds, DocInventory)
	}
	if d.FuncAck != nil {
		kinds = append(kinds, DocFuncAck)
	}
	if len(kinds) != 1 {
		return ""
	}
	return kinds[0]
}

// RunDocuments runs the read-supplier-documents suite.
func RunDocuments(t *testing.T, h DocumentsHarness) { runDocuments(std{t}, h) }

func runDocuments(t T, h DocumentsHarness) {
	t.Helper()
	start := func(t T) (DocumentsFixture, connector.Inbox, connector.DocumentParser) {
		t.Helper()
		fx := h.Setup(NewRig(t, store.Limit{}))
		if fx.Deliver == nil || len(fx.Samples) == 0 {
			t.Fatalf("documents harness: Deliver and Samples are needed")
		}
		return fx, capability[connector.Inbox](t, fx.Connector), capability[connector.DocumentParser](t, fx.Connector)
	}
	fx, _, _ := start(t)
	for _, s := range fx.Samples {
		t.Run(s.Name, func(t T) {
			fx, in, p := start(t)
			readSample(t, fx, in, p, s)
		})
	}
	t.Run("garbage", func(t T) {
		fx, _, p := start(t)
		garbage(t, p, fx.Samples)
	})
}

func readSample(t T, fx DocumentsFixture, in connector.Inbox, p connector.DocumentParser, s DocumentSample) {
	ctx := context.Background()
	fx.Deliver(s.Name, s.Data)
	files, err := in.ListInbox(ctx)
	if err != nil {
		t.Fatalf("list inbox: %v", err)
	}
	var f *connector.InboxFile
	for i := range files {
		if files[i].Name == s.Name {
			f = &files[i]
		}
	}
	if f == nil {
		t.Fatalf("the inbox lists %+v, not %s", files, s.Name)
	}
	if f.Size != int64(len(s.Data)) {
		t.Errorf("%s listed with size %d, it has %d bytes", s.Name, f.Size, len(s.Data))
	}
	data, err := in.ReadInbox(ctx, s.Name)
	if err != nil || !bytes.Equal(data, s.Data) {
		t.Fatalf("read %s: %d bytes, %v; want the %d bytes delivered", s.Name, len(data), err, len(s.Data))
	}
	parsed := parse(t, p, s.Name, data)
	checkDocs(t, s, parsed)
	// Parsing the same file again (a retried job, a resent file) gives
	// the same documents with the same ids: the core deduplicates on them.
	if again := parse(t, p, s.Name, bytes.Clone(data)); !reflect.DeepEqual(parsed.Docs, again.Docs) {
		for _, d := range diff(parsed.Docs, again.Docs) {
			t.Errorf("%s parsed twice differs: %s", s.Name, d)
		}
	}
	if err := in.ArchiveInbox(ctx, s.Name); err != nil {
		t.Fatalf("archive %s: %v", s.Name, err)
	}
	files, err = in.ListInbox(ctx)
	if err != nil {
		t.Fatalf("list inbox: %v", err)
	}
	for _, f := range files {
		if f.Name == s.Name {
			t.Errorf("%s is still listed after it was archived", s.Name)
		}
	}
	if _, err := in.ReadInbox(ctx, s.Name); !errors.Is(err, connector.ErrGone) {
		t.Errorf("reading %s after it was archived: %v; want connector.ErrGone (another replica took it)", s.Name, err)
	}
	if err := in.ArchiveInbox(ctx, s.Name); err != nil && !errors.Is(err, connector.ErrGone) {
		t.Errorf("archiving %s twice: %v; want nil or connector.ErrGone", s.Name, err)
	}
}

func parse(t T, p connector.DocumentParser, name string, data []byte) *connector.Parsed {
	t.Helper()
	var parsed *connector.Parsed
	var err error
	if safely(t, "ParseDocuments", func() { parsed, err = p.ParseDocuments(context.Background(), name, data) }) {
		t.Fatalf("cannot go on after a panic")
	}
	if err != nil || parsed == nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return parsed
}

func checkDocs(t T, s DocumentSample, parsed *connector.Parsed) {
	t.Helper()
	if len(parsed.Docs) != len(s.Want) {
		t.Fatalf("%s: %d documents, want %d (rejected: %+v)", s.Name, len(parsed.Docs), len(s.Want), parsed.Rejected)
	}
	ids := map[string]bool{}
	for i, w := range s.Want {
		d := parsed.Docs[i]
		if d.ID == "" || ids[d.ID] {
			t.Errorf("%s: document %d has id %q: each needs its own, stable id", s.Name, i, d.ID)
		}
		ids[d.ID] = true
		if k := kindOf(d); k != w.Kind || d.PONumber != w.PONumber {
			t.Errorf("%s: document %d is a %q for PO %q; want a %q for %q", s.Name, i, k, d.PONumber, w.Kind, w.PONumber)
		}
		if w.Check != nil {
			w.Check(t, d)
		}
	}
}

// garbage: what a partner's broken software sends never panics, and
// never yields a document without an id.
func garbage(t T, p connector.DocumentParser, samples []DocumentSample) {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 2048)
	for i := range noise {
		noise[i] = byte(rng.UintN(256))
	}
	cases := map[string][]byte{"empty": nil, "noise": noise, "text": []byte("Thanks for your order!\r\n")}
	for _, s := range samples {
		cases[s.Name+" cut in half"] = s.Data[:len(s.Data)/2]
		cases[s.Name+" without its last byte"] = s.Data[:len(s.Data)-1]
	}
	for name, data := range cases {
		var parsed *connector.Parsed
		var err error
		safely(t, "ParseDocuments("+name+")", func() { parsed, err = p.ParseDocuments(context.Background(), "broken.dat", data) })
		if err != nil {
			if err.Error() == "" {
				t.Errorf("%s: an error without a message", name)
			}
			continue
		}
		if parsed == nil {
			t.Errorf("%s: no error and no result", name)
			continue
		}
		for _, d := range parsed.Docs {
			if d.ID == "" {
				t.Errorf("%s: a document without an id", name)
			}
		}
	}
}

// StatusPollHarness is what RunStatusPoll needs of a supplier whose API
// answers for its orders' status.
type StatusPollHarness struct {
	Limit store.Limit
	Setup func(r *Rig) StatusPollFixture
}

// StatusPollFixture is a connector on a supplier API with open orders.
type StatusPollFixture struct {
	Platform
	// Open returns a fresh purchase order the supplier has (sent through
	// the connector), as the engine passes it to the poll.
	Open func(i int) *model.PurchaseOrder
	// Ship makes the supplier ship it, so the next poll has news.
	Ship func(po *model.PurchaseOrder)
}

// RunStatusPoll runs the status-poll suite: the poll names its POs, its
// document ids are stable across polls, a shipment is news, a poll cut
// short by a 429 resumes once the wait is over; and the HTTP cases (429,
// 4xx, the limiter, contexts) on the status request. Between polls the
// clock moves by the connector's declared interval (Caps.PollEvery).
func RunStatusPoll(t *testing.T, h StatusPollHarness) { runStatusPoll(std{t}, h) }

func runStatusPoll(t T, h StatusPollHarness) {
	t.Helper()
	start := func(t T) (*Rig, StatusPollFixture, connector.StatusPoller, func(...*model.PurchaseOrder) []connector.InboundDoc) {
		r := NewRig(t, h.Limit)
		fx := h.Setup(r)
		p := capability[connector.StatusPoller](t, fx.Connector)
		every := connector.CapsOf(fx.Connector).PollEvery
		poll := func(pos ...*model.PurchaseOrder) []connector.InboundDoc {
			t.Helper()
			var docs []connector.InboundDoc
			var err error
			safely(t, "PollStatus", func() { docs, err = p.PollStatus(context.Background(), pos) })
			if err != nil {
				t.Fatalf("poll: %v", err)
			}
			r.Clock.Advance(every)
			return docs
		}
		return r, fx, p, poll
	}
	t.Run("news", func(t T) {
		_, fx, _, poll := start(t)
		po := fx.Open(1)
		first := poll(po)
		for _, d := range first {
			if d.ID == "" || d.PONumber != po.Number {
				t.Errorf("poll: document %+v; want an id and PO %s", d, po.Number)
			}
		}
		if again := poll(po); !reflect.DeepEqual(ids(first), ids(again)) {
			t.Errorf("two polls with nothing new give ids %v then %v: the core would apply the same news twice", ids(first), ids(again))
		}
		fx.Ship(po)
		if !slices.ContainsFunc(poll(po), func(d connector.InboundDoc) bool { return d.ShipNotice != nil && d.PONumber == po.Number }) {
			t.Errorf("after the supplier shipped, the poll has no ship notice")
		}
	})
	t.Run("resumes after a 429", func(t T) {
		r, fx, p, poll := start(t)
		po := fx.Open(2)
		poll(po)
		fx.Ship(po)
		fx.Fake.Inject(fx.Write.fault(kit.Fault{Status: 429, Header: http.Header{"Retry-After": {"30"}}, Times: 1}))
		_, err := p.PollStatus(context.Background(), []*model.PurchaseOrder{po})
		class, notBefore := fault.Classify(err)
		if err == nil || class == fault.ClassPermanent {
			t.Fatalf("a poll answered 429: %v; want a retryable error", err)
		}
		if notBefore.After(r.Clock.Now()) {
			r.Clock.Set(notBefore)
		}
		mark := fx.Fake.LastSeq()
		docs := poll(po)
		if writes(fx.Fake.Since(mark), fx.Write) == 0 {
			t.Errorf("the retry of a poll cut short by a 429 asked nothing: the PO waits a whole round")
		}
		if !slices.ContainsFunc(docs, func(d connector.InboundDoc) bool { return d.ShipNotice != nil }) {
			t.Errorf("the retry after a 429 does not bring the shipment")
		}
	})
	t.Run("http", func(t T) {
		runOutbound(t, outbound{limit: h.Limit, setup: func(r *Rig) outboundFixture {
			fx := h.Setup(r)
			p := capability[connector.StatusPoller](r.T, fx.Connector)
			every := connector.CapsOf(fx.Connector).PollEvery
			// A poll is one round; once a round is complete, the next
			// one is due after the connector's interval.
			op := func(pos []*model.PurchaseOrder) operation {
				complete := false
				return operation{do: func(ctx context.Context) error {
					if complete {
						r.Clock.Advance(every)
					}
					_, err := p.PollStatus(ctx, pos)
					complete = err == nil
					return err
				}}
			}
			return outboundFixture{fake: fx.Fake, write: fx.Write, skipsRefused: true,
				next: func(i int) operation { return op([]*model.PurchaseOrder{fx.Open(i)}) },
				batch: func(n int) operation {
					pos := make([]*model.PurchaseOrder, n)
					for i := range pos {
						pos[i] = fx.Open(100 + i)
					}
					return op(pos)
				}}
		}})
	})
}

func ids(docs []connector.InboundDoc) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.ID
	}
	return out
}
