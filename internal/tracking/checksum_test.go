package tracking

import (
	"strings"
	"testing"
)

// Each expected check character below is worked out by hand in the
// comment, from the algorithm's definition, not from the code.
func TestChecksums(t *testing.T) {
	fedexWeights := []int{3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1}
	tests := []struct {
		name   string
		sum    checksum
		serial string
		want   byte // 0: the algorithm refuses the serial
	}{
		// UPS 1Z999AA10123456784: 9 9·2 9 A(2)·2 A(2) 1·2 0 1·2 2 3·2 4 5·2 6
		// 7·2 8 = 96, so 4 makes 100.
		{"mod10 letters", mod10{evens: 1, odds: 2}, "999AA1012345678", '4'},
		// A weighs (65-3) mod 10 = 2, Z (90-3) mod 10 = 7: 2 + 7·2 = 16 → 4.
		{"mod10 A and Z", mod10{evens: 1, odds: 2}, "AZ", '4'},
		// From the left, 1·3 + 2·1 = 5 → 5.
		{"mod10 forward", mod10{evens: 3, odds: 1}, "12", '5'},
		// Reversed, 2·3 + 1·1 = 7 → 3.
		{"mod10 reverse", mod10{evens: 3, odds: 1, reverse: true}, "12", '3'},
		// Sum 0 needs no complement: 0.
		{"mod10 zero", mod10{evens: 3, odds: 1}, "000", '0'},
		{"mod10 punctuation", mod10{evens: 1, odds: 2}, "12-3", 0},

		// DHL 3318810025: 331881002 = 7·47411571 + 5.
		{"mod7", mod7{}, "331881002", '5'},
		// DHL 73891051146: 7389105114 = 7·1055586444 + 6.
		{"mod7 eleven", mod7{}, "7389105114", '6'},
		{"mod7 letter", mod7{}, "12A", 0},

		// RB123456785GB: 1·8+2·6+3·4+4·2+5·3+6·5+7·9+8·7 = 204 = 11·18 + 6
		// → 11-6 = 5.
		{"s10", s10{}, "12345678", '5'},
		// All zeros: remainder 0 → 5.
		{"s10 remainder 0", s10{}, "00000000", '5'},
		// 2·6 = 12 = 11 + 1: remainder 1 → 0.
		{"s10 remainder 1", s10{}, "02000000", '0'},
		{"s10 short", s10{}, "1234567", 0},

		// FedEx 986578788855: 9·3+8+6·7+5·3+7+8·7+7·3+8+8·7+8·3+5 = 269 =
		// 11·24 + 5 → 5 mod 10 = 5.
		{"weighted", weighted{weights: fedexWeights, mod1: 11, mod2: 10}, "98657878885", '5'},
		// 3·3 + 1 = 10 → 10 mod 11 = 10 → mod 10 = 0.
		{"weighted ten", weighted{weights: fedexWeights, mod1: 11, mod2: 10}, "31000000000", '0'},
		{"weighted length", weighted{weights: fedexWeights, mod1: 11, mod2: 10}, "3100000000", 0},

		// Wikipedia's example: 7992739871 → 3.
		{"luhn", luhn{}, "7992739871", '3'},
		// Purolator 320595463938: from the right 3·2=6, 9, 3·2=6, 6, 4·2=8,
		// 5, 9·2=18-9=9, 5, 0, 2, 3·2=6 → 62 → 8.
		{"luhn purolator", luhn{}, "32059546393", '8'},
		{"luhn letter", luhn{}, "1A", 0},

		// DPD 0998 0000 0200 33F. Starting from 36, per character
		// (c + p, less 36 if over 36, doubled, less 37 if over 36):
		// 0→35, 9→16, 9→13, 8→5, 0→10, 0→20, 0→3, 0→6, 0→12, 2→28,
		// 0→19, 0→1, 3→8, 3→22; 37-22 = 15 = F.
		{"mod_37_36 letter", mod3736{}, "09980000020033", 'F'},
		// One digit 0: 36 → 72-37 = 35; 37-35 = 2.
		{"mod_37_36 digit", mod3736{}, "0", '2'},
		// Z (35): 36+35 = 71-36 = 35 → 70-37 = 33; 37-33 = 4.
		{"mod_37_36 Z", mod3736{}, "Z", '4'},
		{"mod_37_36 lower case", mod3736{}, "z", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.sum.compute(tt.serial)
			if tt.want == 0 {
				if ok {
					t.Fatalf("%s(%q) = %q, want a refusal", tt.sum, tt.serial, got)
				}
				return
			}
			if !ok || got != tt.want {
				t.Errorf("%s(%q) = %q, %v; want %q", tt.sum, tt.serial, got, ok, tt.want)
			}
		})
	}
}

// TestMod3736MatchesISO7064 checks the data's subtraction steps against
// the textbook form of ISO/IEC 7064 MOD 37,36 (p = (p+v) mod 36, 0 read as
// 36, then p = 2p mod 37; the check character c makes (p+c) mod 36 = 1) on
// every serial of up to three characters, which includes the wrap of a
// result of 36 to 0.
func TestMod3736MatchesISO7064(t *testing.T) {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	var serials []string
	for _, a := range alphabet {
		serials = append(serials, string(a))
		for _, b := range alphabet {
			serials = append(serials, string(a)+string(b))
			for _, c := range alphabet {
				serials = append(serials, string(a)+string(b)+string(c))
			}
		}
	}
	zeros := 0
	for _, serial := range serials {
		p := 36
		for _, c := range serial {
			s := (p + strings.IndexRune(alphabet, c)) % 36
			if s == 0 {
				s = 36
			}
			p = 2 * s % 37
		}
		want := alphabet[(37-p)%36]
		if want == '0' {
			zeros++
		}
		if got, ok := (mod3736{}).compute(serial); !ok || got != want {
			t.Fatalf("mod_37_36(%q) = %q, want %q", serial, got, want)
		}
	}
	if zeros == 0 {
		t.Fatal("no serial exercised a check character of 0")
	}
}
