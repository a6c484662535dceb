// Package supplierapi is a local, in-memory fake of a drop-ship
// supplier's JSON order API, for the http_api connector's tests and for
// end-to-end tests. It enforces the parts of such an API's contract a
// client can get wrong, so a client that would misbehave against a real
// supplier misbehaves here first:
//
//   - a bearer token on every request (401 with a JSON error body);
//   - strict validation of a new order (unknown fields, missing address
//     parts, non-positive or fractional quantities, prices sent as JSON
//     numbers instead of exact decimal strings, more decimals than the
//     currency has): 400 with {"error": {"code", "message", "field"}};
//   - Idempotency-Key: the same key with the same body replays the first
//     answer (header Idempotent-Replayed: true) and creates nothing; the
//     same key with another body is a 422. Only successful answers are
//     remembered, so a request fixed after a 400 goes through;
//   - a duplicate external_ref without a key is a 409 whose body names
//     the existing order (error.order_id), unless WithDuplicateRefs makes
//     the fake accept duplicates the way many real APIs do — which is
//     what makes a client's idempotency observable;
//   - order ids are JSON numbers above 2^53, which float64 cannot hold;
//   - a status endpoint that reports the order shipped, with one package
//     and tracking number per line, a set time after creation (WithShipAfter,
//     driven by an injected clock) or on demand (Ship);
//   - fault injection (WithFaults): a seeded share of requests answered
//     429 with Retry-After or 503 before anything happens, and a share of
//     creates whose answer is lost after the order was made (a 503, or a
//     connection closed without an answer);
//   - an optional quota (WithRateLimit: a token bucket answering 429 with
//     Retry-After, counted in Stats.Throttled);
//   - counters (Stats, Created) so a test can assert that every purchase
//     order was created exactly once.
//
// The plumbing (bearer check, faults, quota, request log, server) is the
// fake kit's (internal/fakes/kit); Server returns it, to inject one-off
// faults (kit.Fault) or read the request log.
//
// The API, under /v2:
//
//	POST /v2/orders                      create  → 201 {"order": …}
//	GET  /v2/orders?external_ref=REF     lookup  → 200 {"orders": […]}
//	GET  /v2/orders/{id}                 status  → 200 {"order": …}
//	POST /v2/orders/{id}/cancel          cancel  → 200 {"order": …}, 409 once shipped
//
// A new order:
//
//	{"external_ref": "PO123", "currency": "USD", "shipping_method": "ground", "note": "",
//	 "ship_to": {"name", "company", "address1", "address2", "city", "region", "postal_code", "country", "phone", "email"},
//	 "lines": [{"line": 1, "sku": "ACME-MUG-R", "quantity": 2, "unit_price": "4.50"}]}
//
// An order: {"id", "external_ref", "status", "currency", "created_at",
// "ship_to", "lines": [{"line", "sku", "quantity", "unit_price", "status",
// "reason"}], "shipments": [{"id", "carrier", "service", "shipped_at",
// "packages": [{"tracking_number", "lines": [{"line", "quantity"}]}]}]}.
// Order statuses: accepted, partially_accepted, rejected, processing,
// shipped, cancelled; line statuses: accepted, rejected, backordered.
package supplierapi
