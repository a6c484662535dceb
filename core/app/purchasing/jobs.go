package purchasing

import (
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/job"
)

// PO names one purchase order of one order.
type PO struct {
	Order    string `json:"order"`
	PO       string `json:"po"`
	Supplier string `json:"supplier"`
}

func (p PO) subject() job.Subject {
	return job.Subject{Order: p.Order, PO: p.PO, Connector: p.Supplier}
}

// supplierGroup orders the jobs that talk to one supplier about one order
// (the send before the cancellation), without making a supplier outage
// hold up the order's other suppliers or its documents.
func (p PO) supplierGroup() string { return "po:" + p.Order + ":" + p.Supplier }

// Purchase order jobs.
var (
	// KindSend sends a drafted PO to its supplier.
	KindSend = job.Kind[PO]{Name: "po.send", Queue: app.QueueOutbound, Subject: PO.subject, Options: supplierCall("po.send")}
	// KindCancel asks a supplier to cancel a PO already sent.
	KindCancel = job.Kind[PO]{Name: "po.cancel", Queue: app.QueueOutbound, Subject: PO.subject, Options: supplierCall("po.cancel")}
	// KindAckDue runs when a PO's acknowledgement is due (supplier SLA).
	KindAckDue = job.Kind[PO]{Name: "po.sla.ack", Queue: app.QueueOutbound, Subject: PO.subject, Options: timer("po.sla.ack")}
	// KindShipDue runs when a PO's shipment is due.
	KindShipDue = job.Kind[PO]{Name: "po.sla.ship", Queue: app.QueueOutbound, Subject: PO.subject, Options: timer("po.sla.ship")}
)

// supplierCall is a job that talks to the PO's supplier: in the supplier's
// group of the order, spending from its rate-limit key, once per PO.
func supplierCall(name string) func(PO) job.Options {
	return func(p PO) job.Options {
		return job.Options{Group: p.supplierGroup(), Key: "supplier:" + p.Supplier, UniqueKey: name + ":" + p.PO}
	}
}

// timer is a durable timer of a PO (its RunAt is set when enqueued),
// fired once across replicas and restarts.
func timer(name string) func(PO) job.Options {
	return func(p PO) job.Options { return job.Options{UniqueKey: name + ":" + p.PO} }
}

// DocApply is one canonical supplier document on its way to its order.
type DocApply struct {
	Order    string               `json:"order"`
	Supplier string               `json:"supplier"`
	Source   string               `json:"source"` // inbound file or message it came from
	Doc      connector.InboundDoc `json:"doc"`
	// Actor, when set, is who did it by hand (a supplier's portal user,
	// "portal:<supplier>:<email>"): the timeline names them as the cause.
	Actor string `json:"actor,omitempty"`
}

// KindDocApply applies a supplier document to its order, in the order's
// group, once per document id.
var KindDocApply = job.Kind[DocApply]{Name: "doc.apply", Queue: app.QueueInbound,
	Options: func(d DocApply) job.Options {
		return job.Options{Group: d.Order, UniqueKey: "doc:" + d.Supplier + ":" + d.Doc.ID, UniqueTTL: 90 * 24 * time.Hour}
	},
	Subject: func(d DocApply) job.Subject {
		return job.Subject{Order: d.Order, PO: d.Doc.PONumber, Connector: d.Supplier}
	},
}

// Tick is one slot of a supplier's periodic work (an inbox listing, an
// API status poll): its unique key is the slot, so however many replicas
// fire it, one job runs.
type Tick struct {
	Supplier string        `json:"supplier"`
	Slot     int64         `json:"slot"`  // unix seconds of the slot's start
	Every    time.Duration `json:"every"` // the slot's length
}

func tickOptions(name string) func(Tick) job.Options {
	return func(t Tick) job.Options {
		return job.Options{Key: "supplier:" + t.Supplier, UniqueKey: name + ":" + t.Supplier + ":" + strconv.FormatInt(t.Slot, 10),
			UniqueTTL: 2 * t.Every, MaxAttempts: 3}
	}
}

func tickSubject(t Tick) job.Subject { return job.Subject{Connector: t.Supplier} }

// Periodic supplier jobs.
var (
	// KindInboxPoll lists a supplier's inbox and queues a fetch per file.
	KindInboxPoll = job.Kind[Tick]{Name: "inbox.poll", Queue: app.QueueInbound, Options: tickOptions("inbox.poll"), Subject: tickSubject}
	// KindStatusPoll asks an API supplier about its open POs.
	KindStatusPoll = job.Kind[Tick]{Name: "supplier.poll", Queue: app.QueueInbound, Options: tickOptions("supplier.poll"), Subject: tickSubject}
)

// NewTick is the tick of supplier's work of period every containing now.
func NewTick(supplier string, now time.Time, every time.Duration) Tick {
	return Tick{Supplier: supplier, Slot: now.Truncate(every).Unix(), Every: every}
}

// InboxFile is one file of a supplier's inbox.
type InboxFile struct {
	Supplier string `json:"supplier"`
	Name     string `json:"file"`
	// ID is its identity: name, size and time, so the same name reused
	// later for new content is a new file.
	ID string `json:"id"`
}

// KindFetch reads one inbox file, keeps it raw and queues its parse.
var KindFetch = job.Kind[InboxFile]{Name: "inbound.fetch", Queue: app.QueueInbound,
	Subject: func(f InboxFile) job.Subject { return job.Subject{Connector: f.Supplier} },
}

// Inbound is a fetched file waiting to be parsed.
type Inbound struct {
	Supplier string
	Name     string // the file's name
	Raw      string // blob key of the raw bytes
	Digest   string // of the bytes: the parse's identity
	Data     []byte
}

// KindParse parses one file into documents. Its payload is the file
// itself, so a dead letter holds the bytes the partner sent.
var KindParse = job.Kind[Inbound]{Name: "inbound.parse", Queue: app.QueueInbound, Codec: inboundCodec{},
	Options: func(in Inbound) job.Options {
		return job.Options{Group: InboundGroup(in.Supplier), UniqueKey: "inbound.parse:" + in.Supplier + ":" + in.Digest, UniqueTTL: 90 * 24 * time.Hour, MaxAttempts: 5}
	},
	Subject: func(in Inbound) job.Subject { return job.Subject{Connector: in.Supplier} },
}

type inboundCodec struct{}

func (inboundCodec) Encode(in Inbound) ([]byte, map[string]string, error) {
	return in.Data, map[string]string{"supplier": in.Supplier, "file": in.Name, "raw": in.Raw, "digest": in.Digest}, nil
}

func (inboundCodec) Decode(payload []byte, meta map[string]string) (Inbound, error) {
	return Inbound{Supplier: meta["supplier"], Name: meta["file"], Raw: meta["raw"], Digest: meta["digest"], Data: payload}, nil
}

// Interchange names a tracked outbound interchange. Batch: ID is a
// batch's interchange, whose POs are tracked one per set (the timer of
// them all).
type Interchange struct {
	ID       string `json:"interchange"`
	Supplier string `json:"supplier"`
	Batch    bool   `json:"batch,omitempty"`
}

// KindFuncAckDue runs when an interchange's functional acknowledgement
// (997/999, CONTRL) is due.
var KindFuncAckDue = job.Kind[Interchange]{Name: "interchange.ack_due", Queue: app.QueueInbound,
	Subject: func(i Interchange) job.Subject { return job.Subject{Connector: i.Supplier} },
}
