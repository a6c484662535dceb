package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dropgate/dropgate/core/store"
)

// scriptCounter allocates the next value of a counter, or returns the
// value its once key was given. Counter and once keys share the tag
// {n:<name>}.
//
// KEYS: counter once
// ARGV: once
var scriptCounter = newScript("next counter", `
if ARGV[1] ~= '' then
  local v = redis.call('GET', KEYS[2])
  if v then
    return tonumber(v)
  end
end
local n = redis.call('INCR', KEYS[1])
if ARGV[1] ~= '' then
  redis.call('SET', KEYS[2], n)
end
return n
`)

// NextCounter returns the next value of counter name, starting at 1. With
// a once key the allocation is remembered: the same (name, once) returns
// the same value, so a retried EDI send reuses its control number. (A
// reply lost on the network and retried without a once key burns a
// number; that is why senders use once keys.)
func (s *Store) NextCounter(ctx context.Context, name, once string) (int64, error) {
	if err := s.usable(ctx); err != nil {
		return 0, err
	}
	if name == "" {
		return 0, errors.New("redis: next counter: empty name")
	}
	v, err := s.eval(ctx, scriptCounter, []string{s.keys.counter(name), s.keys.counterOnce(name, once)}, once)
	if err != nil {
		return 0, err
	}
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("redis: next counter %s: unexpected reply %T", name, v)
	}
	return n, nil
}

// PutBlob stores data under key, replacing what was there.
func (s *Store) PutBlob(ctx context.Context, key string, data []byte) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	if data == nil {
		data = []byte{}
	}
	var cmd *goredis.StatusCmd
	if err := s.shared.share(ctx, func(p goredis.Pipeliner) { cmd = p.Set(ctx, s.keys.blob(key), data, 0) }); err != nil {
		return err
	}
	return s.fail(ctx, "put blob", cmd.Err())
}

// GetBlob returns the blob under key, or ErrNotFound. It shares a round
// trip with the process's other steps (share.go): a worker reads the raw
// body of every webhook it handles, and alone each read cost a socket
// write and read on both ends.
func (s *Store) GetBlob(ctx context.Context, key string) ([]byte, error) {
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	var cmd *goredis.StringCmd
	if err := s.shared.share(ctx, func(p goredis.Pipeliner) { cmd = p.Get(ctx, s.keys.blob(key)) }); err != nil {
		return nil, err
	}
	b, err := cmd.Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("redis: blob %s: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return nil, s.fail(ctx, "get blob", err)
	}
	return b, nil
}

// Claim claims key for ttl (0: forever) if nobody holds it: SET NX, with
// PX so Redis itself forgets an expired claim.
func (s *Store) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := s.usable(ctx); err != nil {
		return false, err
	}
	if ttl > 0 && ttl < time.Millisecond {
		ttl = time.Millisecond
	}
	ok, err := s.rdb.SetNX(ctx, s.keys.claim(key), micros(s.clock.Now()), ttl).Result()
	if err != nil {
		return false, s.fail(ctx, "claim", err)
	}
	return ok, nil
}

// Release drops the claim on key; releasing a free key is not an error.
func (s *Store) Release(ctx context.Context, key string) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	return s.fail(ctx, "release", s.rdb.Del(ctx, s.keys.claim(key)).Err())
}
