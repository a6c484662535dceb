// Package aftership is the AfterShip carrier connector: it verifies
// AfterShip's tracking webhooks (aftership-hmac-sha256, base64 HMAC-SHA256
// of the raw body) and decodes tracking_update events into canonical
// tracking updates, keeping the subtag as the carrier's own code.
package aftership

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/trackhook"
)

// Type is the registry name.
const Type = "aftership"

// HeaderSignature carries base64(HMAC-SHA256(secret, raw body)).
const HeaderSignature = "aftership-hmac-sha256"

// Config is the YAML of an AfterShip carrier.
type Config struct {
	// WebhookSecret is the webhook secret from AfterShip's settings.
	WebhookSecret connector.Secret `yaml:"webhook_secret" required:"true"`
	// MaxAge refuses deliveries whose signed `ts` is older than this (0:
	// no limit). AfterShip signs no header timestamp; `ts` is in the body.
	MaxAge time.Duration `yaml:"max_age"`
}

// Check validates values without I/O.
func (c *Config) Check() []connector.Problem {
	if c.MaxAge < 0 {
		return []connector.Problem{{Path: "max_age", Message: "must not be negative"}}
	}
	return nil
}

func init() {
	connector.Register(connector.Spec[Config]{
		Type: Type, Kind: connector.KindCarrier,
		Summary:  "AfterShip trackings: signed tracking_update webhooks in, mapped to the canonical tracking status",
		Defaults: func() *Config { return &Config{} },
		New:      func(env connector.Env, cfg *Config) (connector.Connector, error) { return New(env, cfg), nil },
	})
}

// Connector is a configured AfterShip carrier.
type Connector struct {
	env connector.Env
	cfg *Config
}

// New returns the connector.
func New(env connector.Env, cfg *Config) *Connector { return &Connector{env: env, cfg: cfg} }

// Name is the configured name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "aftership".
func (c *Connector) Type() string { return Type }

// Sign returns the aftership-hmac-sha256 value of body.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

type event struct {
	Event   string `json:"event"`
	EventID string `json:"event_id"`
	TS      int64  `json:"ts"`
	Msg     *struct {
		TrackingNumber string `json:"tracking_number"`
		Slug           string `json:"slug"`
		Tag            string `json:"tag"`
		Subtag         string `json:"subtag"`
		SubtagMessage  string `json:"subtag_message"`
		Checkpoints    []struct {
			Time    string `json:"checkpoint_time"`
			Message string `json:"message"`
		} `json:"checkpoints"`
	} `json:"msg"`
}

func decode(body []byte) (*event, error) {
	var ev event
	if err := trackhook.DecodeJSON("aftership", body, &ev); err != nil {
		return nil, err
	}
	return &ev, nil
}

// VerifyWebhook checks the signature in constant time, then the signed
// body's event id (the dedupe key) and, with max_age, its age.
func (c *Connector) VerifyWebhook(h http.Header, body []byte) (connector.Delivery, error) {
	got := strings.TrimSpace(h.Get(HeaderSignature))
	if got == "" || !hmac.Equal([]byte(got), []byte(Sign(c.cfg.WebhookSecret.Reveal(), body))) {
		return connector.Delivery{}, connector.ErrBadSignature
	}
	ev, err := decode(body)
	if err != nil {
		return connector.Delivery{}, err
	}
	if ev.EventID == "" {
		return connector.Delivery{}, fmt.Errorf("aftership webhook: $.event_id: missing")
	}
	if c.cfg.MaxAge > 0 && c.env.Clock != nil {
		if age := c.env.Clock.Now().Sub(time.Unix(ev.TS, 0)); age > c.cfg.MaxAge || age < -c.cfg.MaxAge {
			return connector.Delivery{}, fmt.Errorf("%w: $.ts is %s away from now (max_age %s)", connector.ErrBadSignature, age.Round(time.Second), c.cfg.MaxAge)
		}
	}
	d := connector.Delivery{ID: ev.EventID, Topic: ev.Event}
	if ev.Msg != nil && ev.Msg.TrackingNumber != "" {
		d.OrderRef = "parcel:" + ev.Msg.TrackingNumber
	}
	return d, nil
}

// Status maps an AfterShip tag and subtag to the canonical status
// (aftership.com/docs/tracking/enum/delivery-sub-statuses): among the
// Exception subtags, Exception_010 is returning to sender, _011 returned
// to sender, _012 damaged and _013 lost; the others (delays, customs,
// refused, bad address…) are recoverable exceptions that keep the status
// (unknown moves nothing). The subtag set is open: a new one keeps the
// status too.
func Status(tag, subtag string) model.TrackingStatus {
	switch tag {
	case "InfoReceived":
		return model.TrackLabelCreated
	case "InTransit":
		return model.TrackInTransit
	case "OutForDelivery":
		return model.TrackOutForDelivery
	case "AttemptFail":
		return model.TrackDeliveryAttempted
	case "AvailableForPickup":
		return model.TrackAvailableForPickup
	case "Delivered":
		return model.TrackDelivered
	case "Exception":
		switch subtag {
		case "Exception_010":
			return model.TrackReturningToSender
		case "Exception_011":
			return model.TrackReturned
		case "Exception_012", "Exception_013":
			return model.TrackFailure
		}
	}
	return model.TrackUnknown
}

var slugs = map[string]string{"usps": "usps", "ups": "ups", "fedex": "fedex", "dhl": "dhl"}

// DecodeTracking implements connector.TrackingDecoder.
func (c *Connector) DecodeTracking(_ context.Context, _ string, body []byte) ([]connector.TrackingUpdate, error) {
	ev, err := decode(body)
	if err != nil {
		return nil, err
	}
	if ev.Event != "tracking_update" || ev.Msg == nil {
		return nil, nil
	}
	m := ev.Msg
	if m.TrackingNumber == "" {
		return nil, fmt.Errorf("aftership webhook %s: $.msg.tracking_number: missing", ev.EventID)
	}
	code := m.Tag
	if m.Subtag != "" {
		code = m.Subtag
	}
	u := connector.TrackingUpdate{Carrier: slugs[m.Slug], TrackingNumber: m.TrackingNumber,
		Event: model.TrackingEvent{Status: Status(m.Tag, m.Subtag), Code: code, Description: m.SubtagMessage, Provider: Type}}
	if n := len(m.Checkpoints); n > 0 {
		cp := m.Checkpoints[n-1]
		if cp.Message != "" {
			u.Event.Description = cp.Message
		}
		// checkpoint_time is the carrier's local time without a zone.
		if at, err := time.Parse("2006-01-02T15:04:05", cp.Time); err == nil {
			u.Event.At = at.UTC()
		} else if at, err := time.Parse(time.RFC3339, cp.Time); err == nil {
			u.Event.At = at.UTC()
		} else if cp.Time != "" {
			return nil, fmt.Errorf("aftership webhook %s: $.msg.checkpoints[%d].checkpoint_time: %w", ev.EventID, n-1, err)
		}
	}
	return []connector.TrackingUpdate{u}, nil
}
