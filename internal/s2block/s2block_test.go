package s2block

import (
	"bytes"
	"strings"
	"testing"
)

// TestPack: values from Min bytes that compress are packed and read back
// as they were; smaller ones, and ones s2 cannot shrink, are left alone.
func TestPack(t *testing.T) {
	big := []byte(strings.Repeat(`{"sku":"MUG-BLK-11","qty":2},`, 100))
	z, ok := Pack(big)
	if !ok || len(z) >= len(big) {
		t.Fatalf("Pack of %d compressible bytes: %d bytes, %v", len(big), len(z), ok)
	}
	if got, err := Unpack(z); err != nil || !bytes.Equal(got, big) {
		t.Fatalf("Unpack: %d bytes, %v", len(got), err)
	}
	small := big[:Min-1]
	if z, ok := Pack(small); ok || !bytes.Equal(z, small) {
		t.Errorf("Pack of %d bytes packed it", len(small))
	}
	noise := make([]byte, 4096)
	for i := range noise {
		noise[i] = byte(i*7919 + i*i*31)
	}
	if z, ok := Pack(noise); ok && len(z) >= len(noise) {
		t.Errorf("Pack kept a block no smaller than its data")
	}
}

// TestUnpackRefusesCorruptBlocks: a block that does not decode, or claims
// more than Max bytes, is an error, never a panic or a huge allocation.
func TestUnpackRefusesCorruptBlocks(t *testing.T) {
	for name, z := range map[string][]byte{
		"garbage": {0xff, 0xff, 0xff},
		"huge":    {0x80, 0x80, 0x80, 0x80, 0x08},
		"empty":   {0x00},
	} {
		if _, err := Unpack(z); err == nil {
			t.Errorf("%s: Unpack accepted it", name)
		}
	}
}

// FuzzUnpack: any bytes give data or an error, and Pack's blocks come back
// as their data.
func FuzzUnpack(f *testing.F) {
	f.Add([]byte(strings.Repeat("abc", 500)))
	f.Add([]byte{0x80, 0x80, 0x80, 0x80, 0x08})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Unpack(data)
		if z, ok := Pack(data); ok {
			if got, err := Unpack(z); err != nil || !bytes.Equal(got, data) {
				t.Fatalf("round trip of %d bytes: %d, %v", len(data), len(got), err)
			}
		}
	})
}
