package kit

import (
	"net/http"
	"strconv"
	"time"
)

// Platform quotas with the headers each platform sends, as documented
// (../shared/research/channel-apis.md §0 and the sources it cites). A fake
// picks one and sets it as Options.Limit.

// ShopifyREST is Shopify's REST leaky bucket per shop and app (40 calls
// leaking 2/s on standard plans, 80 and 4 on Plus):
// X-Shopify-Shop-Api-Call-Limit: used/capacity on every answer, and on a
// 429 Retry-After: 2.0 whatever the actual wait.
// https://shopify.dev/docs/api/admin-rest/usage/rate-limits
func ShopifyREST(capacity int, leakPerSecond float64) *LeakyBucket {
	return &LeakyBucket{
		Capacity: capacity, LeakPerSecond: leakPerSecond,
		UsageHeader: "X-Shopify-Shop-Api-Call-Limit", RetryAfter: "2.0",
		Message: "Exceeded " + strconv.FormatFloat(leakPerSecond, 'f', -1, 64) +
			" calls per second for api client. Reduce request rates to resume uninterrupted service.",
	}
}

// BigCommerce is BigCommerce's quota per store and window (150 per 30 s
// on Standard and Plus plans), shared by every app: set Options.LimitKey
// to the store alone. Every answer carries X-Rate-Limit-Time-Window-Ms,
// -Time-Reset-Ms, -Requests-Quota and -Requests-Left; a 429 has no
// Retry-After (clients wait Time-Reset-Ms).
// https://developer.bigcommerce.com/docs/start/best-practices/api-rate-limits
func BigCommerce(quota int, window time.Duration) *FixedWindow {
	return &FixedWindow{Quota: quota, Window: window, Message: "Too many requests",
		Headers: func(s WindowState) http.Header {
			h := http.Header{}
			h.Set("X-Rate-Limit-Time-Window-Ms", strconv.FormatInt(s.Window.Milliseconds(), 10))
			h.Set("X-Rate-Limit-Time-Reset-Ms", strconv.FormatInt(s.Reset.Milliseconds(), 10))
			h.Set("X-Rate-Limit-Requests-Quota", strconv.Itoa(s.Quota))
			h.Set("X-Rate-Limit-Requests-Left", strconv.Itoa(s.Left))
			return h
		}}
}

// AmazonSP is a Selling Partner API operation's token bucket (getOrders:
// 0.0167/s, burst 20; confirmShipment: 2/s, burst 10): every answer
// carries x-amzn-RateLimit-Limit with the rate; a 429 is QuotaExceeded
// (with AmazonErrors) and has no Retry-After.
// https://developer-docs.amazon.com/sp-api/docs/usage-plans-and-rate-limits
func AmazonSP(rate float64, burst int) *TokenBucket {
	return &TokenBucket{Rate: rate, Burst: burst, NoRetryAfter: true,
		Message: "You exceeded your quota for the requested resource.",
		Headers: func(s TokenState) http.Header {
			h := http.Header{}
			h.Set("x-amzn-RateLimit-Limit", strconv.FormatFloat(s.Rate, 'f', -1, 64))
			return h
		}}
}

// Etsy is Etsy Open API v3's two quotas per app key (10 per second and
// 10,000 per day by default), with x-limit-per-second,
// x-remaining-this-second, x-limit-per-day and x-remaining-today. Etsy's
// day is sliding; a fixed day is close enough for a fake.
func Etsy(perSecond, perDay int) Limiter {
	window := func(limit, remaining string, quota int, d time.Duration) *FixedWindow {
		return &FixedWindow{Quota: quota, Window: d, RetryAfter: true, Message: "Too many requests",
			Headers: func(s WindowState) http.Header {
				h := http.Header{}
				h.Set(limit, strconv.Itoa(s.Quota))
				h.Set(remaining, strconv.Itoa(s.Left))
				return h
			}}
	}
	return All(window("x-limit-per-second", "x-remaining-this-second", perSecond, time.Second),
		window("x-limit-per-day", "x-remaining-today", perDay, 24*time.Hour))
}

// Walmart is a Walmart Marketplace API's token bucket, with
// x-current-token-count and x-next-replenishment-time (epoch
// milliseconds) on every answer.
// https://developer.walmart.com/us-marketplace/docs/throttling
func Walmart(rate float64, burst int) *TokenBucket {
	return &TokenBucket{Rate: rate, Burst: burst, Message: "Request rate limit exceeded",
		Headers: func(s TokenState) http.Header {
			h := http.Header{}
			h.Set("x-current-token-count", strconv.Itoa(s.Tokens))
			h.Set("x-next-replenishment-time", strconv.FormatInt(s.At.Add(s.Next).UnixMilli(), 10))
			return h
		}}
}
