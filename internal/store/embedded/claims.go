package embedded

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Claim claims key for ttl (0: forever) if it is free or its claim has
// expired, reporting whether the caller won.
func (s *Store) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	now := s.clock.Now()
	var expires int64 // 0: never
	if ttl > 0 {
		expires = now.Add(ttl).UnixNano()
	}
	var won bool
	err := s.w.do(func(tx *wtx) error {
		b := tx.Bucket(bucketClaims)
		if v := b.Get([]byte(key)); v != nil && claimLive(v, now) {
			won = false
			return nil
		}
		won = true
		return b.Put([]byte(key), u64(uint64(expires)))
	})
	if err != nil {
		return false, fmt.Errorf("embedded: claim %s: %w", key, err)
	}
	return won, nil
}

// Release drops the claim on key; releasing a free key is not an error.
func (s *Store) Release(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.w.do(func(tx *wtx) error {
		return tx.Bucket(bucketClaims).Delete([]byte(key))
	})
	if err != nil {
		return fmt.Errorf("embedded: release %s: %w", key, err)
	}
	return nil
}

// claimLive reports whether a stored claim still holds at now.
func claimLive(v []byte, now time.Time) bool {
	if len(v) != 8 {
		return false
	}
	exp := int64(binary.BigEndian.Uint64(v))
	return exp == 0 || now.UnixNano() < exp
}

// sweepClaims deletes expired claims. Claims are few (one per scheduled
// import or inbound file in progress), so a scan is cheap; the write only
// happens when something expired.
func (s *Store) sweepClaims(now time.Time) error {
	var expired [][]byte
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketClaims).ForEach(func(k, v []byte) error {
			if !claimLive(v, now) {
				expired = append(expired, append([]byte(nil), k...))
			}
			return nil
		})
	})
	if err != nil || len(expired) == 0 {
		return err
	}
	return s.w.do(func(tx *wtx) error {
		b := tx.Bucket(bucketClaims)
		for _, k := range expired {
			// Re-checked: it may have been claimed again since the scan.
			if v := b.Get(k); v != nil && !claimLive(v, now) {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
