package notify

import (
	"net/url"
	"strings"

	core "github.com/dropgate/dropgate/core/app/notify"
)

// trackingPages are the public tracking pages of the carriers whose
// canonical codes dropgate knows, for parcels the supplier reported
// without a link: the customer always gets something to click.
var trackingPages = map[string]string{
	"ups":   "https://www.ups.com/track?tracknum=",
	"fedex": "https://www.fedex.com/fedextrack/?trknbr=",
	"usps":  "https://tools.usps.com/go/TrackConfirmAction?tLabels=",
	"dhl":   "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id=",
}

// withLinks fills in the tracking link of parcels that have none.
func withLinks(ps []core.Parcel) []core.Parcel {
	out := make([]core.Parcel, len(ps))
	for i, p := range ps {
		if page, ok := trackingPages[strings.ToLower(p.Carrier)]; ok && p.URL == "" && p.Number != "" {
			p.URL = page + url.QueryEscape(p.Number)
		}
		out[i] = p
	}
	return out
}
