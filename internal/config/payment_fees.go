package config

import (
	"reflect"

	"gopkg.in/yaml.v3"

	"github.com/dropgate/dropgate/core/margin"
)

// paymentFeesKey is a payment provider's fee schedule, decoded apart from
// its connector's own keys: `fees: { percent: "2.9", fixed: "0.30" }`.
const paymentFeesKey = "fees"

// decodePaymentFees decodes and checks a payment provider's fees block.
// Both are exact decimals: the loader never reads them as floats.
func (d *decoder) decodePaymentFees(n *yaml.Node, path string) *margin.PaymentFee {
	f := &margin.PaymentFee{}
	d.decode(n, reflect.ValueOf(f).Elem(), path)
	for _, p := range f.Check() {
		d.errorf(nodeAt(n, p[0]), join(path, p[0]), "%s", p[1])
	}
	return f
}

// PaymentFees are the fee schedules of the payment providers that have
// one, by name.
func (c *Config) PaymentFees() map[string]margin.PaymentFee {
	out := map[string]margin.PaymentFee{}
	for _, p := range c.Payments {
		if p.PaymentFees != nil {
			out[p.Name] = *p.PaymentFees
		}
	}
	return out
}
