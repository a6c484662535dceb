// Package all imports every connector so each registers its type; the
// binary imports it once.
package all

import (
	_ "github.com/dropgate/dropgate/connectors/carrier/aftership"
	_ "github.com/dropgate/dropgate/connectors/carrier/dhl"
	_ "github.com/dropgate/dropgate/connectors/carrier/easypost"
	_ "github.com/dropgate/dropgate/connectors/carrier/fedex"
	_ "github.com/dropgate/dropgate/connectors/carrier/shippo"
	_ "github.com/dropgate/dropgate/connectors/carrier/ups"
	_ "github.com/dropgate/dropgate/connectors/carrier/usps"
	_ "github.com/dropgate/dropgate/connectors/channel/bigcommerce"
	_ "github.com/dropgate/dropgate/connectors/channel/magento2"
	_ "github.com/dropgate/dropgate/connectors/channel/shopify"
	_ "github.com/dropgate/dropgate/connectors/channel/woocommerce"
	_ "github.com/dropgate/dropgate/connectors/marketplace/amazon"
	_ "github.com/dropgate/dropgate/connectors/marketplace/ebay"
	_ "github.com/dropgate/dropgate/connectors/marketplace/etsy"
	_ "github.com/dropgate/dropgate/connectors/marketplace/meta_commerce"
	_ "github.com/dropgate/dropgate/connectors/marketplace/walmart"
	_ "github.com/dropgate/dropgate/connectors/payment/authorize_net"
	_ "github.com/dropgate/dropgate/connectors/payment/paypal"
	_ "github.com/dropgate/dropgate/connectors/payment/stripe"
	_ "github.com/dropgate/dropgate/connectors/supplier/edi_x12"
	_ "github.com/dropgate/dropgate/connectors/supplier/edifact"
	_ "github.com/dropgate/dropgate/connectors/supplier/email"
	_ "github.com/dropgate/dropgate/connectors/supplier/http_api"
	_ "github.com/dropgate/dropgate/connectors/supplier/portal"
)
