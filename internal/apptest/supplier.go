package apptest

import (
	"context"
	"slices"
	"sync"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
)

// Supplier is a fake supplier connector that takes every purchase order
// and cancellation, and records their numbers.
type Supplier struct {
	name      string
	mu        sync.Mutex
	sent      []string
	cancelled []string
}

// NewSupplier returns a fake supplier named name.
func NewSupplier(name string) *Supplier { return &Supplier{name: name} }

var (
	_ connector.POSender    = (*Supplier)(nil)
	_ connector.POCanceller = (*Supplier)(nil)
)

// Name implements connector.Connector.
func (s *Supplier) Name() string { return s.name }

// Type implements connector.Connector.
func (s *Supplier) Type() string { return "apptest" }

// SendPO records po's number.
func (s *Supplier) SendPO(_ context.Context, po *model.PurchaseOrder, _ *model.Order) (connector.Sent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, po.Number)
	return connector.Sent{Document: po.Number + ".doc"}, nil
}

// CancelPO records po's number.
func (s *Supplier) CancelPO(_ context.Context, po *model.PurchaseOrder, _ *model.Order) (connector.Sent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cancelled = append(s.cancelled, po.Number)
	return connector.Sent{Document: po.Number + ".cancel"}, nil
}

// Sent lists the numbers of the POs sent, in order.
func (s *Supplier) Sent() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// Cancelled lists the numbers of the POs whose cancellation was sent.
func (s *Supplier) Cancelled() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.cancelled)
}
