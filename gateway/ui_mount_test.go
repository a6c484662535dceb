package gateway

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// The dashboard is mounted under /ui/ and guards itself: the gateway
// neither adds the bearer check nor strips its path.
func TestUIMounted(t *testing.T) {
	s := &Server{UI: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte(r.URL.Path))
	})}
	h := s.Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/ui/orders", nil))
	if rec.Code != http.StatusTeapot || rec.Body.String() != "/ui/orders" {
		t.Fatalf("/ui/orders: %d %q", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/ui", nil))
	if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/ui/" {
		t.Fatalf("/ui: %d %q", rec.Code, rec.Header().Get("Location"))
	}
}
