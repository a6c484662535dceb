package config

import (
	"strings"
	"testing"
)

// A supplier's payment_terms: net days after the invoice date, checked.
func TestSupplierPaymentTerms(t *testing.T) {
	cfg, probs := parse(t, "suppliers:\n  - name: s\n    type: testsup\n    payment_terms: { net_days: 45 }\n  - name: u\n    type: testsup\n", nil)
	if len(probs.Errors()) != 0 {
		t.Fatal(probs.Error())
	}
	if n := cfg.Suppliers[0].Supplier.PaymentTerms.Net(); n != 45 {
		t.Errorf("s net days = %d", n)
	}
	if n := cfg.Suppliers[1].Supplier.PaymentTerms.Net(); n != 30 {
		t.Errorf("default net days = %d, want 30", n)
	}
	for yaml, want := range map[string]string{
		"payment_terms: { net_days: -1 }":  `test.yaml:4: suppliers[0].payment_terms.net_days: -1 is outside 0–365`,
		"payment_terms: { net_days: 400 }": `test.yaml:4: suppliers[0].payment_terms.net_days: 400 is outside 0–365`,
		"payment_terms: { net: 30 }":       `suppliers[0].payment_terms.net: unknown key`,
	} {
		_, probs := parse(t, "suppliers:\n  - name: s\n    type: testsup\n    "+yaml+"\n", nil)
		if !strings.Contains(probs.Error(), want) {
			t.Errorf("%s: want %q, got:\n%s", yaml, want, probs.Error())
		}
	}
}
