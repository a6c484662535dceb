// Package connectortest is the conformance suite of each connector
// capability, run by every connector that offers it (as
// internal/store/storetest is for stores). A connector's folder has a
// suite_test.go that builds a harness — how to make the connector against
// its platform's fake, samples, how to observe effects on the fake — and
// calls the Run function of each capability it offers:
//
//	RunWebhooks      verify and decode deliveries: valid, tampered body, wrong
//	                 secret, missing header, replayed delivery id, oversized,
//	                 unsigned ping; a connector.DeliveryVerifier (eBay) is
//	                 verified in both stages, its job's refusals permanent
//	RunDecode        every conformance sample decodes with every value checked;
//	                 ids beyond 2^53; zero- and three-decimal currencies;
//	                 malformed payloads are permanent errors saying where
//	RunPollOrders    orders since a cursor: paging, a repeated last page,
//	                 clock skew
//	RunFulfillment   push a shipment; RunInventory, RunPrices, RunCancelOrder
//	                 likewise: 429 with and without Retry-After honoured, no
//	                 retry of another 4xx, the limiter asked and the quota
//	                 never exceeded, cancelled contexts, a replay or a lost
//	                 answer makes no second effect
//	RunPurchaseOrders send and cancel purchase orders: one document per PO
//	                 whatever the retries, the HTTP cases above for an API
//	RunDocuments     read supplier documents from the inbox: list, read,
//	                 parse, archive; stable ids; garbage never panics
//	RunStatusPoll    poll a supplier API for the status of open POs
//	RunTracking      poll a carrier's tracking API for a parcel's events
//
// The suites are strict and honest: no timing assertions (a fake clock
// moves instead, faults are injected through the fake kit and waited for
// by signal), and "the limiter is respected" means the connector asks the
// limiter before its calls and the fake never counts a quota violation.
//
// Each Run function takes a *testing.T; the suite's own tests run it
// against deliberately broken connectors with a recorder in its place
// and assert that it fails.
package connectortest
