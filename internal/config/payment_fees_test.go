package config

import (
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/decimal"
)

type testPayConfig struct {
	Key string `yaml:"key"`
}

func parsePay(t *testing.T, yaml string) (*Config, Problems) {
	t.Helper()
	r := registry()
	connector.RegisterIn(r, connector.Spec[testPayConfig]{Type: "testpay", Kind: connector.KindPayment,
		New: func(env connector.Env, _ *testPayConfig) (connector.Connector, error) { return testConn{env}, nil }})
	return Parse("test.yaml", []byte(yaml), Options{Lookup: func(string) (string, bool) { return "", false }, Registry: r})
}

// A payment provider's fees: exact decimals, checked, and only there.
func TestPaymentFees(t *testing.T) {
	cfg, probs := parsePay(t, "payments:\n  - name: card\n    type: testpay\n    key: k\n    fees: { percent: 2.9, fixed: \"0.30\" }\n  - name: free\n    type: testpay\n")
	if len(probs.Errors()) != 0 {
		t.Fatal(probs.Error())
	}
	fees := cfg.PaymentFees()
	if f, ok := fees["card"]; !ok || f.Percent != decimal.New(29, 1) || f.Fixed != decimal.New(30, 2) {
		t.Errorf("card fees = %+v (%v)", f, ok)
	}
	if _, ok := fees["free"]; ok || len(fees) != 1 {
		t.Errorf("a provider without fees has none: %+v", fees)
	}
	for yaml, want := range map[string]string{
		"fees: { percent: 120 }":     `test.yaml:4: payments[0].fees.percent: 120 is outside 0–100`,
		"fees: { fixed: \"-0.30\" }": `test.yaml:4: payments[0].fees.fixed: must not be negative`,
		"fees: { percent: 2.9e0 }":   `payments[0].fees.percent`,
		"fees: { rate: 3 }":          `payments[0].fees.rate: unknown key`,
	} {
		_, probs := parsePay(t, "payments:\n  - name: card\n    type: testpay\n    "+yaml+"\n")
		if !strings.Contains(probs.Error(), want) {
			t.Errorf("%s: want %q, got:\n%s", yaml, want, probs.Error())
		}
	}
}
