package app

import (
	"net"
	"testing"
)

func TestUIURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080/ui/",
		"0.0.0.0:9000":   "http://127.0.0.1:9000/ui/",
		"[::]:8080":      "http://127.0.0.1:8080/ui/",
		"[::1]:8080":     "http://[::1]:8080/ui/",
		"10.0.0.5:80":    "http://10.0.0.5:80/ui/",
	} {
		a, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := uiURL(a); got != want {
			t.Errorf("uiURL(%s) = %s, want %s", addr, got, want)
		}
	}
}
