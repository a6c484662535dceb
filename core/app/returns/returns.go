// Package returns takes customer returns through the supplier that
// shipped them: a return request (an operator's, or a channel's) becomes
// one return per purchase order; the supplier is asked for an RMA on its
// own channel (connector.ReturnRequester: an e-mail, an X12 180, an API
// call), or an operator decides for a supplier that takes no requests;
// its answer authorises or rejects it; once the supplier has the units
// back the customer is refunded through the order's payment provider
// (payments), the channel is told (connector.RefundPusher) and the
// supplier's credit is recorded against its payable (payables). Every
// step is on the order's timeline.
package returns

import (
	"context"
	"errors"
	"fmt"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/event"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/store"
)

// Step names one return's outbound job.
type Step struct {
	Order  string `json:"order"`
	Return string `json:"return"`
	// Connector is the supplier (RMA request) or the channel (refund).
	Connector string `json:"connector"`
}

// KindRequestRMA asks the supplier for an RMA, once per return.
var KindRequestRMA = job.Kind[Step]{Name: "return.request_rma", Queue: app.QueueOutbound,
	Options: func(s Step) job.Options {
		return job.Options{Group: "order:" + s.Order, Key: "supplier:" + s.Connector, UniqueKey: "return.rma:" + s.Return}
	},
	Subject: func(s Step) job.Subject { return job.Subject{Order: s.Order, Connector: s.Connector} },
}

// KindPushRefund tells the channel a return was refunded, once.
var KindPushRefund = job.Kind[Step]{Name: "return.push_refund", Queue: app.QueueOutbound,
	Options: func(s Step) job.Options {
		return job.Options{Group: "fulfill:" + s.Order, Key: "channel:" + s.Connector, UniqueKey: "return.refund:" + s.Return}
	},
	Subject: func(s Step) job.Subject { return job.Subject{Order: s.Order, Connector: s.Connector} },
}

// Service keeps the returns.
type Service struct {
	d    *app.Deps
	list *repo.Returns
}

// New returns the service; its list lives in d.Records.
func New(d *app.Deps) *Service { return &Service{d: d, list: repo.NewReturns(d.Records)} }

// Register installs the jobs and the subscriptions.
func (s *Service) Register(m *job.Mux, t *event.Table) {
	job.Handle(m, KindRequestRMA, s.handleRequestRMA)
	job.Handle(m, KindPushRefund, s.handlePushRefund)
	t.On(model.EvReturnUpdated, "returns.list", s.onIndex)
	t.On(model.EvReturnUpdated, "returns.next", s.onUpdated)
}

// onIndex copies the return into the returns list.
func (s *Service) onIndex(ctx context.Context, a *model.Aggregate, ev model.Event) error {
	if a == nil {
		return nil
	}
	r := a.Return(ev.Data["return"])
	if r == nil {
		return nil
	}
	if err := s.list.Save(ctx, r); err != nil {
		return fmt.Errorf("returns: list %s: %w", r.ID, err)
	}
	return nil
}

// onUpdated queues what follows a return's step: the RMA request to the
// supplier for a new one, the channel's refund for a refunded one.
func (s *Service) onUpdated(ctx context.Context, a *model.Aggregate, ev model.Event) error {
	if a == nil {
		return nil
	}
	r := a.Return(ev.Data["return"])
	if r == nil {
		return nil
	}
	switch model.ReturnStatus(ev.Data["status"]) {
	case model.ReturnRequested:
		if r.RequestDoc != "" {
			return nil // the request went out: this event says so
		}
		st := Step{Order: r.OrderID, Return: r.ID, Connector: r.Supplier}
		return job.Enqueue(ctx, s.d.Queue, KindRequestRMA, st, job.Attempts(s.d.Attempts(r.Supplier)))
	case model.ReturnRefunded:
		ch := s.d.Channels[a.Order.Channel]
		if _, ok := connector.As[connector.RefundPusher](ch); !ok {
			return nil
		}
		st := Step{Order: r.OrderID, Return: r.ID, Connector: a.Order.Channel}
		return job.Enqueue(ctx, s.d.Queue, KindPushRefund, st, job.Attempts(s.d.Attempts(st.Connector)))
	case model.ReturnReceived:
		if !refundable(a) {
			return s.note(ctx, r, model.Cause{Kind: model.CauseSystem}, "return.refund_elsewhere",
				fmt.Sprintf("return %s: no payment at a provider dropgate moves: refund %s on %s", r.ID, r.Refund, a.Order.Channel))
		}
	}
	return nil
}

