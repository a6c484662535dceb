// Package tracking follows every parcel to the door: it registers each
// shipment's parcels, takes carrier and aggregator webhooks, polls carriers
// that have no webhooks (backing off on quiet parcels, stopping at a final
// state) and moves the shipment and order through the tracking state table
// (model.NextTracking).
package tracking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/event"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// KindParcel is the record kind of the tracking number → order index.
const KindParcel = "parcel"

// Detector guesses a parcel's carrier from its tracking number (the
// check-digit detector, wired in internal/app).
type Detector interface {
	DetectCarrier(number string) (carrier string, ok bool)
}

// Parcel names one tracked parcel.
type Parcel struct {
	Order    string `json:"order"`
	Shipment string `json:"shipment"`
	Carrier  string `json:"carrier,omitempty"`
	Number   string `json:"number"`
	Quiet    int    `json:"quiet,omitempty"` // polls in a row that brought nothing new
}

// KindPoll polls one parcel's carrier.
var KindPoll = job.Kind[Parcel]{Name: "tracking.poll", Queue: app.QueueOutbound,
	Options: func(p Parcel) job.Options {
		return job.Options{Group: "track:" + p.Number, Key: "carrier:" + p.Carrier}
	},
	Subject: func(p Parcel) job.Subject { return job.Subject{Order: p.Order} },
}

// Back-off of polls: the first after Poll, doubling on each quiet poll up
// to MaxPoll.
const (
	Poll    = 2 * time.Hour
	MaxPoll = 24 * time.Hour
)

// Service is the tracking service.
type Service struct {
	d        *app.Deps
	detector Detector
}

// New returns the service; detector may be nil.
func New(d *app.Deps, detector Detector) *Service { return &Service{d: d, detector: detector} }

// Register installs the poll job, the subscriptions and the webhook sink.
func (s *Service) Register(m *job.Mux, t *event.Table) {
	job.Handle(m, KindPoll, s.handlePoll)
	t.On(model.EvShipmentCreated, "tracking.register", s.onShipment)
	t.On(model.EvTrackingUpdated, "tracking.channel", s.onUpdated)
	if s.d.Webhooks != nil {
		s.d.Webhooks.Add(s)
	}
}

func normal(n string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(n), " ", ""))
}

// onShipment indexes each parcel of a new shipment and starts polling
// those a configured carrier connector can track.
func (s *Service) onShipment(ctx context.Context, a *model.Aggregate, ev model.Event) error {
	sh := shipment(a, ev.ShipmentID)
	if sh == nil {
		return nil
	}
	for _, pkg := range sh.Packages {
		if pkg.TrackingNumber == "" {
			continue
		}
		p := Parcel{Order: a.Order.ID, Shipment: sh.ID, Number: normal(pkg.TrackingNumber), Carrier: s.carrierCode(pkg.Carrier)}
		if p.Carrier == "" {
			p.Carrier = s.carrierCode(sh.Carrier)
		}
		if p.Carrier == "" && s.detector != nil {
			p.Carrier, _ = s.detector.DetectCarrier(p.Number)
		}
		if err := s.index(ctx, p); err != nil {
			return err
		}
		if pkg.Status.Final() || s.tracker(p.Carrier) == nil {
			continue
		}
		if err := job.Enqueue(ctx, s.d.Queue, KindPoll, p, job.At(s.d.Now().Add(Poll))); err != nil {
			return fmt.Errorf("queue tracking of %s: %w", p.Number, err)
		}
	}
	return nil
}

func (s *Service) index(ctx context.Context, p Parcel) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	rec := store.Record{Kind: KindParcel, ID: p.Number, Data: b, Index: map[string]string{"order": p.Order}}
	if old, err := s.d.Records.GetRecord(ctx, KindParcel, p.Number); err == nil {
		rec.Version = old.Version
	} else if !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("tracking index %s: %w", p.Number, err)
	}
	if _, err := s.d.Records.PutRecord(ctx, rec); err != nil {
		return fmt.Errorf("tracking index %s: %w", p.Number, err)
	}
	return nil
}

// Lookup returns the parcel of a tracking number.
func (s *Service) Lookup(ctx context.Context, number string) (Parcel, error) {
	rec, err := s.d.Records.GetRecord(ctx, KindParcel, normal(number))
	if err != nil {
		return Parcel{}, err
	}
	var p Parcel
	if err := json.Unmarshal(rec.Data, &p); err != nil {
		return Parcel{}, fmt.Errorf("tracking index %s: %w", number, err)
	}
	return p, nil
}

// Namer maps a free-text carrier name ("UPS Ground", "Federal Express")
// to its canonical code; a Detector that is one names the carriers of
// shipments, so "UPS Ground" finds the ups connector.
type Namer interface {
	CarrierFromName(name string) (code string, ok bool)
}

// carrierCode is a shipment's carrier as a canonical code: by name when
// the detector knows names, else lower-cased as written.
func (s *Service) carrierCode(name string) string {
	if n, ok := s.detector.(Namer); ok && name != "" {
		if code, ok := n.CarrierFromName(name); ok {
			return code
		}
	}
	return strings.ToLower(strings.TrimSpace(name))
}

// tracker returns a configured connector that polls carrier.
func (s *Service) tracker(carrier string) connector.PackageTracker {
	for _, c := range s.d.Others {
		t, ok := connector.As[connector.PackageTracker](c)
		if !ok {
			continue
		}
		for _, code := range t.Carriers() {
			if code == "*" || (carrier != "" && code == carrier) {
				return t
			}
		}
	}
	return nil
}

func shipment(a *model.Aggregate, id string) *model.Shipment {
	for i := range a.Shipments {
		if a.Shipments[i].ID == id {
			return &a.Shipments[i]
		}
	}
	return nil
}
