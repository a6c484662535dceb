package tracking

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// FuzzFind feeds arbitrary text to Find. Beyond not panicking, every number
// it reports must span its own text, validate for its carrier and be a
// reading Detect gives, and appear once.
func FuzzFind(f *testing.F) {
	for _, seed := range []string{
		supplierEmail,
		"1Z 5R8 939 03 5756 7127",
		"DHL +1 (555) 013-4564 3318810025",
		"420 22153 9101026837331000039521",
		"LaserShip 1LS7119013618127-1",
		"00 81827 0998 0000 0200 33 350 276 C",
		"GM 2 9 5 117 32 25 1 7 44 9 4 DHL",
		"order #100234567890 po\u00a04500123456 \xff\xfe",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		seen := map[string]bool{}
		prevEnd := 0
		for _, fd := range Find(text) {
			if fd.Start < prevEnd || fd.Start >= fd.End || fd.End > len(text) {
				t.Fatalf("span %d..%d after %d in %d bytes", fd.Start, fd.End, prevEnd, len(text))
			}
			prevEnd = fd.End
			if n := Normalize(text[fd.Start:fd.End]); n != fd.Number {
				t.Fatalf("%q normalises to %q, reported %q", text[fd.Start:fd.End], n, fd.Number)
			}
			if seen[fd.Number] {
				t.Fatalf("%s reported twice", fd.Number)
			}
			seen[fd.Number] = true
			for _, m := range append([]Match{fd.Match}, fd.Others...) {
				if err := Validate(m.Carrier, m.Number); err != nil {
					t.Fatalf("reported %+v: %v", m, err)
				}
				if !slices.Contains(Detect(m.Number), m) {
					t.Fatalf("reported %+v, not a reading of Detect", m)
				}
			}
		}
	})
}

// FuzzValidate checks that Detect and Validate agree on every carrier.
func FuzzValidate(f *testing.F) {
	f.Add("1Z5R89390357567127")
	f.Add("RB123456785US")
	f.Add("9400 1112 0108 0805 4830 16")
	f.Add("0081 827 0998 0000 0200 45 327 276 N")
	f.Fuzz(func(t *testing.T, number string) {
		if !utf8.ValidString(number) {
			return
		}
		detected := map[string]bool{}
		for _, m := range Detect(number) {
			detected[m.Carrier] = true
		}
		for _, c := range Carriers() {
			if err := Validate(c, number); (err == nil) != detected[c] {
				t.Fatalf("Validate(%q, %q) = %v, Detect says %v", c, number, err, detected[c])
			}
		}
	})
}
