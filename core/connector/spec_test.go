package connector_test

import (
	"context"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
)

type toyConfig struct{ Cancel bool }

type toy struct{ cfg *toyConfig }

func (toy) Name() string { return "toy" }
func (toy) Type() string { return "toy" }
func (toy) SendPO(context.Context, *model.PurchaseOrder, *model.Order) (connector.Sent, error) {
	return connector.Sent{}, nil
}
func (toy) CancelPO(context.Context, *model.PurchaseOrder, *model.Order) (connector.Sent, error) {
	return connector.Sent{}, nil
}
func (t toy) Capabilities() connector.Caps {
	c := connector.Caps{Offers: []connector.Capability{connector.CapSendPO}}
	if t.cfg.Cancel {
		c.Offers = append(c.Offers, connector.CapCancelPO)
	}
	return c
}

func TestTypedSpecAndCapabilities(t *testing.T) {
	r := connector.NewRegistry()
	connector.RegisterIn(r, connector.Spec[toyConfig]{Type: "toy", Kind: connector.KindSupplier,
		Defaults: func() *toyConfig { return &toyConfig{Cancel: true} },
		New:      func(_ connector.Env, c *toyConfig) (connector.Connector, error) { return toy{c}, nil }})
	reg, ok := r.Lookup("toy")
	if !ok || reg.Namespace != "toy" {
		t.Fatalf("lookup: %+v %v", reg, ok)
	}
	cfg := reg.NewConfig()
	inst, err := reg.Build(connector.Env{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := connector.As[connector.POCanceller](inst); !ok {
		t.Error("the default config turns cancellation on")
	}
	cfg.(*toyConfig).Cancel = false
	inst, _ = reg.Build(connector.Env{}, cfg)
	if _, ok := connector.As[connector.POCanceller](inst); ok {
		t.Error("cancellation offered while the config turns it off")
	}
	if _, ok := connector.As[connector.POSender](inst); !ok {
		t.Error("sending lost")
	}
	if _, err := reg.Build(connector.Env{}, &struct{}{}); err == nil {
		t.Error("a config of another type was accepted")
	}
	defer func() {
		if recover() == nil {
			t.Error("a duplicate type was registered")
		}
	}()
	connector.RegisterIn(r, connector.Spec[toyConfig]{Type: "toy", Kind: connector.KindSupplier,
		New: func(connector.Env, *toyConfig) (connector.Connector, error) { return nil, nil }})
}

// A connector that is no Describer offers every capability interface it
// implements.
func TestCapsOfWithoutDescriber(t *testing.T) {
	caps := connector.CapsOf(struct {
		connector.Connector
		connector.POSender
	}{toy{&toyConfig{}}, toy{&toyConfig{}}})
	if !caps.Has(connector.CapSendPO) || caps.Has(connector.CapCancelPO) {
		t.Errorf("caps = %+v", caps)
	}
}
