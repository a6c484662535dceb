package connector

import "net/url"

// ChallengeResponder answers a platform's GET on its webhook URL that
// proves the endpoint is ours before the platform sends anything (eBay's
// account deletion endpoint: GET ?challenge_code=…). The gateway serves
// GET /webhooks/{name} only for a connector that implements it. No I/O.
type ChallengeResponder interface {
	// RespondChallenge returns the JSON body to answer with, or an error
	// (the gateway answers 400) when the query is not a challenge.
	RespondChallenge(q url.Values) (any, error)
}

// PlainChallenge is a challenge answer written as it is, as text/plain,
// not as JSON: Meta's subscription handshake expects hub.challenge echoed
// verbatim.
type PlainChallenge string
