// Package shopifyfake is a local, in-memory fake of the Shopify Admin REST
// API that enforces the parts of the contract dropgate depends on, so that a
// client which would misbehave against production misbehaves here first:
//
//   - versioned paths (/admin/api/{version}/....json) and the
//     X-Shopify-API-Version header;
//   - the X-Shopify-Access-Token check (401 with Shopify's body);
//   - the REST leaky bucket per shop and app (40 calls, leaking 2/s by
//     default) with X-Shopify-Shop-Api-Call-Limit on every authenticated
//     response and 429 + Retry-After: 2.0 when full, driven by an injected
//     clock so tests never sleep;
//   - integer IDs above 2^53 that float64 cannot hold (every ID is odd and
//     in [2^53, 2^54), where float64 only represents even numbers);
//   - money as decimal strings, Shopify's error body shapes, cursor
//     pagination through the Link header;
//   - fulfillment orders and fulfillment-order based fulfillments that
//     refuse to fulfil more than remains, and the legacy order-based
//     fulfillment endpoint failing the way it does on current versions.
//
// README.md in this folder lists what is and is not modelled.
//
// # Use in tests
//
//	f := shopifyfake.New(shopifyfake.WithClock(clk))
//	order, err := f.AddOrder(shopifyfake.NewOrder{...})
//	c, err := f.Client("", "2025-01")        // a *goshopify.Client wired to f
//	got, err := c.Order.Get(ctx, order.ID, nil)
//	if f.Throttled("") != 0 { ... }          // assert "zero 429s"
//
// # Pointing go-shopify at the fake
//
// go-shopify v4 has no base-URL option: NewClient derives
// https://{shop}.myshopify.com from the shop name and keeps it unexported.
// What it does offer is goshopify.WithHTTPClient, so the fake provides a
// transport instead (Fake.Transport) that leaves the request untouched
// except for where it goes: the Host header still names the shop, which is
// how the fake tells shops apart. Until Start is called the transport serves
// requests in-process (no socket); after Start it sends them over loopback
// HTTP to the started server. Fake.Client does the wiring:
//
//	goshopify.NewClient(app, "shop.myshopify.com", token,
//		goshopify.WithVersion(version),
//		goshopify.WithHTTPClient(&http.Client{Transport: f.Transport()}))
//
// # Use as a server (dropgate demo)
//
// Fake is an http.Handler; ListenAndServe runs it on an address until the
// context ends. A request whose Host is not a configured *.myshopify.com
// domain (say 127.0.0.1:8081) is served as the first configured shop, so a
// client with a plain base URL works without Host tricks.
//
// # go-shopify and 429
//
// By default (no goshopify.WithRetry) go-shopify does not retry: a 429
// becomes goshopify.RateLimitError with RetryAfter = int(Retry-After
// seconds). With WithRetry(n) it makes up to n attempts in total (n-1
// retries; WithRetry(1) retries nothing) and between them calls
// time.Sleep(RetryAfter): it ignores the request's context and blocks the
// calling goroutine, and a fractional Retry-After below 1 truncates to 0,
// so it would retry at once. 503 is retried immediately, without sleeping.
// dropgate's connector therefore must not use WithRetry: it should surface
// the RateLimitError and let the queue reschedule the job. Note also that a
// goshopify.Client writes RateLimits and an attempt counter on every call
// without a lock, so one Client must not be shared by concurrent goroutines.
package shopifyfake
