package embedded

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/dropgate/dropgate/core/store"
)

// Enqueued jobs append at the right edge of the jobs and payloads trees;
// the pages they leave behind are packed, not split at half full, so a
// commit writes (and syncs) fewer pages and the file stays small.
func TestEnqueuePacksJobPages(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	body := bytes.Repeat([]byte("b"), 140)
	for i := range 2000 {
		if _, err := s.Enqueue(ctx, store.Job{ID: fmt.Sprintf("j%05d", i), Queue: "ingest", Kind: "webhook", Payload: body,
			Meta: map[string]string{"connector": "shop", "delivery": fmt.Sprintf("d-%d", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, c := range []struct {
			name []byte
			min  float64
		}{{bucketJobs, 0.8}, {bucketPayload2, 0.8}} {
			st := tx.Bucket(c.name).Stats()
			fill := float64(st.LeafInuse) / float64(st.LeafPageN*tx.DB().Info().PageSize)
			if st.LeafPageN < 10 || fill < c.min {
				t.Errorf("%s: %d leaf pages %.0f%% full, want them at least %.0f%% full", c.name, st.LeafPageN, fill*100, c.min*100)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
