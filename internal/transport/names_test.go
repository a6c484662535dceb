package transport

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

var safeName = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

func TestDerivedName(t *testing.T) {
	long := strings.Repeat("n", 240)
	for _, tc := range []struct{ inbound, suffix, want string }{
		{"inbound/ASN 2026-11-22.edi", ".000000077-31.997.x12", "ASN_2026-11-22.000000077-31.997.x12"},
		{`C:\partner\desadv 51.edi`, ".51.contrl.edi", "desadv_51.51.contrl.edi"},
		{".edi", ".1.contrl.edi", "inbound.1.contrl.edi"},
		{"", ".1.contrl.edi", "inbound.1.contrl.edi"},
		{"Bestellbestätigung.x12", ".5-5.997.x12", "Bestellbest_tigung.5-5.997.x12"},
	} {
		if got := DerivedName(tc.inbound, tc.suffix); got != tc.want {
			t.Errorf("DerivedName(%q, %q) = %q, want %q", tc.inbound, tc.suffix, got, tc.want)
		}
	}
	seen := map[string]string{}
	for _, tc := range []struct{ inbound, suffix string }{
		{long + "-a.edi", ".000000005-5.997.x12"},
		{long + "-b.edi", ".000000005-5.997.x12"},
		{long + "-a.x12", ".000000005-5.997.x12"},
		{long + "-a.edi", ".000000006-6.997.x12"},
		{strings.Repeat("é", 200) + ".edi", ".7.contrl.edi"},
		{"short.edi", "." + strings.Repeat("9", 300) + ".contrl.edi"},
	} {
		got := DerivedName(tc.inbound, tc.suffix)
		if len(got) > MaxDerivedNameLen || !safeName.MatchString(got) {
			t.Errorf("DerivedName(%d bytes, %d bytes) = %q (%d bytes): want at most %d safe bytes", len(tc.inbound), len(tc.suffix), got, len(got), MaxDerivedNameLen)
		}
		if !strings.HasSuffix(got, ".edi") && !strings.HasSuffix(got, ".x12") {
			t.Errorf("%q lost its extension", got)
		}
		if len(tc.suffix) < 40 && !strings.HasSuffix(got, tc.suffix) {
			t.Errorf("%q lost the suffix %q", got, tc.suffix)
		}
		if again := DerivedName(tc.inbound, tc.suffix); again != got {
			t.Errorf("not deterministic: %q then %q", got, again)
		}
		if prev, dup := seen[got]; dup {
			t.Errorf("%q and %q both give %q", prev, tc.inbound+tc.suffix, got)
		}
		seen[got] = tc.inbound + tc.suffix
	}
}

func TestCheckInboundName(t *testing.T) {
	for _, name := range []string{"asn.edi", "ASN 2026-11-22.x12", strings.Repeat("é", 127) + "x", "weird;name$.edi"} {
		if err := CheckInboundName(name); err != nil {
			t.Errorf("%q refused: %v", name, err)
		}
	}
	for name, want := range map[string]string{
		"":                         "invalid file name",
		"..":                       "invalid file name",
		"../out/x":                 "path separator",
		`..\out\x`:                 "path separator",
		"a\x00b":                   "control character",
		"line\nbreak.edi":          "control character",
		strings.Repeat("x", 256):   "256 bytes, over the limit of 255",
		strings.Repeat("é", 128):   "256 bytes",
		strings.Repeat("x", 10000): "10000 bytes",
	} {
		err := CheckInboundName(name)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckInboundName(%.20q) = %v, want %q", name, err, want)
		}
		if err != nil && len(err.Error()) > 200 {
			t.Errorf("message of %d bytes for a %d-byte name: names must be cut", len(err.Error()), len(name))
		}
	}
}

// Every name Archive may try, and every temporary name, fits the file
// system whatever the length of the original; the archive names are
// distinct.
func TestArchiveAndTempNamesAreBounded(t *testing.T) {
	for _, name := range []string{"a.edi", strings.Repeat("n", 250) + ".edi", strings.Repeat("é", 127) + "x"} {
		seen := map[string]bool{}
		for i := range archiveTries {
			c := archiveCandidate(name, i)
			if len(c) > MaxNameLen || !utf8.ValidString(c) || seen[c] {
				t.Errorf("candidate %d of a %d-byte name: %d bytes, valid UTF-8 %v, repeated %v", i, len(name), len(c), utf8.ValidString(c), seen[c])
			}
			seen[c] = true
		}
		if archiveCandidate(name, 1) != name+".1" && len(name) < 250 {
			t.Errorf("first alternative of %q is %q, want %q", name, archiveCandidate(name, 1), name+".1")
		}
		tmp := tempName(name)
		if len(tmp) > MaxNameLen || !utf8.ValidString(tmp) || !isTempName(tmp) {
			t.Errorf("tempName of a %d-byte name: %q (%d bytes)", len(name), tmp, len(tmp))
		}
	}
	for _, name := range []string{".keep", ".x.tmp-partner", "PO.850.x12", ".x.tmp-0123456789AB"} {
		if isTempName(name) {
			t.Errorf("%q taken for one of our temporary files", name)
		}
	}
}
