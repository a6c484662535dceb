package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/testutil"
)

// TestEbayNotificationVerifiedInJob: the gateway accepts an account
// deletion notification whose X-EBAY-SIGNATURE is well formed without
// calling eBay; the queued job fetches the key by kid and verifies. The
// genuine notification (the SDK's VALID vector) is processed; a forgery
// carrying VALID's header over another body is stored, dead-lettered with
// the reason and raised as an exception, and reaches no order. A replay of
// the dead letter fails the same way. A header that is not a signature is
// still a 401 at the gateway.
func TestEbayNotificationVerifiedInJob(t *testing.T) {
	t.Parallel()
	l, fake := ebayLoop(t)
	dir := testutil.ConformanceDir(t)
	valid, err := os.ReadFile(filepath.Join(dir, "channels/ebay/ebay-account-deletion.VALID.raw-body.json"))
	if err != nil {
		t.Fatal(err)
	}
	post := ebayNotification(t, fake, l.srv.url)
	sig := ebaySignatureOf(t, dir)

	// The forgery: another user's deletion, another notification id,
	// under the genuine notification's signature.
	forged := bytes.Replace(valid, []byte(`"test_user"`), []byte(`"victim_user"`), 1)
	forged = bytes.Replace(forged, []byte(`"49feeaeb-`), []byte(`"f0f0f0f0-`), 1)
	if code, body := postEbay(t, l.srv.url, forged, sig); code != http.StatusOK {
		t.Fatalf("forged notification with a well-formed header: %d %s; want 200 (queued, verified in its job)", code, body)
	}
	if code, body := post(); code != http.StatusOK {
		t.Fatalf("genuine notification: %d %s", code, body)
	}
	if code, body := postEbay(t, l.srv.url, valid, "bm90IGEgc2lnbmF0dXJl"); code != http.StatusUnauthorized {
		t.Errorf("a header that is not a signature: %d %s; want 401", code, body)
	}

	type dead struct {
		ID      string               `json:"id"`
		Kind    string               `json:"kind"`
		Meta    map[string]string    `json:"meta"`
		Errors  []store.AttemptError `json:"errors"`
		Payload string               `json:"payload"`
	}
	var forgedDead dead
	magentoWait(t, "the forgery dead-lettered", func() bool {
		var dl struct {
			DeadLetters []dead `json:"dead_letters"`
		}
		l.admin("/dead-letters?limit=100", &dl)
		for _, d := range dl.DeadLetters {
			if d.Kind == "webhook" {
				forgedDead = d
				return true
			}
		}
		return false
	})
	if n := len(forgedDead.Errors); n != 1 || !strings.Contains(forgedDead.Errors[0].Error, "signature does not verify") {
		t.Errorf("dead letter errors %+v; want one attempt failing as 'signature does not verify' (permanent: no retry)", forgedDead.Errors)
	}
	var full dead
	l.admin("/dead-letters/"+forgedDead.ID, &full)
	if full.Payload != string(forged) {
		t.Errorf("the dead letter keeps %q; want the forged body byte for byte (for an operator, or a replay)", full.Payload)
	}
	var xs struct {
		Exceptions []model.Exception `json:"exceptions"`
	}
	// The exception is raised after the burial, by its own step: wait for
	// it rather than read once.
	magentoWait(t, "the dead letter's exception raised", func() bool {
		l.admin("/exceptions?kind=dead_letter&ref="+forgedDead.ID, &xs)
		return len(xs.Exceptions) > 0
	})
	if len(xs.Exceptions) != 1 || !strings.Contains(xs.Exceptions[0].Reason, "signature does not verify") {
		t.Errorf("exceptions %+v; want the dead letter raised with its reason", xs.Exceptions)
	}

	// The genuine notification was verified and processed: its key was
	// fetched (once: cached for both jobs) and its job did not die.
	magentoWait(t, "the ingest queue drained", func() bool {
		var q struct {
			Queues []store.QueueStats `json:"queues"`
		}
		l.admin("/queues", &q)
		for _, s := range q.Queues {
			if s.Queue == "ingest" {
				return s.Ready+s.Scheduled+s.InFlight+s.Waiting == 0
			}
		}
		return false
	})
	var dl struct {
		DeadLetters []dead `json:"dead_letters"`
	}
	l.admin("/dead-letters?limit=100", &dl)
	if len(dl.DeadLetters) != 1 {
		t.Errorf("%d dead letters %+v; want only the forgery", len(dl.DeadLetters), dl.DeadLetters)
	}
	fetches := 0
	for _, rq := range fake.Server().Requests() {
		if strings.HasPrefix(rq.Path, "/commerce/notification/v1/public_key/") {
			fetches++
		}
	}
	if fetches != 1 {
		t.Errorf("%d public key fetches for two notifications of one kid; want 1", fetches)
	}
	var list struct{ Orders []model.Order }
	l.admin("/orders?channel=ebay", &list)
	if len(list.Orders) != 0 {
		t.Errorf("%d orders; a deletion notification, genuine or forged, creates none", len(list.Orders))
	}
}

// ebaySignatureOf is the SDK vector VALID's X-EBAY-SIGNATURE.
func ebaySignatureOf(t *testing.T, dir string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "channels/ebay/ebay-event-notification-sdk.test-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vs map[string]struct {
		Signature string `json:"signature"`
	}
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatal(err)
	}
	return vs["VALID"].Signature
}

// postEbay posts a notification body with an X-EBAY-SIGNATURE header.
func postEbay(t *testing.T, gateway string, body []byte, sig string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, gateway+"/webhooks/ebay", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-EBAY-SIGNATURE", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
