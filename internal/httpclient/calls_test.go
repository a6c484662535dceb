package httpclient

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
)

// callLog is a CallObserver that remembers what it was told.
type callLog struct {
	mu    sync.Mutex
	calls []string // "connector outcome"
}

func (l *callLog) ObserveCall(name, outcome string, took time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if took < 0 {
		outcome += " (negative duration)"
	}
	l.calls = append(l.calls, name+" "+outcome)
}

// TestEveryCallIsObserved: the one client tells the metrics about each
// attempt, classified by what came back, under the connector's name.
func TestEveryCallIsObserved(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("status"))
		w.WriteHeader(code)
	}))
	defer srv.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String()
	ln.Close()

	for _, tc := range []struct {
		url  string
		want string
	}{
		{srv.URL + "?status=200", connector.CallOK},
		{srv.URL + "?status=302", connector.CallOK},
		{srv.URL + "?status=404", connector.CallClientError},
		{srv.URL + "?status=429", connector.CallThrottled},
		{srv.URL + "?status=503", connector.CallServerError},
		{closed, connector.CallNetworkError},
	} {
		log := &callLog{}
		c := New(Options{Name: "acme", Calls: log, Retries: -1})
		_, _ = c.R().Get(tc.url)
		log.mu.Lock()
		if len(log.calls) == 0 {
			t.Errorf("%s: not observed", tc.url)
		}
		for _, got := range log.calls {
			if got != "acme "+tc.want {
				t.Errorf("%s: observed %q, want %q", tc.url, got, "acme "+tc.want)
			}
		}
		log.mu.Unlock()
	}
}
