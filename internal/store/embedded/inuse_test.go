package embedded

import (
	"path/filepath"
	"testing"
)

// TestInUse: a store is in use while open, and not once closed.
func TestInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	if InUse(path) {
		t.Fatal("a missing store is in use")
	}
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if !InUse(path) {
		t.Error("an open store is not in use")
	}
	st.Close()
	if InUse(path) {
		t.Error("a closed store is still in use")
	}
}
