package app

import "github.com/dropgate/dropgate/internal/tracking"

// carrierDetector is the check-digit detector (internal/tracking) as the
// tracking service's Detector: the most trustworthy reading wins.
type carrierDetector struct{}

// DetectCarrier implements core/app/tracking.Detector.
func (carrierDetector) DetectCarrier(number string) (string, bool) {
	ms := tracking.Detect(number)
	if len(ms) == 0 {
		return "", false
	}
	return ms[0].Carrier, true
}

// CarrierFromName implements core/app/tracking.Namer: "UPS Ground" is ups.
func (carrierDetector) CarrierFromName(name string) (string, bool) {
	return tracking.CarrierFromName(name)
}

// TrackingDetector is the check-digit detector for tools built outside
// an App (`dropgate route --explain` computing scorecards).
func TrackingDetector() interface{ DetectCarrier(string) (string, bool) } {
	return carrierDetector{}
}
