package embedded

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
)

// NextCounter returns the next value of counter name, starting at 1. With
// a once key the allocation is remembered forever: the same (name, once)
// returns the same value, so a retried EDI send reuses its control number.
func (s *Store) NextCounter(ctx context.Context, name, once string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if name == "" {
		return 0, errors.New("embedded: next counter: empty name")
	}
	var value int64
	err := s.w.do(func(tx *wtx) error {
		var onceKey []byte
		if once != "" {
			onceKey = append(lp(nil, name), once...)
			if v := tx.Bucket(bucketOnce).Get(onceKey); len(v) == 8 {
				value = int64(binary.BigEndian.Uint64(v))
				return nil
			}
		}
		counters := tx.Bucket(bucketCounters)
		var cur uint64
		if v := counters.Get([]byte(name)); len(v) == 8 {
			cur = binary.BigEndian.Uint64(v)
		}
		cur++
		if err := counters.Put([]byte(name), u64(cur)); err != nil {
			return err
		}
		if onceKey != nil {
			if err := tx.Bucket(bucketOnce).Put(onceKey, u64(cur)); err != nil {
				return err
			}
		}
		value = int64(cur)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("embedded: next counter %s: %w", name, err)
	}
	return value, nil
}
