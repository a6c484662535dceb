// Package trackhook holds what the carrier connectors' webhook code shares:
// decoding a JSON body without floats, and loading the conformance
// signature vectors (../shared/conformance/carriers) their tests run.
package trackhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// DecodeJSON decodes body into v with numbers kept as json.Number; the
// error names the provider.
func DecodeJSON(provider string, body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s webhook: %w", provider, err)
	}
	return nil
}

// Vector is one provider's entry of webhook_signature_vectors.json.
type Vector struct {
	PayloadFile string `json:"payload_file"`
	Secret      string `json:"secret"`
	Header      string `json:"header"`
	Timestamp   int64  `json:"timestamp"`
	Expected    string `json:"expected"`
}

// LoadVector reads provider's vector from dir/webhook_signature_vectors.json
// and the payload it signs (dir/<payload_file>), byte for byte.
func LoadVector(dir, provider string) (Vector, []byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, "webhook_signature_vectors.json"))
	if err != nil {
		return Vector{}, nil, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return Vector{}, nil, fmt.Errorf("webhook_signature_vectors.json: %w", err)
	}
	raw, ok := all[provider]
	if !ok {
		return Vector{}, nil, fmt.Errorf("webhook_signature_vectors.json: no %q vector", provider)
	}
	var v Vector
	if err := json.Unmarshal(raw, &v); err != nil {
		return Vector{}, nil, fmt.Errorf("webhook_signature_vectors.json: $.%s: %w", provider, err)
	}
	body, err := os.ReadFile(filepath.Join(dir, v.PayloadFile))
	if err != nil {
		return Vector{}, nil, err
	}
	return v, body, nil
}
