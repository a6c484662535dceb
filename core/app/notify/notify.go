// Package notify tells people and systems outside dropgate what happened
// to an order: the customer gets an e-mail when the order ships, is
// delivered, is delayed or is cancelled, and the merchant's own systems
// get the domain events as signed webhooks (Standard Webhooks). Both are
// durable jobs enqueued by event subscribers; the I/O (SMTP, HTTP) is done
// by the Mailer and Sender the wiring gives (internal/notify).
package notify

import (
	"context"
	"time"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/event"
	"github.com/dropgate/dropgate/core/job"
)

// Email kinds: what a customer e-mail is about (notifications.email.send).
const (
	MailShipped   = "shipped"
	MailDelivered = "delivered"
	MailDelayed   = "delayed"
	MailCancelled = "cancelled"
)

// MailKinds lists the e-mail kinds, for validating configs.
var MailKinds = []string{MailShipped, MailDelivered, MailDelayed, MailCancelled}

// Mail is one customer e-mail to render and send.
type Mail struct {
	Kind      string // shipped, delivered, delayed, cancelled
	MessageID string // stable per (order, kind, shipment), without <>
	To        string
	Customer  string // the customer's name
	Order     string // what the customer knows it by ("#1001")
	OrderID   string
	Lines     []MailLine
	Carrier   string
	Tracking  []Parcel
	Reason    string // why it is delayed or cancelled, when known
}

// MailLine is one item of the e-mail.
type MailLine struct {
	SKU      string
	Title    string
	Quantity int64
}

// Parcel is one tracked package.
type Parcel struct {
	Carrier string
	Number  string
	URL     string
}

// Mailer renders and sends a customer e-mail. Errors use the fault
// vocabulary: permanent when the server refuses the message for good.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// Endpoint is one of the merchant's systems that receives events.
type Endpoint struct {
	Name  string
	URL   string
	Types []string // outbound event types; "*" for all
}

// Delivery is one event for one endpoint, as signed and posted.
type Delivery struct {
	Endpoint  string    `json:"endpoint"`
	ID        string    `json:"id"` // webhook-id: stable per event, so receivers dedupe
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Body      []byte    `json:"body"` // {type, timestamp, data}
	Order     string    `json:"order,omitempty"`
}

// Sender posts a delivery to its endpoint. Errors use the fault
// vocabulary: permanent for a 4xx other than 408 and 429.
type Sender interface {
	Send(ctx context.Context, d Delivery) error
}

// Settings configure the service; a nil Mailer sends no e-mail and no
// Endpoints send no events.
type Settings struct {
	Mailer Mailer
	// Send lists the e-mail kinds sent (default: all).
	Send []string
	// Silent lists the channels whose customers get no e-mail from us:
	// the channel sends its own.
	Silent    []string
	Sender    Sender
	Endpoints []Endpoint
	// Attempts bounds the tries of one e-mail or delivery (default 12).
	Attempts int
}

// Service enqueues and runs notification jobs.
type Service struct {
	d *app.Deps
	s Settings
}

// New returns the service.
func New(d *app.Deps, s Settings) *Service {
	if s.Attempts <= 0 {
		s.Attempts = 12
	}
	if s.Mailer != nil && len(s.Send) == 0 {
		s.Send = MailKinds
	}
	return &Service{d: d, s: s}
}

// Register installs the jobs and the subscriptions the settings need.
func (s *Service) Register(m *job.Mux, t *event.Table) {
	job.Handle(m, KindMail, s.handleMail)
	job.Handle(m, KindDeliver, s.handleDeliver)
	if s.s.Mailer != nil {
		s.registerMail(t)
	}
	if s.s.Sender != nil && len(s.s.Endpoints) > 0 {
		s.registerEvents(t)
	}
}
