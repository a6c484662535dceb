package embedded

import (
	"path/filepath"
	"testing"

	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/store/storetest"
)

// openTemp opens a store in a fresh temporary directory.
func openTemp(t testing.TB, opts ...Option) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "sub", "dropgate.db"), opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) { storetest.RunFactory(t, conformanceFactory()) }

// conformanceFactory opens and reopens stores with opts.
func conformanceFactory(opts ...Option) storetest.Factory {
	return storetest.Factory{
		Open: func(t *testing.T) store.Store { return openTemp(t, opts...) },
		Reopen: func(t *testing.T, old store.Store) store.Store {
			path := old.(*Store).Path()
			if err := old.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			s, err := Open(path, opts...)
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			return s
		},
	}
}
