package gateway

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// The supplier portal is mounted under /portal/ only when configured, and
// guards itself: no admin bearer check, no prefix stripped.
func TestPortalMounted(t *testing.T) {
	h := (&Server{}).Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/portal/", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("/portal/ without a portal: %d, want 404", rec.Code)
	}
	s := &Server{Portal: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte(r.URL.Path))
	})}
	h = s.Handler()
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/portal/pos/PO1", nil))
	if rec.Code != http.StatusTeapot || rec.Body.String() != "/portal/pos/PO1" {
		t.Fatalf("/portal/pos/PO1: %d %q", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/portal", nil))
	if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/portal/" {
		t.Fatalf("/portal: %d %q", rec.Code, rec.Header().Get("Location"))
	}
}
