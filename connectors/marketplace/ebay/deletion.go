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
	"github.com/dropgate/dropgate/core/store"
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

// maxSignatureHeader bounds X-EBAY-SIGNATURE: a P-256 signature and a
// key id encode to about 250 bytes.
const maxSignatureHeader = 2048

var kidRE = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)

type notification struct {
	Metadata struct {
		Topic string `json:"topic"`
	} `json:"metadata"`
	Notification struct {
		NotificationID string `json:"notificationId"`
	} `json:"notification"`
}

// parseSignature reads X-EBAY-SIGNATURE: base64 JSON {alg, kid,
// signature, digest}, ECDSA over SHA-1, the signature DER in base64.
func parseSignature(raw string) (signature, []byte, error) {
	if raw == "" {
		return signature{}, nil, fmt.Errorf("ebay: no %s header", SignatureHeader)
	}
	if len(raw) > maxSignatureHeader {
		return signature{}, nil, fmt.Errorf("ebay: %s is over %d bytes", SignatureHeader, maxSignatureHeader)
	}
	hdr, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return signature{}, nil, fmt.Errorf("ebay: %s is not base64", SignatureHeader)
	}
	var sig signature
	if err := json.Unmarshal(hdr, &sig); err != nil || sig.Signature == "" || !kidRE.MatchString(sig.Kid) {
		return signature{}, nil, fmt.Errorf("ebay: %s is not a signature", SignatureHeader)
	}
	if !strings.EqualFold(sig.Alg, "ecdsa") || !strings.EqualFold(sig.Digest, "SHA1") {
		return signature{}, nil, fmt.Errorf("ebay: signature %s/%s is not ECDSA/SHA1", sig.Alg, sig.Digest)
	}
	der, err := base64.StdEncoding.DecodeString(sig.Signature)
	if err != nil || len(der) == 0 {
		return signature{}, nil, errors.New("ebay: signature is not base64")
	}
	return sig, der, nil
}

// VerifyWebhook does what needs no I/O, on the gateway's request path: an
// X-EBAY-SIGNATURE of the right form (see parseSignature) and a body that
// is a notification. The signature itself is checked in the queued job
// (VerifyDelivery), where the key may be fetched; the header travels with
// the job as the Proof. The delivery id is notification.notificationId,
// stable across eBay's retries.
func (c *Connector) VerifyWebhook(h http.Header, body []byte) (connector.Delivery, error) {
	raw := h.Get(SignatureHeader)
	if _, _, err := parseSignature(raw); err != nil {
		return connector.Delivery{}, fmt.Errorf("%w: %w", err, connector.ErrBadSignature)
	}
	var n notification
	if err := json.Unmarshal(body, &n); err != nil || n.Notification.NotificationID == "" {
		return connector.Delivery{}, fmt.Errorf("ebay: body is not a notification (no notificationId): %w", connector.ErrBadSignature)
	}
	return connector.Delivery{ID: deliveryID(n.Notification.NotificationID, raw, body), Topic: n.Metadata.Topic, Proof: raw}, nil
}

// deliveryID is the dedupe id of a notification: its notificationId and
// a digest of the signature and the body. The signature is checked only
// in the job, so an id of notificationId alone would let a forgery sent
// first under a genuine notification's id make the genuine one a
// duplicate; with the digest a forgery is a delivery of its own (refused
// in its job), and eBay's retries of one signed notification, the same
// bytes, are still one.
func deliveryID(notificationID, signature string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(signature))
	h.Write([]byte{0})
	h.Write(body)
	return notificationID + "." + hex.EncodeToString(h.Sum(nil)[:8])
}

// VerifyDelivery checks, in the queued job, the ECDSA signature of proof
// (the X-EBAY-SIGNATURE VerifyWebhook kept) over SHA-1 of the raw body
// with the public key eBay's Notification API serves for its kid. The key
// is cached (see publicKey); the first notification of a new key fetches
// it. A signature that does not verify, or a kid eBay does not know, is
// permanent; eBay unreachable is retried.
func (c *Connector) VerifyDelivery(ctx context.Context, proof string, body []byte) error {
	sig, der, err := parseSignature(proof)
	if err != nil {
		// A delivery replayed without its header cannot be verified.
		return fault.Permanent(fmt.Errorf("%w: %w", err, connector.ErrBadSignature))
	}
	pub, err := c.publicKey(ctx, sig.Kid)
	if err != nil {
		return fmt.Errorf("ebay: public key %s: %w", sig.Kid, err)
	}
	digest := sha1.Sum(body) //nolint:gosec // eBay's algorithm
	if !ecdsa.VerifyASN1(pub, digest[:], der) {
		return fault.Permanent(fmt.Errorf("ebay: notification signature does not verify with key %s (forged or altered): %w", sig.Kid, connector.ErrBadSignature))
	}
	return nil
}

