// Package jsonplain tells which strings encoding/json writes between its
// quotes unchanged, so hot paths can append JSON by hand and stay byte
// for byte what the encoder would write.
package jsonplain

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
