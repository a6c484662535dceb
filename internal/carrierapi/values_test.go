package carrierapi

import (
	"testing"
	"time"
)

func TestValues(t *testing.T) {
	if got := Normal(" 1z 999 aa1 "); got != "1Z999AA1" {
		t.Errorf("Normal = %q", got)
	}
	if got := Place(" Austin", "", "TX ", "US"); got != "Austin, TX, US" {
		t.Errorf("Place = %q", got)
	}
	if p := CheckBaseURL("ftp://x"); len(p) != 1 || p[0].Path != "base_url" {
		t.Errorf("ftp base_url: %v", p)
	}
	if p := CheckBaseURL(""); p != nil {
		t.Errorf("default base_url: %v", p)
	}
	if b, err := BaseURL("ups", "https://wwwcie.ups.com/", "https://d"); err != nil || b != "https://wwwcie.ups.com" {
		t.Errorf("BaseURL = %q %v", b, err)
	}
	want := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	for _, s := range []string{"2026-01-02T10:04:05-05:00", "2026-01-02T15:04:05Z"} {
		if got, err := ParseTime(s); err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v %v", s, got, err)
		}
	}
	if got, err := ParseTime("2026-01-02T15:04:05"); err != nil || !got.Equal(want) {
		t.Errorf("zoneless = %v %v", got, err)
	}
	if _, err := ParseTime("tomorrow"); err == nil {
		t.Error("garbage time accepted")
	}
}
