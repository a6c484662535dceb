package etsy

import (
	"context"
	"net/url"
	"strings"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
)

// carriers maps canonical carrier codes to Etsy's carrier_name values.
// Etsy publishes its list in the Shop Manager, not in the API reference;
// these are the common ones, and anything else is sent as "other" (the
// tracking code still reaches the buyer).
var carriers = map[string]string{
	"usps": "usps", "ups": "ups", "fedex": "fedex", "dhl": "dhl", "dhl_express": "dhl-express",
	"canada_post": "canada-post", "royal_mail": "royal-mail", "australia_post": "australia-post",
	"deutsche_post": "deutsche-post", "dpd": "dpd", "gls": "gls", "hermes": "hermes", "evri": "evri",
	"la_poste": "la-poste", "colissimo": "colissimo", "postnl": "postnl", "japan_post": "japan-post",
}

// CarrierName is Etsy's carrier_name for a canonical carrier code.
func CarrierName(code string) string {
	if n, ok := carriers[strings.ToLower(strings.TrimSpace(code))]; ok {
		return n
	}
	return "other"
}

// PushFulfillment sends each parcel's tracking:
// POST /v3/application/shops/{shop_id}/receipts/{receipt_id}/tracking
// (form: tracking_code, carrier_name, send_bcc). Each call emails the
// buyer, so it is idempotent by reading the receipt first and skipping
// the parcels whose tracking code Etsy already has: a lost answer
// retried sends nothing twice.
func (c *Connector) PushFulfillment(ctx context.Context, o *model.Order, sh *model.Shipment) (string, error) {
	rid := o.ChannelOrderID
	if rid == "" {
		return "", fault.Permanentf("etsy: shipment %s: the order has no receipt_id", sh.ID)
	}
	if len(sh.Packages) == 0 {
		return "", fault.Permanentf("etsy: receipt %s: shipment %s has no parcel", rid, sh.ID)
	}
	for _, p := range sh.Packages {
		if p.TrackingNumber == "" {
			return "", fault.Permanentf("etsy: receipt %s: shipment %s has a parcel without a tracking number", rid, sh.ID)
		}
	}
	ctx, err := c.reserve(ctx, 1+len(sh.Packages)) // the receipt, then a call per parcel
	if err != nil {
		return "", err
	}
	path := "/v3/application/shops/" + url.PathEscape(c.cfg.ShopID) + "/receipts/" + url.PathEscape(rid)
	var cur eReceipt
	if err := c.do(ctx, "receipt "+rid+": read", "GET", path, nil, nil, &cur); err != nil {
		return "", err
	}
	have := map[string]bool{}
	for _, s := range cur.Shipments {
		have[s.TrackingCode] = true
	}
	for _, p := range sh.Packages {
		if have[p.TrackingNumber] {
			continue
		}
		form := url.Values{"tracking_code": {p.TrackingNumber}, "carrier_name": {CarrierName(firstNonEmpty(p.Carrier, sh.Carrier))},
			"send_bcc": {"false"}}
		if err := c.do(ctx, "receipt "+rid+": tracking", "POST", path+"/tracking", nil, form, nil); err != nil {
			return "", err
		}
		have[p.TrackingNumber] = true
	}
	return rid + ":" + sh.Packages[0].TrackingNumber, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
