package jsonpos

import (
	"bytes"
	"encoding/json"
)

// Decode reads the JSON value at the start of body into v, with numbers
// as json.Number (amounts and ids never pass through float64), and says
// where a bad body broke (Where).
func Decode(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return Where(body, err)
	}
	return nil
}
