// Package shippo is the Shippo carrier connector: it verifies Shippo's
// track_updated webhooks (Shippo-Auth-Signature: t=<unix>,v1=<hex
// HMAC-SHA256 of "<t>." + raw body>, with a timestamp tolerance) and decodes
// them into canonical tracking updates, keeping status/substatus as the
// carrier's own code.
package shippo

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/trackhook"
)

// Type is the registry name.
const Type = "shippo"

// HeaderSignature carries "t=<unix>,v1=<hex>".
const HeaderSignature = "Shippo-Auth-Signature"

// DefaultTolerance is how far the signed timestamp may be from now.
const DefaultTolerance = 5 * time.Minute

// Config is the YAML of a Shippo carrier.
type Config struct {
	// WebhookSecret is the HMAC secret Shippo provisioned for the webhook.
	WebhookSecret connector.Secret `yaml:"webhook_secret" required:"true"`
	// Tolerance refuses deliveries whose signed timestamp is further than
	// this from now (replays of an old delivery).
	Tolerance time.Duration `yaml:"tolerance"`
}

// Check validates values without I/O.
func (c *Config) Check() []connector.Problem {
	if c.Tolerance <= 0 {
		return []connector.Problem{{Path: "tolerance", Message: "must be positive"}}
	}
	return nil
}

func init() {
	connector.Register(connector.Spec[Config]{
		Type: Type, Kind: connector.KindCarrier,
		Summary:  "Shippo tracking: signed track_updated webhooks in, mapped to the canonical tracking status",
		Defaults: func() *Config { return &Config{Tolerance: DefaultTolerance} },
		New:      func(env connector.Env, cfg *Config) (connector.Connector, error) { return New(env, cfg), nil },
	})
}

// Connector is a configured Shippo carrier.
type Connector struct {
	env connector.Env
	cfg *Config
}

// New returns the connector.
func New(env connector.Env, cfg *Config) *Connector { return &Connector{env: env, cfg: cfg} }

// Name is the configured name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "shippo".
func (c *Connector) Type() string { return Type }

// Sign returns the Shippo-Auth-Signature value of body at unix time ts.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d.", ts)
	m.Write(body)
	return fmt.Sprintf("t=%d,v1=%s", ts, hex.EncodeToString(m.Sum(nil)))
}

func parseHeader(v string) (ts int64, sigs []string, err error) {
	for _, part := range strings.Split(v, ",") {
		k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			if ts, err = strconv.ParseInt(val, 10, 64); err != nil {
				return 0, nil, fmt.Errorf("%w: %s: bad t", connector.ErrBadSignature, HeaderSignature)
			}
		case "v1":
			sigs = append(sigs, val)
		}
	}
	if ts == 0 || len(sigs) == 0 {
		return 0, nil, fmt.Errorf("%w: missing or malformed %s", connector.ErrBadSignature, HeaderSignature)
	}
	return ts, sigs, nil
}

type event struct {
	Event string `json:"event"`
	Data  *struct {
		Carrier        string `json:"carrier"`
		TrackingNumber string `json:"tracking_number"`
		Status         *struct {
			Status    string `json:"status"`
			Substatus *struct {
				Code string `json:"code"`
			} `json:"substatus"`
			StatusDate    string `json:"status_date"`
			StatusDetails string `json:"status_details"`
			Location      *struct {
				City, State, Country string
			} `json:"location"`
		} `json:"tracking_status"`
	} `json:"data"`
}

func decode(body []byte) (*event, error) {
	var ev event
	if err := trackhook.DecodeJSON("shippo", body, &ev); err != nil {
		return nil, err
	}
	return &ev, nil
}