// refundable reports whether a payment of the order holds captured money
// the payments service can refund.
func refundable(a *model.Aggregate) bool {
	for _, p := range a.Payments {
		if p.Captured.Amount > p.Refunded.Amount {
			return true
		}
	}
	return false
}

// handleRequestRMA sends the RMA request. A supplier that takes none
// leaves the decision to an operator, with an exception saying how.
func (s *Service) handleRequestRMA(ctx context.Context, j *store.Job, st Step) error {
	a, r, err := s.load(ctx, st)
	if err != nil {
		return err
	}
	if r.Status != model.ReturnRequested || r.RequestDoc != "" {
		return nil // answered or sent meanwhile
	}
	cause := model.Cause{Kind: model.CauseSystem, Ref: "job/" + j.ID}
	c, ok := s.d.Suppliers[r.Supplier]
	rq, can := connector.As[connector.ReturnRequester](c)
	if !ok || !can {
		_, _, err := s.d.Change(app.Background(ctx), st.Order, cause, func(a *model.Aggregate, step lifecycle.Step) (lifecycle.Outcome, error) {
			return awaitOperator(a, st.Return, step), nil
		})
		return err
	}
	sent, err := rq.RequestReturn(ctx, r, a.PO(r.PONumber), &a.Order)
	if err != nil {
		return fmt.Errorf("returns: RMA request %s to %s: %w", r.ID, r.Supplier, err)
	}
	_, _, err = s.d.Change(app.AfterSend(app.Background(ctx), rq), st.Order, cause, func(a *model.Aggregate, step lifecycle.Step) (lifecycle.Outcome, error) {
		return sentRequest(a, st.Return, sent, step)
	})
	return err
}

// load reads the order and the return a job is about.
func (s *Service) load(ctx context.Context, st Step) (*model.Aggregate, *model.Return, error) {
	a, _, err := s.d.Orders.Get(ctx, st.Order)
	if err != nil {
		return nil, nil, fmt.Errorf("returns: order %s: %w", st.Order, err)
	}
	r := a.Return(st.Return)
	if r == nil {
		return nil, nil, fault.Permanentf("returns: order %s has no return %s", st.Order, st.Return)
	}
	return a, r, nil
}

// awaitOperator records that the supplier takes no RMA requests and
// raises the exception that asks an operator to decide.
func awaitOperator(a *model.Aggregate, id string, st lifecycle.Step) lifecycle.Outcome {
	r := a.Return(id)
	if r == nil || r.Status != model.ReturnRequested {
		return lifecycle.Outcome{}
	}
	for _, e := range a.Timeline {
		if e.Event == "return.awaiting_decision" && e.Entity == "return:"+r.ID {
			return lifecycle.Outcome{} // a replayed job: asked already
		}
	}
	out := lifecycle.Outcome{Changed: true}
	msg := fmt.Sprintf("supplier %s takes no RMA requests from dropgate: ask it, then record its answer: "+
		"dropgate returns authorize %s --rma NUMBER, or dropgate returns reject %s --reason WHY", r.Supplier, r.ID, r.ID)
	a.Log(model.TimelineEntry{At: st.At, Entity: "return:" + r.ID, Event: "return.awaiting_decision", Cause: st.Cause, Message: msg})
	out.Raise(model.ExReturnDecision, a, a.PO(r.PONumber), "return "+r.ID+": "+msg, "resolve")
	return out
}

// sentRequest records the RMA request and, when the supplier answered at
// once, its decision.
func sentRequest(a *model.Aggregate, id string, sent connector.ReturnSent, st lifecycle.Step) (lifecycle.Outcome, error) {
	r := a.Return(id)
	if r == nil || r.RequestDoc != "" {
		return lifecycle.Outcome{}, nil
	}
	r.RequestDoc = sent.Document
	a.Log(model.TimelineEntry{At: st.At, Entity: "return:" + r.ID, Event: "return.rma_requested", Cause: st.Cause,
		Message: fmt.Sprintf("RMA request for return %s sent to %s (%s)", r.ID, r.Supplier, sent.Document)})
	out := lifecycle.Outcome{Changed: true}
	by := "supplier " + r.Supplier
	var step lifecycle.Outcome
	var err error
	switch d := sent.Decision; {
	case d == nil:
		out.Emit(updated(r, st)) // the list shows the request went out
		return out, nil
	case d.Authorized:
		step, err = Authorize(a, id, d.RMA, by, st)
	default:
		step, err = Reject(a, id, d.Reason, by, st)
	}
	out.Add(step)
	return out, err
}

