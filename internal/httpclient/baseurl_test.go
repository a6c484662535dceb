package httpclient

import "testing"

func TestBaseURL(t *testing.T) {
	if u, err := BaseURL("https://api.example.com/v3/"); err != nil || u.String() != "https://api.example.com/v3" {
		t.Errorf("a good URL: %v, %v; want it without the trailing slash", u, err)
	}
	for _, raw := range []string{"ftp://x", "/relative", "http://", "%zz"} {
		if _, err := BaseURL(raw); err == nil {
			t.Errorf("%q taken as a base URL", raw)
		}
		if ps := CheckURL("base_url", raw); len(ps) != 1 || ps[0].Path != "base_url" || ps[0].Message != `"`+raw+`" is not an http(s) URL` {
			t.Errorf("check of %q: %+v", raw, ps)
		}
	}
	if ps := CheckURL("base_url", ""); ps != nil {
		t.Errorf("an empty key (the default) refused: %+v", ps)
	}
}