// keyKind is the state record of a fetched public key, shared with the
// other replicas so a key is fetched once an hour, not once per process.
const keyKind = "notification_key"

// storedKey is a keyKind record.
type storedKey struct {
	PEM     string    `json:"pem"`
	Fetched time.Time `json:"fetched"`
}

// publicKey returns the key of kid fetched less than keyTTL ago: the
// process's copy, else the one a replica stored in env.State, else eBay's,
// from GET /commerce/notification/v1/public_key/{kid} with an application
// token (stored for the others).
func (c *Connector) publicKey(ctx context.Context, kid string) (*ecdsa.PublicKey, error) {
	if k, ok := c.cachedKey(kid); ok {
		return k, nil
	}
	// One lookup at a time: a burst of notifications under a new key
	// waits for the first one's fetch instead of each fetching it.
	c.keyFetch.Lock()
	defer c.keyFetch.Unlock()
	if k, ok := c.cachedKey(kid); ok {
		return k, nil
	}
	now := c.now()
	var version int64
	if c.env.State != nil {
		rec, err := c.env.State.GetRecord(ctx, keyKind, kid)
		switch {
		case err == nil:
			version = rec.Version
			var st storedKey
			if json.Unmarshal(rec.Data, &st) == nil && now.Sub(st.Fetched) < keyTTL {
				if pub, err := ParsePublicKey(st.PEM); err == nil {
					c.keepKey(kid, pubKey{key: pub, fetched: st.Fetched})
					return pub, nil
				}
			}
		case !errors.Is(err, store.ErrNotFound):
			return nil, fault.Retryable(fmt.Errorf("ebay: read cached key: %w", err))
		}
	}
	pem, err := c.fetchKey(ctx, kid)
	if err != nil {
		return nil, err
	}
	pub, err := ParsePublicKey(pem)
	if err != nil {
		return nil, fault.Permanent(fmt.Errorf("ebay: get public key: %w", err))
	}
	c.keepKey(kid, pubKey{key: pub, fetched: now})
	if c.env.State != nil {
		data, _ := json.Marshal(storedKey{PEM: pem, Fetched: now})
		// A conflict is another replica's copy of the same key.
		if _, err := c.env.State.PutRecord(ctx, store.Record{Kind: keyKind, ID: kid, Data: data, Version: version}); err != nil && !errors.Is(err, store.ErrConflict) {
			c.env.Logger.Warn("ebay: notification key not shared", "connector", c.env.Name, "kid", kid, "err", err)
		}
	}
	return pub, nil
}

func (c *Connector) cachedKey(kid string) (*ecdsa.PublicKey, bool) {
	c.mu.Lock()
	k, ok := c.keys[kid]
	c.mu.Unlock()
	return k.key, ok && c.now().Sub(k.fetched) < keyTTL
}

func (c *Connector) keepKey(kid string, k pubKey) {
	c.mu.Lock()
	c.keys[kid] = k
	c.mu.Unlock()
}

// fetchKey asks eBay for kid's key, a one-line PEM.
func (c *Connector) fetchKey(ctx context.Context, kid string) (string, error) {
	tok, err := c.appToken(ctx)
	if err != nil {
		return "", err
	}
	u := *c.api
	u.Path += "/commerce/notification/v1/public_key/" + kid
	req, err := http.NewRequestWithContext(ctx, "GET", u.String(), nil)
	if err != nil {
		return "", fault.Permanent(fmt.Errorf("ebay: get public key: %w", err))
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	var res struct {
		Algorithm string `json:"algorithm"`
		Digest    string `json:"digest"`
		Key       string `json:"key"`
	}
	if err := c.send(req, "get public key", &res); err != nil {
		return "", err
	}
	return res.Key, nil
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

// appToken is an application token, kept in the process until shortly
// before it expires (keys are fetched rarely).
func (c *Connector) appToken(ctx context.Context) (string, error) {
	return c.app.Token(ctx)
}