// VerifyWebhook checks the signature in constant time and the signed
// timestamp against the tolerance. Shippo track events carry no event id:
// the delivery id is the hash of (carrier, tracking number, status,
// status_date), so the same update delivered twice is processed once.
func (c *Connector) VerifyWebhook(h http.Header, body []byte) (connector.Delivery, error) {
	ts, sigs, err := parseHeader(h.Get(HeaderSignature))
	if err != nil {
		return connector.Delivery{}, err
	}
	want := Sign(c.cfg.WebhookSecret.Reveal(), ts, body)
	_, wantSig, _ := strings.Cut(want, ",v1=")
	ok := false
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(wantSig)) {
			ok = true
		}
	}
	if !ok {
		return connector.Delivery{}, connector.ErrBadSignature
	}
	if c.env.Clock != nil {
		tol := c.cfg.Tolerance
		if tol <= 0 {
			tol = DefaultTolerance
		}
		if age := c.env.Clock.Now().Sub(time.Unix(ts, 0)); age > tol || age < -tol {
			return connector.Delivery{}, fmt.Errorf("%w: signed timestamp is %s away from now (tolerance %s)", connector.ErrBadSignature, age.Round(time.Second), tol)
		}
	}
	ev, err := decode(body)
	if err != nil {
		return connector.Delivery{}, err
	}
	d := connector.Delivery{Topic: ev.Event}
	key := ev.Event
	if ev.Data != nil {
		key += "\x00" + ev.Data.Carrier + "\x00" + ev.Data.TrackingNumber
		if s := ev.Data.Status; s != nil {
			key += "\x00" + s.Status + "\x00" + s.StatusDate
		}
		if ev.Data.TrackingNumber != "" {
			d.OrderRef = "parcel:" + ev.Data.TrackingNumber
		}
	}
	sum := sha256.Sum256([]byte(key))
	d.ID = "sha256:" + base64.RawURLEncoding.EncodeToString(sum[:])
	return d, nil
}

// Status maps a Shippo status and substatus code to the canonical status:
// out for delivery, pickup and attempts are substatuses of TRANSIT.
func Status(status, sub string) model.TrackingStatus {
	switch status {
	case "PRE_TRANSIT":
		return model.TrackLabelCreated
	case "TRANSIT":
		switch sub {
		case "out_for_delivery":
			return model.TrackOutForDelivery
		case "pickup_available":
			return model.TrackAvailableForPickup
		case "delivery_attempted", "notice_left":
			return model.TrackDeliveryAttempted
		}
		return model.TrackInTransit
	case "DELIVERED":
		return model.TrackDelivered
	case "RETURNED":
		if sub == "return_to_sender" {
			return model.TrackReturningToSender
		}
		return model.TrackReturned
	case "FAILURE":
		return model.TrackFailure
	}
	return model.TrackUnknown
}

var carriers = map[string]string{"usps": "usps", "ups": "ups", "fedex": "fedex", "dhl_express": "dhl", "dhl_ecommerce": "dhl"}

// DecodeTracking implements connector.TrackingDecoder.
func (c *Connector) DecodeTracking(_ context.Context, _ string, body []byte) ([]connector.TrackingUpdate, error) {
	ev, err := decode(body)
	if err != nil {
		return nil, err
	}
	if ev.Event != "track_updated" || ev.Data == nil || ev.Data.Status == nil {
		return nil, nil
	}
	d, s := ev.Data, ev.Data.Status
	if d.TrackingNumber == "" {
		return nil, fmt.Errorf("shippo webhook: $.data.tracking_number: missing")
	}
	sub, code := "", s.Status
	if s.Substatus != nil && s.Substatus.Code != "" {
		sub = s.Substatus.Code
		code += "/" + sub
	}
	u := connector.TrackingUpdate{Carrier: carriers[d.Carrier], TrackingNumber: d.TrackingNumber,
		Event: model.TrackingEvent{Status: Status(s.Status, sub), Code: code, Description: s.StatusDetails, Provider: Type}}
	if l := s.Location; l != nil {
		u.Event.Location = strings.Trim(strings.Join([]string{l.City, l.State, l.Country}, ", "), ", ")
	}
	if s.StatusDate != "" {
		at, err := time.Parse(time.RFC3339, s.StatusDate)
		if err != nil {
			return nil, fmt.Errorf("shippo webhook: $.data.tracking_status.status_date: %w", err)
		}
		u.Event.At = at.UTC()
	}
	return []connector.TrackingUpdate{u}, nil
}
