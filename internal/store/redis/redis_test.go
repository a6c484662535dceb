package redis

import (
	"testing"

	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/store/storetest"
)

// factory runs the conformance suite on o: every store on a fresh prefix,
// and Reopen as a new process would (a new client on the same prefix).
func factory(o Options) storetest.Factory {
	return storetest.Factory{
		Open: func(t *testing.T) store.Store { return openTest(t, o) },
		Reopen: func(t *testing.T, old store.Store) store.Store {
			s := old.(*Store)
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			return openPrefixed(t, o, s.Prefix())
		},
	}
}

func TestConformance(t *testing.T) {
	storetest.RunFactory(t, factory(standaloneOptions(t)))
}

func TestConformanceCluster(t *testing.T) {
	storetest.RunFactory(t, factory(clusterOptions(t)))
}
