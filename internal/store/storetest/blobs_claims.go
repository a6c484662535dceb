package storetest

import (
	"bytes"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

var blobCases = []testCase{
	{"PutGet", testBlobs},
	{"WithJob", testBlobsWithJob},
}

// A job's blobs are stored with it: readable once Enqueue returns, and
// the job itself is as if it had none.
func testBlobsWithJob(h *harness) {
	body := bytes.Repeat([]byte(`{"line_items":[{"sku":"MUG-1"}]}`), 100)
	id := h.enqueue(store.Job{Queue: "ingest", Kind: "webhook", Payload: []byte("small"), UniqueKey: "d-1",
		Blobs: []store.Blob{{Key: "raw/webhook/shop/1", Data: body}, {Key: "raw/extra", Data: []byte("x")}}})
	if got, err := h.s.GetBlob(h.ctx, "raw/webhook/shop/1"); err != nil || !bytes.Equal(got, body) {
		h.t.Fatalf("GetBlob of the job's body: %d bytes, %v", len(got), err)
	}
	if got, err := h.s.GetBlob(h.ctx, "raw/extra"); err != nil || string(got) != "x" {
		h.t.Fatalf("GetBlob of the job's second blob: %q, %v", got, err)
	}
	_, err := h.s.Enqueue(h.ctx, store.Job{Queue: "ingest", Kind: "webhook", UniqueKey: "d-1",
		Blobs: []store.Blob{{Key: "raw/webhook/shop/2", Data: []byte("dup")}}})
	h.wantErr("Enqueue(duplicate with a blob)", err, store.ErrDuplicate)
	// A refused job leaves no blob of its own behind.
	_, err = h.s.GetBlob(h.ctx, "raw/webhook/shop/2")
	h.wantErr("GetBlob(the duplicate's body)", err, store.ErrNotFound)
	j := h.dequeue(longLease, "ingest")
	if j.ID != id || string(j.Payload) != "small" || len(j.Blobs) != 0 {
		h.t.Fatalf("dequeued %s payload %q blobs %d; want %s, \"small\", none", j.ID, j.Payload, len(j.Blobs), id)
	}
	h.ack(j)
}

var claimCases = []testCase{
	{"FirstClaimWins", testClaimFirstWins},
	{"ExpiresAfterTTL", testClaimTTL},
	{"Release", testClaimRelease},
	{"ZeroTTLForever", testClaimForever},
}

func testBlobs(h *harness) {
	body := []byte("{\"id\":1042}\x00\xff raw bytes")
	if err := h.s.PutBlob(h.ctx, "webhook/1042", body); err != nil {
		h.t.Fatalf("PutBlob: %v", err)
	}
	got, err := h.s.GetBlob(h.ctx, "webhook/1042")
	if err != nil || !bytes.Equal(got, body) {
		h.t.Fatalf("GetBlob = %q, %v; want %q", got, err, body)
	}
	if err := h.s.PutBlob(h.ctx, "webhook/1042", []byte("v2")); err != nil {
		h.t.Fatalf("PutBlob (overwrite): %v", err)
	}
	if got, err := h.s.GetBlob(h.ctx, "webhook/1042"); err != nil || string(got) != "v2" {
		h.t.Fatalf("GetBlob after overwrite = %q, %v", got, err)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	if err := h.s.PutBlob(h.ctx, "file/big", big); err != nil {
		h.t.Fatalf("PutBlob(1 MiB): %v", err)
	}
	if got, err := h.s.GetBlob(h.ctx, "file/big"); err != nil || !bytes.Equal(got, big) {
		h.t.Fatalf("GetBlob(1 MiB): %d bytes, %v", len(got), err)
	}
	_, err = h.s.GetBlob(h.ctx, "webhook/none")
	h.wantErr("GetBlob(missing)", err, store.ErrNotFound)
}

func (h *harness) claim(key string, ttl time.Duration) bool {
	h.t.Helper()
	ok, err := h.s.Claim(h.ctx, key, ttl)
	if err != nil {
		h.t.Fatalf("Claim(%s): %v", key, err)
	}
	return ok
}

func testClaimFirstWins(h *harness) {
	if !h.claim("import:daily", time.Hour) {
		h.t.Fatal("first Claim lost")
	}
	if h.claim("import:daily", time.Hour) {
		h.t.Fatal("second Claim won")
	}
	if !h.claim("import:hourly", time.Hour) {
		h.t.Fatal("Claim of another key lost")
	}
}

func testClaimTTL(h *harness) {
	const ttl = time.Second
	start := time.Now()
	if !h.claim("file:a", ttl) {
		h.t.Fatal("first Claim lost")
	}
	// A second claim wins only once the TTL has run; ended before it
	// could have, the call must lose.
	if h.claim("file:a", ttl) {
		if d := time.Since(start); d < ttl-clockTolerance {
			h.t.Fatalf("Claim won %s into a %s claim", d, ttl)
		}
		h.t.Logf("the test stalled past the TTL (%s) before its second Claim", time.Since(start))
	}
	var won time.Duration
	h.eventually(patience, "claim free after its TTL", func() bool {
		if h.claim("file:a", time.Hour) {
			won = time.Since(start)
			return true
		}
		return false
	})
	if won < ttl-clockTolerance {
		h.t.Fatalf("claim free after %s; TTL %s", won, ttl)
	}
	if h.claim("file:a", time.Hour) {
		h.t.Fatal("the new claim did not hold")
	}
}

func testClaimRelease(h *harness) {
	h.claim("k", time.Hour)
	if err := h.s.Release(h.ctx, "k"); err != nil {
		h.t.Fatalf("Release: %v", err)
	}
	if !h.claim("k", time.Hour) {
		h.t.Fatal("Claim lost after Release")
	}
	if err := h.s.Release(h.ctx, "never-claimed"); err != nil {
		h.t.Fatalf("Release(free key): %v", err)
	}
}

func testClaimForever(h *harness) {
	if !h.claim("once", 0) {
		h.t.Fatal("first Claim lost")
	}
	time.Sleep(quiet)
	if h.claim("once", 0) || h.claim("once", time.Millisecond) {
		h.t.Fatal("a claim with ttl 0 expired")
	}
}
