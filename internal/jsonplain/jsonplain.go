// Package jsonplain tells which strings encoding/json writes between its
// quotes unchanged, so hot paths can append JSON by hand and stay byte
// for byte what the encoder would write.
package jsonplain

import "slices"

// String reports whether encoding/json writes s inside quotes as is:
// printable ASCII with nothing it escapes (it also escapes <, > and &
// for HTML).
func String(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// Map reports whether every key and value of m is String.
func Map(m map[string]string) bool {
	for k, v := range m {
		if !String(k) || !String(v) {
			return false
		}
	}
	return true
}

// AppendMap appends m as encoding/json writes a map[string]string (keys
// sorted); every key and value must be String (Map). Small maps (the
// usual one to eight entries) sort on the stack.
func AppendMap(b []byte, m map[string]string) []byte {
	var arr [8]string
	keys := arr[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(append(b, '"'), k...), `":"`...)
		b = append(append(b, m[k]...), '"')
	}
	return append(b, '}')
}
