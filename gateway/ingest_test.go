package gateway

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// writeQueued must answer exactly what the encoder wrote before it, for
// plain ids and for ids the encoder escapes.
func TestWriteQueuedMatchesEncoder(t *testing.T) {
	for _, c := range []struct{ id, delivery string }{
		{"job_4fJ2k", "b1c0e7a2-5b7e-4c1e-9d2f-0a9c3e1d7f10"},
		{"job_1", ""},
		{"job_<1>", "a&b"},
		{"job_1", "quote\"back\\slash"},
		{"job_1", "caf\u00e9\u2028\x01"},
		{"job_1", "bad\xffutf8"},
	} {
		got, want := httptest.NewRecorder(), httptest.NewRecorder()
		writeQueued(got, c.id, c.delivery)
		writeJSON(want, http.StatusOK, map[string]string{"status": "queued", "job": c.id, "delivery": c.delivery})
		if got.Code != want.Code || got.Body.String() != want.Body.String() || got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
			t.Errorf("%q/%q: got %d %q %q; want %d %q %q", c.id, c.delivery, got.Code, got.Header().Get("Content-Type"), got.Body,
				want.Code, want.Header().Get("Content-Type"), want.Body)
		}
	}
}

// readBody reads declared, large and chunked bodies whole, and still
// refuses a chunked body over the limit.
func TestReadBody(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 3000)
	sized := httptest.NewRequest(http.MethodPost, "/webhooks/shop", bytes.NewReader(body))
	got, err := readBody(httptest.NewRecorder(), sized, 4096)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("sized: %d bytes, %v", len(got), err)
	}
	large := bytes.Repeat([]byte("y"), presizeMax+100) // over the presized size: read as it arrives
	got, err = readBody(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/webhooks/shop", bytes.NewReader(large)), 1<<20)
	if err != nil || !bytes.Equal(got, large) {
		t.Fatalf("large: %d bytes, %v", len(got), err)
	}
	chunked := httptest.NewRequest(http.MethodPost, "/webhooks/shop", io.MultiReader(bytes.NewReader(body)))
	chunked.ContentLength = -1
	got, err = readBody(httptest.NewRecorder(), chunked, 4096)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("chunked: %d bytes, %v", len(got), err)
	}
	big := httptest.NewRequest(http.MethodPost, "/webhooks/shop", strings.NewReader(strings.Repeat("x", 5000)))
	big.ContentLength = -1
	var tooBig *http.MaxBytesError
	if _, err := readBody(httptest.NewRecorder(), big, 4096); !errors.As(err, &tooBig) {
		t.Fatalf("chunked over the limit: %v; want a MaxBytesError", err)
	}
	short := httptest.NewRequest(http.MethodPost, "/webhooks/shop", strings.NewReader("abc"))
	short.ContentLength = 10
	if _, err := readBody(httptest.NewRecorder(), short, 4096); err == nil {
		t.Fatal("a body shorter than its Content-Length was read without error")
	}
}
