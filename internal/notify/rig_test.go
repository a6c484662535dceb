package notify

import (
	"context"
	"github.com/dropgate/dropgate/internal/testutil"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/apptest"
)

// smtpServer is a real SMTP server on loopback that keeps what it accepts;
// failData makes the next n DATA commands fail with 451.
type smtpServer struct {
	mu       sync.Mutex
	msgs     [][]byte
	failData int
	user     string
	pass     string
}

func (b *smtpServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{b: b}, nil }

func (b *smtpServer) messages() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, m := range b.msgs {
		out = append(out, string(m))
	}
	return out
}

type smtpSession struct {
	b    *smtpServer
	auth bool
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.b.user || pass != s.b.pass {
			return &smtp.SMTPError{Code: 535, Message: "bad credentials"}
		}
		s.auth = true
		return nil
	}), nil
}
func (s *smtpSession) Mail(string, *smtp.MailOptions) error {
	if !s.auth {
		return &smtp.SMTPError{Code: 530, Message: "authentication required"}
	}
	return nil
}
func (s *smtpSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	if s.b.failData > 0 {
		s.b.failData--
		return &smtp.SMTPError{Code: 451, Message: "try again later"}
	}
	s.b.msgs = append(s.b.msgs, b)
	return nil
}
func (s *smtpSession) Reset()        {}
func (s *smtpSession) Logout() error { return nil }

// startSMTP serves b on a loopback port and returns its host and port.
func startSMTP(t *testing.T, b *smtpServer) (string, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		testutil.Unavailable(t, "no loopback listener for the SMTP server: %v", err)
	}
	srv := smtp.NewServer(b)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	a := ln.Addr().(*net.TCPAddr)
	return a.IP.String(), a.Port
}

// settle runs every ready job as the worker settles it: done, retried
// (at once: the fake clock stands still) or buried. It returns the
// errors the notify handlers returned; other jobs are dropped.
func settle(t *testing.T, r *apptest.Rig) []error {
	t.Helper()
	ctx := context.Background()
	var errs []error
	for i := 0; i < 100; i++ {
		j := r.NextReady(time.Minute)
		if j == nil {
			return errs
		}
		if !strings.HasPrefix(j.Kind, "notify.") {
			// Other services' jobs on the same events (the fulfillment
			// push) have no connectors here.
			if err := r.Store.Ack(ctx, j); err != nil {
				t.Fatal(err)
			}
			continue
		}
		herr := r.S.Mux.Serve(ctx, j)
		var err error
		switch class, _ := fault.Classify(herr); class {
		case fault.ClassNone:
			err = r.Store.Ack(ctx, j)
		case fault.ClassPermanent:
			errs = append(errs, herr)
			err = r.Store.Bury(ctx, j, herr)
		default:
			errs = append(errs, herr)
			err = r.Store.Retry(ctx, j, r.Clock.Now(), herr, true)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("jobs keep coming")
	return nil
}

// shippedOrder stores an order with one shipment of two parcels and
// returns it with its shipment event.
func shippedOrder(t *testing.T, r *apptest.Rig) (*model.Aggregate, model.Event) {
	t.Helper()
	o := apptest.NewOrder("shop", "1001", apptest.Line("l1", "MUG-1", 2), apptest.Line("l2", "CUP-9", 1))
	o.Lines[0].Title = "Blue mug"
	o.Customer = model.Customer{Name: "Ada Lovelace", Email: "ada@example.com"}
	a := &model.Aggregate{Order: *o, Created: apptest.Start}
	a.Shipments = []model.Shipment{{ID: "shp_1", OrderID: o.ID, PONumber: "PO1", Supplier: "acme", Carrier: "ups",
		Packages: []model.Package{
			{TrackingNumber: "1Z999AA10123456784", TrackingURL: "https://track.example/1Z999AA10123456784",
				Lines: []model.ShipmentLine{{OrderLineID: "l1", Quantity: 2}}},
			{TrackingNumber: "1Z999AA10123456785", Lines: []model.ShipmentLine{{OrderLineID: "l2", Quantity: 1}}},
		}}}
	if err := r.Deps.Orders.Create(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a, model.Event{Type: model.EvShipmentCreated, At: apptest.Start, OrderID: o.ID, ShipmentID: "shp_1", PONumber: "PO1"}
}

func publish(t *testing.T, r *apptest.Rig, a *model.Aggregate, ev model.Event) {
	t.Helper()
	if err := r.Deps.Events.Publish(context.Background(), a, []model.Event{ev}); err != nil {
		t.Fatal(err)
	}
}

func timelineOf(r *apptest.Rig, id, event string) []model.TimelineEntry {
	var out []model.TimelineEntry
	for _, e := range r.Order(id).Timeline {
		if e.Event == event {
			out = append(out, e)
		}
	}
	return out
}

func deadLetters(t *testing.T, r *apptest.Rig) []store.Job {
	t.Helper()
	js, _, err := r.Store.DeadLetters(context.Background(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func header(msg, name string) string {
	for _, l := range strings.Split(msg, "\r\n") {
		if l == "" {
			break
		}
		if k, v, ok := strings.Cut(l, ": "); ok && strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

func writeFile(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func secretOf(s string) connector.Secret { return connector.Secret(s) }
