package oauthtoken

import (
	"encoding/json"
	"time"
)

// Token is the shared record: an access token, when it expires and when
// it was minted, and a rotating grant's current refresh token.
type Token struct {
	Access    string    `json:"access"`
	ExpiresAt time.Time `json:"expires_at"`
	Refresh   string    `json:"refresh,omitempty"`
	Minted    time.Time `json:"minted,omitzero"` // zero in records from before it was kept
}

// UnmarshalJSON also reads the records the connectors wrote before they
// shared this package ({"token", "expires_at"}; eBay's {"token",
// "expires"}), so an upgrade adopts the live token instead of minting.
func (t *Token) UnmarshalJSON(b []byte) error {
	type plain Token
	var v struct {
		plain
		Token   string    `json:"token"`
		Expires time.Time `json:"expires"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*t = Token(v.plain)
	if t.Access == "" {
		t.Access = v.Token
	}
	if t.ExpiresAt.IsZero() {
		t.ExpiresAt = v.Expires
	}
	return nil
}
