package ebay

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // eBay's algorithm
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/ebayfake"
	"github.com/dropgate/dropgate/internal/testutil"
)

// suiteKid is the key id the suite's deliveries are signed under.
const suiteKid = "9936261a-7d7b-4621-a0f1-96ccb428af49"

// keyOf is the suite's stand-in for eBay's signing key: an ECDSA P-256
// key derived from the suite's "secret", so another secret is another key.
func keyOf(t testing.TB, secret string) *ecdsa.PrivateKey {
	sum := sha256.Sum256([]byte("ebay-suite-key:" + secret))
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), sum[:])
	if err != nil {
		t.Fatalf("derive key: %v", err)
	}
	return k
}

// pemOneLine writes a public key as eBay's getPublicKey does.
func pemOneLine(t testing.TB, k *ecdsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return "-----BEGIN PUBLIC KEY-----" + base64.StdEncoding.EncodeToString(der) + "-----END PUBLIC KEY-----"
}

func TestSuiteWebhooks(t *testing.T) {
	body := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(testutil.ConformanceDir(t), "channels/ebay", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	valid := body("ebay-account-deletion.VALID.raw-body.json")
	second := []byte(`{"metadata":{"topic":"MARKETPLACE_ACCOUNT_DELETION","schemaVersion":"1.0","deprecated":false},"notification":{"notificationId":"suite-second-notification","eventDate":"2026-03-14T15:09:26.000Z","publishDate":"2026-03-14T15:09:27.000Z","publishAttemptCount":1,"data":{"username":"other_user","userId":"xy12","eiasToken":"nY+sHZ2PrBmdj6wVnY=="}}}`)
	connectortest.RunWebhooks(t, connectortest.WebhookHarness{
		New: func(r *connectortest.Rig, secret string) connector.Connector {
			f := ebayfake.New(ebayfake.WithClock(r.Clock))
			k := keyOf(t, secret)
			f.AddKey(suiteKid, pemOneLine(t, &k.PublicKey))
			return suiteConnector(r, &Config{}, f.Transport())
		},
		Sign: func(secret, _, _ string, b []byte) http.Header {
			digest := sha1.Sum(b) //nolint:gosec // eBay's algorithm
			sig, err := ecdsa.SignASN1(rand.Reader, keyOf(t, secret), digest[:])
			if err != nil {
				t.Fatal(err)
			}
			hdr, _ := json.Marshal(signature{Alg: "ecdsa", Kid: suiteKid, Signature: base64.StdEncoding.EncodeToString(sig), Digest: "SHA1"})
			h := http.Header{}
			h.Set(SignatureHeader, base64.StdEncoding.EncodeToString(hdr))
			return h
		},
		Samples: []connectortest.WebhookSample{
			{Topic: TopicAccountDeletion, Body: valid, Kind: connector.EventIgnored},
			{Topic: TopicAccountDeletion, Body: second, Kind: connector.EventIgnored},
		},
		Required: []string{SignatureHeader},
	})
}
