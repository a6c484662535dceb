package redis

import (
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/store/storetest"
)

// factory runs the conformance suite on o: every store on a fresh prefix,
// and Reopen as a new process would (a new client on the same prefix).
// An idle Dequeue looks again only after a minute, longer than the suite
// waits for anything, so its wake-up test proves Pub/Sub, not polling.
func factory(o Options) storetest.Factory {
	o.IdleRecheck = time.Minute
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
