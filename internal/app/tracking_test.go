package app

import "testing"

func TestCarrierDetector(t *testing.T) {
	for number, want := range map[string]string{"1Z5R89390357567127": "ups", "9400111206206406260787": "usps", "986578788855": "fedex"} {
		if got, ok := (carrierDetector{}).DetectCarrier(number); !ok || got != want {
			t.Errorf("DetectCarrier(%s) = %q, %v; want %q", number, got, ok, want)
		}
	}
	if _, ok := (carrierDetector{}).DetectCarrier("not-a-number"); ok {
		t.Error("detected a carrier for garbage")
	}
}

func TestCarrierDetectorNamesCarriers(t *testing.T) {
	for name, want := range map[string]string{"UPS Ground": "ups", "Federal Express": "fedex", "USPS Priority Mail": "usps", "DHL Express": "dhl"} {
		if got, ok := (carrierDetector{}).CarrierFromName(name); !ok || got != want {
			t.Errorf("CarrierFromName(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}
