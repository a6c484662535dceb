package ebay

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha1" //nolint:gosec // eBay signs notifications with ECDSA over SHA-1, nothing else
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

// SignatureHeader carries eBay's notification signature.
const SignatureHeader = "X-EBAY-SIGNATURE"

// RespondChallenge answers eBay's endpoint validation, GET
// ?challenge_code=X: {"challengeResponse": hex(SHA-256(X +
// verification_token + endpoint_url))}, in that order, with the endpoint
// exactly as registered.
// https://developer.ebay.com/marketplace-account-deletion
func (c *Connector) RespondChallenge(q url.Values) (any, error) {
	code := q.Get("challenge_code")
	if code == "" {
		return nil, errors.New("ebay: no challenge_code in the query")
	}
	sum := sha256.Sum256([]byte(code + c.cfg.VerificationToken.Reveal() + c.cfg.EndpointURL))
	return map[string]string{"challengeResponse": hex.EncodeToString(sum[:])}, nil
}

// signature is the decoded X-EBAY-SIGNATURE header.
type signature struct {
	Alg       string `json:"alg"`
	Kid       string `json:"kid"`
	Signature string `json:"signature"`
	Digest    string `json:"digest"`
}

// pubKey is a notification public key and when it was fetched.
type pubKey struct {
	key     *ecdsa.PublicKey
	fetched time.Time
}

// keyTTL is how long a fetched public key is trusted before it is
// fetched again (eBay's SDK caches for an hour).
const keyTTL = time.Hour

// keyTimeout bounds the key fetch made while a notification waits.
const keyTimeout = 10 * time.Second

var kidRE = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)

type notification struct {
	Metadata struct {
		Topic string `json:"topic"`
	} `json:"metadata"`
	Notification struct {
		NotificationID string `json:"notificationId"`
	} `json:"notification"`
}

// VerifyWebhook checks a notification's X-EBAY-SIGNATURE: base64 JSON
// {alg, kid, signature, digest}, an ECDSA signature (DER, base64) over
// SHA-1 of the raw body, with the public key eBay's Notification API
// serves for kid. The key is cached; the first notification of a new key
// fetches it (the one call a verification makes; eBay's retries cover a
// failed fetch). The delivery id is notification.notificationId, stable
// across eBay's retries.
func (c *Connector) VerifyWebhook(h http.Header, body []byte) (connector.Delivery, error) {
	raw := h.Get(SignatureHeader)
	if raw == "" {
		return connector.Delivery{}, fmt.Errorf("ebay: no %s header: %w", SignatureHeader, connector.ErrBadSignature)
	}
	hdr, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return connector.Delivery{}, fmt.Errorf("ebay: %s is not base64: %w", SignatureHeader, connector.ErrBadSignature)
	}
	var sig signature
	if err := json.Unmarshal(hdr, &sig); err != nil || sig.Signature == "" || !kidRE.MatchString(sig.Kid) {
		return connector.Delivery{}, fmt.Errorf("ebay: %s is not a signature: %w", SignatureHeader, connector.ErrBadSignature)
	}
	if !strings.EqualFold(sig.Alg, "ecdsa") || !strings.EqualFold(sig.Digest, "SHA1") {
		return connector.Delivery{}, fmt.Errorf("ebay: signature %s/%s is not ECDSA/SHA1: %w", sig.Alg, sig.Digest, connector.ErrBadSignature)
	}
	der, err := base64.StdEncoding.DecodeString(sig.Signature)
	if err != nil {
		return connector.Delivery{}, fmt.Errorf("ebay: signature is not base64: %w", connector.ErrBadSignature)
	}
	ctx, cancel := context.WithTimeout(context.Background(), keyTimeout)
	defer cancel()
	pub, err := c.publicKey(ctx, sig.Kid)
	if err != nil {
		return connector.Delivery{}, fmt.Errorf("ebay: key %s: %w", sig.Kid, errors.Join(err, connector.ErrBadSignature))
	}
	digest := sha1.Sum(body) //nolint:gosec // eBay's algorithm
	if !ecdsa.VerifyASN1(pub, digest[:], der) {
		return connector.Delivery{}, fmt.Errorf("ebay: notification signature does not verify: %w", connector.ErrBadSignature)
	}
	var n notification
	if err := json.Unmarshal(body, &n); err != nil || n.Notification.NotificationID == "" {
		return connector.Delivery{}, fmt.Errorf("ebay: signed notification has no notificationId: %w", connector.ErrBadSignature)
	}
	return connector.Delivery{ID: n.Notification.NotificationID, Topic: n.Metadata.Topic}, nil
}

// publicKey returns the key of kid: the cached one, else eBay's, from
// GET /commerce/notification/v1/public_key/{kid} with an application token.
func (c *Connector) publicKey(ctx context.Context, kid string) (*ecdsa.PublicKey, error) {
	now := c.now()
	c.mu.Lock()
	k, ok := c.keys[kid]
	c.mu.Unlock()
	if ok && now.Sub(k.fetched) < keyTTL {
		return k.key, nil
	}
	tok, err := c.appToken(ctx)
	if err != nil {
		return nil, err
	}
	u := *c.api
	u.Path += "/commerce/notification/v1/public_key/" + kid
	req, err := http.NewRequestWithContext(ctx, "GET", u.String(), nil)
	if err != nil {
		return nil, fault.Permanent(fmt.Errorf("ebay: get public key: %w", err))
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	var res struct {
		Algorithm string `json:"algorithm"`
		Digest    string `json:"digest"`
		Key       string `json:"key"`
	}
	if err := c.send(req, "get public key", &res); err != nil {
		return nil, err
	}
	pub, err := ParsePublicKey(res.Key)
	if err != nil {
		return nil, fault.Permanent(fmt.Errorf("ebay: get public key: %w", err))
	}
	c.mu.Lock()
	c.keys[kid] = pubKey{key: pub, fetched: now}
	c.mu.Unlock()
	return pub, nil
}

// ParsePublicKey reads eBay's key: a PEM block written on one line
// ("-----BEGIN PUBLIC KEY-----MFkw…-----END PUBLIC KEY-----").
func ParsePublicKey(s string) (*ecdsa.PublicKey, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "-----BEGIN PUBLIC KEY-----")
	s = strings.TrimSuffix(s, "-----END PUBLIC KEY-----")
	s = strings.Join(strings.Fields(s), "")
	der, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("public key is not base64: %w", err)
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	pub, ok := k.(*ecdsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("public key is %T, not ECDSA", k)
	}
	return pub, nil
}

// appToken is an application token (client credentials grant), which
// the Notification API asks for; kept in memory until shortly before it
// expires (keys are fetched rarely).
func (c *Connector) appToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	t := c.app
	c.mu.Unlock()
	if t.Token != "" && c.now().Add(tokenMargin).Before(t.Expires) {
		return t.Token, nil
	}
	t, err := c.grant(ctx, url.Values{"grant_type": {"client_credentials"}, "scope": {"https://api.ebay.com/oauth/api_scope"}})
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	c.app = t
	c.mu.Unlock()
	return t.Token, nil
}