// handlePushRefund tells the channel about the refund.
func (s *Service) handlePushRefund(ctx context.Context, j *store.Job, st Step) error {
	a, r, err := s.load(ctx, st)
	if err != nil {
		return err
	}
	p, err := app.Channel[connector.RefundPusher](s.d, st.Connector, "push refund")
	if err != nil {
		return err
	}
	if err := p.PushRefund(ctx, &a.Order, r); err != nil {
		return fmt.Errorf("returns: push refund of %s to %s: %w", r.ID, st.Connector, err)
	}
	return s.note(ctx, r, model.Cause{Kind: model.CauseSystem, Ref: "job/" + j.ID}, "return.refund_on_channel",
		fmt.Sprintf("refund of return %s shown on %s", r.ID, st.Connector))
}

// note writes a timeline entry about return r once.
func (s *Service) note(ctx context.Context, r *model.Return, cause model.Cause, ev, msg string) error {
	_, _, err := s.d.Change(app.Background(ctx), r.OrderID, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		for _, e := range a.Timeline {
			if e.Event == ev && e.Message == msg {
				return lifecycle.Outcome{}, nil // a replayed job
			}
		}
		a.Log(model.TimelineEntry{At: st.At, Entity: "return:" + r.ID, Event: ev, Cause: st.Cause, Message: msg})
		return lifecycle.Outcome{Changed: true}, nil
	})
	return err
}

// Open records the returns req asks for and queues their RMA requests.
func (s *Service) Open(ctx context.Context, req Request) ([]model.Return, error) {
	if req.Source == "" {
		req.Source = "operator"
	}
	cause := model.Cause{Kind: model.CauseOperator, Ref: req.Actor}
	if req.Source != "operator" {
		cause = model.Cause{Kind: model.CausePoll, Ref: req.Source + "/" + req.ChannelRef}
	}
	var made []model.Return
	_, _, err := s.d.Change(ctx, req.OrderID, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		var out lifecycle.Outcome
		var err error
		made, out, err = Open(a, req, st)
		return out, err
	})
	return made, err
}

// Decide applies an operator's (or a supplier's) answer to a return:
// authorize (with the RMA number), reject (with why) or received.
func (s *Service) Decide(ctx context.Context, id, action, value, actor string) (*model.Return, error) {
	r, _, err := s.list.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	cause := model.Cause{Kind: model.CauseOperator, Ref: actor}
	a, _, err := s.d.Change(ctx, r.OrderID, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		switch action {
		case "authorize":
			return Authorize(a, id, value, actor, st)
		case "reject":
			return Reject(a, id, value, actor, st)
		case "received":
			return Receive(a, id, actor, st)
		}
		return lifecycle.Outcome{}, fmt.Errorf("%w: action %q: want authorize, reject or received", ErrInput, action)
	})
	if err != nil {
		return nil, err
	}
	if a == nil {
		return r, nil
	}
	return a.Return(id), nil
}

// List returns returns matching where (status, supplier, order), newest
// first, and the cursor of the next page.
func (s *Service) List(ctx context.Context, where map[string]string, p repo.Page) ([]model.Return, string, error) {
	if st := where["status"]; st != "" && !validStatus(model.ReturnStatus(st)) {
		return nil, "", fmt.Errorf("%w: status %q: want requested, authorized, received, refunded or rejected", ErrInput, st)
	}
	return s.list.Where(ctx, where, p)
}

// Get returns one return as its order has it.
func (s *Service) Get(ctx context.Context, id string) (*model.Return, error) {
	r, _, err := s.list.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	a, _, err := s.d.Orders.Get(ctx, r.OrderID)
	if err != nil {
		return nil, err
	}
	if cur := a.Return(id); cur != nil {
		return cur, nil
	}
	return nil, fmt.Errorf("return %s: %w", id, store.ErrNotFound)
}

func validStatus(s model.ReturnStatus) bool {
	switch s {
	case model.ReturnRequested, model.ReturnAuthorized, model.ReturnReceived, model.ReturnRefunded, model.ReturnRejected:
		return true
	}
	return false
}

// IsInput reports whether err is the caller's to fix (HTTP 400).
func IsInput(err error) bool { return errors.Is(err, ErrInput) }
