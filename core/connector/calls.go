package connector

import "time"

// CallObserver is told about every outgoing call a connector makes, for
// the per-connector latency and error metrics (DESIGN §1.3 /metrics).
type CallObserver interface {
	// ObserveCall records one call of connector: outcome is one of the
	// Call* outcomes, took the time from request to response headers.
	ObserveCall(connector, outcome string, took time.Duration)
}

// Outcomes of an outgoing call.
const (
	CallOK           = "ok"            // any status below 400
	CallClientError  = "client_error"  // 4xx other than 429
	CallThrottled    = "throttled"     // 429
	CallServerError  = "server_error"  // 5xx
	CallNetworkError = "network_error" // no response: dial, TLS, reset, timeout
)

// CallOutcome classifies a response status (0: no response).
func CallOutcome(status int) string {
	switch {
	case status == 0:
		return CallNetworkError
	case status == 429:
		return CallThrottled
	case status >= 500:
		return CallServerError
	case status >= 400:
		return CallClientError
	}
	return CallOK
}
