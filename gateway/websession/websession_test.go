package websession

import (
	"net/http/httptest"
	"testing"
	"time"
)

func TestStoreExpiresAndDrops(t *testing.T) {
	var s Store[string]
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	id, sess := s.Create("ann", now, time.Hour)
	if got, ok := s.Get(id, now.Add(59*time.Minute)); !ok || got.V != "ann" || got.CSRF != sess.CSRF || sess.CSRF == "" || sess.CSRF == id {
		t.Fatalf("live session: %+v %v", got, ok)
	}
	if _, ok := s.Get(id, now.Add(61*time.Minute)); ok {
		t.Fatal("an expired session is still live")
	}
	id, _ = s.Create("bob", now, time.Hour)
	s.Drop(id)
	if _, ok := s.Get(id, now); ok {
		t.Fatal("a dropped session is still live")
	}
	if _, ok := s.Get("", now); ok {
		t.Fatal("the empty id opened a session")
	}
}

func TestEqualRefusesEmpty(t *testing.T) {
	if Equal("", "") || !Equal("a", "a") || Equal("a", "b") {
		t.Fatal("Equal")
	}
}

func TestCookieSecureOnlyOverTLS(t *testing.T) {
	for _, tls := range []bool{false, true} {
		r := httptest.NewRequest("GET", "http://x/portal/", nil)
		if tls {
			r = httptest.NewRequest("GET", "https://x/portal/", nil)
		}
		w := httptest.NewRecorder()
		SetCookie(w, r, "/portal/", "c", "v", 60)
		c := w.Result().Cookies()[0]
		if c.Secure != tls || !c.HttpOnly || c.SameSite != 3 || c.Path != "/portal/" {
			t.Errorf("tls=%v: cookie %+v", tls, c)
		}
	}
}
