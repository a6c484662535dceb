package trackhook

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestLoadVector(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "webhook_signature_vectors.json"), []byte(`{"p":{"payload_file":"b.json","secret":"s","timestamp":7,"expected":"x"}}`), 0o644)
	os.WriteFile(filepath.Join(dir, "b.json"), []byte(`{"a":1}`), 0o644)
	v, body, err := LoadVector(dir, "p")
	if err != nil || v.Secret != "s" || v.Timestamp != 7 || string(body) != `{"a":1}` {
		t.Fatalf("%+v %s %v", v, body, err)
	}
	if _, _, err := LoadVector(dir, "q"); err == nil {
		t.Fatal("missing provider accepted")
	}
}

func TestDecodeJSONKeepsNumbers(t *testing.T) {
	var v map[string]any
	if err := DecodeJSON("p", []byte(`{"n":12345678901234567890}`), &v); err != nil {
		t.Fatal(err)
	}
	if n, ok := v["n"].(json.Number); !ok || n.String() != "12345678901234567890" {
		t.Fatalf("%#v", v["n"])
	}
	if err := DecodeJSON("p", []byte(`{`), &v); err == nil {
		t.Fatal("bad JSON accepted")
	}
}
