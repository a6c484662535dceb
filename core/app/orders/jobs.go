package orders

import (
	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/model"
)

// Webhook is a verified delivery waiting to be decoded.
type Webhook struct {
	Channel    string
	Topic      string
	Delivery   string // the platform's delivery id
	OrderRef   string // the channel's order id, when the gateway could read it
	ReceivedAt string // RFC 3339
	// Body is the raw body, byte for byte, when the job carries it (jobs
	// queued by earlier versions); otherwise it was stored with the job
	// under RawKey.
	Body   []byte
	RawKey string
	Proof  string // connector.Delivery.Proof
}

// KindWebhook is the ingest job of one delivery. The raw body is stored
// with the job as a blob under its raw key (AcceptWebhook), where it is
// kept for replay, and the job carries that key in its metadata: the body
// is written once, not as the job's payload and again as the blob. A dead
// letter shows the body read back by that key (the operator port). Jobs
// of earlier versions carry the body as their payload.
var KindWebhook = job.Kind[Webhook]{
	Name: "webhook", Queue: app.QueueIngest, Codec: webhookCodec{},
	Options: func(w Webhook) job.Options {
		o := job.Options{UniqueKey: "webhook:" + w.Channel + ":" + w.Delivery, UniqueTTL: dedupeWindow}
		if w.OrderRef != "" {
			// Jobs of one order run in order: creation before cancellation.
			o.Group = model.OrderID(w.Channel, w.OrderRef)
		}
		return o
	},
	Subject: func(w Webhook) job.Subject { return job.Subject{Connector: w.Channel} },
}

// Metadata keys of a webhook job (as they have always been stored).
const (
	metaChannel  = "connector"
	metaTopic    = "topic"
	metaDelivery = "delivery"
	metaReceived = "received_at"
	metaOrderRef = "order_ref"
	metaProof    = "proof"
	MetaRawKey   = "raw_key" // where the body is kept, when not the payload
)

type webhookCodec struct{}

func (webhookCodec) Encode(w Webhook) ([]byte, map[string]string, error) {
	meta := make(map[string]string, 8) // room for the job's subject too (job.Kind.New)
	meta[metaChannel], meta[metaTopic], meta[metaDelivery], meta[metaReceived] = w.Channel, w.Topic, w.Delivery, w.ReceivedAt
	if w.OrderRef != "" {
		meta[metaOrderRef] = w.OrderRef
	}
	if w.Proof != "" {
		meta[metaProof] = w.Proof
	}
	if w.RawKey != "" {
		meta[MetaRawKey] = w.RawKey
	}
	return w.Body, meta, nil
}

func (webhookCodec) Decode(payload []byte, meta map[string]string) (Webhook, error) {
	return Webhook{Channel: meta[metaChannel], Topic: meta[metaTopic], Delivery: meta[metaDelivery],
		ReceivedAt: meta[metaReceived], OrderRef: meta[metaOrderRef], Proof: meta[metaProof], RawKey: meta[MetaRawKey],
		Body: payload}, nil
}
