package redis

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dropgate/dropgate/core/store"
)

// A record kind's keys share the tag {r:<kind>}: its hashes, its Created
// index and its field/value indexes, so a write that moves index entries
// is one script. The indexes are sorted sets with every score 0, ordered
// by member: timeKey(Created) + id. A page is one ZRANGE BYLEX REV from
// the cursor (the last member returned, exclusive) or Until down to Since,
// so its cost is the page size and records created meanwhile never shift
// later pages.

// scriptPutRecord writes a record if its version is the expected one and
// moves its index entries. Go read the old record to name the index keys
// to drop; the script checks that what it read is still there.
//
// KEYS: data created drop... add...
// ARGV: version oldIndex ndrop nadd data newIndex created now member packing
var scriptPutRecord = newScript("put record", `
local f = redis.call('HMGET', KEYS[1], 'v', 'i', 'c')
local v = tonumber(f[1] or '0')
if v ~= tonumber(ARGV[1]) then
  return {'conflict'}
end
if v > 0 and ((f[2] or '') ~= ARGV[2] or f[3] ~= ARGV[7]) then
  return {'refresh'}
end
local ndrop, nadd = tonumber(ARGV[3]), tonumber(ARGV[4])
for i = 3, 2 + ndrop do
  redis.call('ZREM', KEYS[i], ARGV[9])
end
for i = 3 + ndrop, 2 + ndrop + nadd do
  redis.call('ZADD', KEYS[i], 0, ARGV[9])
end
if v == 0 then
  redis.call('ZADD', KEYS[2], 0, ARGV[9])
end
redis.call('HSET', KEYS[1], 'd', ARGV[5], 'z', ARGV[10], 'i', ARGV[6], 'v', v + 1, 'c', ARGV[7], 'u', ARGV[8])
return {'ok', v + 1}
`)

// scriptDeleteRecord removes a record and its index entries, if it is
// still the version Go read.
//
// KEYS: data created index...
// ARGV: version index member
var scriptDeleteRecord = newScript("delete record", `
local f = redis.call('HMGET', KEYS[1], 'v', 'i')
if not f[1] then
  return 'absent'
end
if f[1] ~= ARGV[1] or (f[2] or '') ~= ARGV[2] then
  return 'refresh'
end
for i = 3, #KEYS do
  redis.call('ZREM', KEYS[i], ARGV[3])
end
redis.call('ZREM', KEYS[2], ARGV[3])
redis.call('DEL', KEYS[1])
return 'ok'
`)

// stored is a record as read from its hash, with the raw index JSON the
// scripts compare.
type stored struct {
	rec      store.Record
	rawIndex string
	created  string // micros
}

func (s *Store) readRecord(ctx context.Context, rk recordKeys, kind, id string) (*stored, error) {
	var cmd *goredis.MapStringStringCmd
	if err := s.shared.share(ctx, func(p goredis.Pipeliner) { cmd = p.HGetAll(ctx, rk.data(id)) }); err != nil {
		return nil, err
	}
	m, err := cmd.Result()
	if err != nil && !errors.Is(err, goredis.Nil) {
		return nil, s.fail(ctx, "get record", err)
	}
	st, err := parseRecord(m, kind, id)
	if err == nil {
		s.recHeads.remember(kind, id, st)
	}
	return st, err
}

// recordHead are the fields of a record hash a write needs from the stored
// one: version, index JSON and Created, never the data, which for an order
// is kilobytes Redis would copy out and the caller parse for nothing.
var recordHead = []string{"v", "i", "c"}

// readHead queues the read of a record's head on p.
func readHead(ctx context.Context, p goredis.Pipeliner, key string) *goredis.SliceCmd {
	return p.HMGet(ctx, key, recordHead...)
}

// headOf turns readHead's answer into the hash parseRecord reads (absent
// fields left out, as HGETALL would).
func headOf(c *goredis.SliceCmd) map[string]string {
	vals := c.Val()
	m := make(map[string]string, len(vals))
	for i, v := range vals {
		if str, ok := v.(string); ok && i < len(recordHead) {
			m[recordHead[i]] = str
		}
	}
	return m
}

// readRecordHead reads what a write of record kind/id needs of the stored
// one (no data, no Updated); nil when there is none.
func (s *Store) readRecordHead(ctx context.Context, rk recordKeys, kind, id string) (*stored, error) {
	var cmd *goredis.SliceCmd
	if err := s.shared.share(ctx, func(p goredis.Pipeliner) { cmd = readHead(ctx, p, rk.data(id)) }); err != nil {
		return nil, err
	}
	if err := cmd.Err(); err != nil && !errors.Is(err, goredis.Nil) {
		return nil, s.fail(ctx, "get record", err)
	}
	st, err := parseRecord(headOf(cmd), kind, id)
	if err == nil {
		s.recHeads.remember(kind, id, st)
	}
	return st, err
}

// parseRecord reads a record hash; nil when there is none.
func parseRecord(m map[string]string, kind, id string) (*stored, error) {
	if len(m) == 0 || m["v"] == "" {
		return nil, nil
	}
	st := &stored{rawIndex: m["i"], created: m["c"]}
	st.rec = store.Record{
		Kind: kind, ID: id, Version: atoi(m["v"]),
		Created: fromMicros(m["c"]), Updated: fromMicros(m["u"]),
	}
	data, err := unpackData(m["d"], m["z"])
	if err != nil {
		return nil, fmt.Errorf("redis: record %s/%s: data: %w", kind, id, err)
	}
	st.rec.Data = data
	if st.rawIndex != "" {
		if err := json.Unmarshal([]byte(st.rawIndex), &st.rec.Index); err != nil {
			return nil, fmt.Errorf("redis: record %s/%s: index: %w", kind, id, err)
		}
	}
	return st, nil
}

// GetRecord returns record kind/id, or ErrNotFound.
func (s *Store) GetRecord(ctx context.Context, kind, id string) (store.Record, error) {
	if err := s.usable(ctx); err != nil {
		return store.Record{}, err
	}
	st, err := s.readRecord(ctx, s.keys.records(kind), kind, id)
	if err != nil {
		return store.Record{}, err
	}
	if st == nil {
		return store.Record{}, fmt.Errorf("redis: get record %s/%s: %w", kind, id, store.ErrNotFound)
	}
	return st.rec, nil
}

// PutRecord writes rec when the stored version equals rec.Version (0: must
// not exist) and returns the new version; otherwise ErrConflict. On
// creation rec.Created is kept when set, else it is now; on update Created
// never changes. Index entries with an empty value are not indexed.
func (s *Store) PutRecord(ctx context.Context, rec store.Record) (int64, error) {
	if err := s.usable(ctx); err != nil {
		return 0, err
	}
	if rec.Kind == "" || rec.ID == "" {
		return 0, errors.New("redis: put record: kind and id are required")
	}
	rk := s.keys.records(rec.Kind)
	newIndex, err := encodeMap(rec.Index)
	if err != nil {
		return 0, fmt.Errorf("redis: put record %s/%s: index: %w", rec.Kind, rec.ID, err)
	}
	for range maxRefresh {
		var old *stored
		// A creation (version 0) reads nothing: the script refuses it if
		// the record exists. An update uses the head as this process last
		// read or wrote it, when that is at the version the caller read
		// (the script checks it all the same), else reads it.
		if rec.Version != 0 {
			if m, ok := s.recHeads.at(rec.Kind, rec.ID, rec.Version); ok {
				old, err = parseRecord(m, rec.Kind, rec.ID)
			} else {
				old, err = s.readRecordHead(ctx, rk, rec.Kind, rec.ID)
			}
			if err != nil {
				return 0, err
			}
		}
		var stored int64
		var oldIdx map[string]string
		oldRaw := ""
		created := rec.Created
		if old != nil {
			stored, oldIdx, oldRaw, created = old.rec.Version, indexed(old.rec.Index), old.rawIndex, old.rec.Created
		} else if created.IsZero() {
			created = s.clock.Now()
		}
		if stored != rec.Version {
			return 0, fmt.Errorf("redis: put record %s/%s version %d: %w", rec.Kind, rec.ID, rec.Version, store.ErrConflict)
		}
		keys, args := s.putRecordCall(rk, rec, newIndex, oldIdx, oldRaw, created)
		status, rest, err := s.evalList(ctx, scriptPutRecord, keys, args...)
		if err != nil {
			return 0, err
		}
		if v, ok := listInt(rest, 0); ok && status == "ok" {
			s.recHeads.written(rec.Kind, rec.ID, v, newIndex, micros(created))
			return v, nil
		}
		// Whatever this process remembered of the record is in doubt.
		s.recHeads.forget(rec.Kind, rec.ID)
		switch status {
		case "ok":
			return 0, fmt.Errorf("redis: put record %s/%s: short reply", rec.Kind, rec.ID)
		case "conflict":
			return 0, fmt.Errorf("redis: put record %s/%s version %d: %w", rec.Kind, rec.ID, rec.Version, store.ErrConflict)
		}
		// refresh: deleted and re-created between our read (or what this
		// process remembered) and the write.
	}
	return 0, fmt.Errorf("redis: put record %s/%s: %w", rec.Kind, rec.ID, store.ErrConflict)
}

// putRecordCall builds the put script's call for rec over what was read
// (oldIdx, oldRaw: the stored index; created: the stored or new Created).
func (s *Store) putRecordCall(rk recordKeys, rec store.Record, newIndex string, oldIdx map[string]string, oldRaw string, created time.Time) ([]string, []any) {
	newIdx := indexed(rec.Index)
	keys := []string{rk.data(rec.ID), rk.created}
	var ndrop, nadd int
	for _, f := range sortedKeys(oldIdx) {
		if newIdx[f] != oldIdx[f] {
			keys = append(keys, rk.index(f, oldIdx[f]))
			ndrop++
		}
	}
	for _, f := range sortedKeys(newIdx) {
		if oldIdx[f] != newIdx[f] {
			keys = append(keys, rk.index(f, newIdx[f]))
			nadd++
		}
	}
	data, packing := packData(rec.Data)
	return keys, []any{itoa(rec.Version), oldRaw, ndrop, nadd, data, newIndex, micros(created), micros(s.clock.Now()),
		timeKey(created) + rec.ID, packing}
}

// deleteRecordCall builds the delete script's call for the record read.
func deleteRecordCall(rk recordKeys, id string, old *stored) ([]string, []any) {
	keys := []string{rk.data(id), rk.created}
	idx := indexed(old.rec.Index)
	for _, f := range sortedKeys(idx) {
		keys = append(keys, rk.index(f, idx[f]))
	}
	return keys, []any{itoa(old.rec.Version), old.rawIndex, timeKey(old.rec.Created) + id}
}

// DeleteRecord removes record kind/id and its index entries; absent is
// not an error.
func (s *Store) DeleteRecord(ctx context.Context, kind, id string) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	rk := s.keys.records(kind)
	for range maxRefresh {
		old, err := s.readRecordHead(ctx, rk, kind, id)
		if err != nil || old == nil {
			return err
		}
		s.recHeads.forget(kind, id)
		keys, args := deleteRecordCall(rk, id, old)
		v, err := s.eval(ctx, scriptDeleteRecord, keys, args...)
		if err != nil {
			return err
		}
		if v != "refresh" {
			return nil
		}
	}
	return fmt.Errorf("redis: delete record %s/%s: kept changing; try again", kind, id)
}

// ListRecords pages through records of kind, newest Created first,
// optionally those whose Index[q.Field] is q.Value, within [Since, Until).
func (s *Store) ListRecords(ctx context.Context, kind string, q store.Query) ([]store.Record, string, error) {
	if err := s.usable(ctx); err != nil {
		return nil, "", err
	}
	limit := pageSize(q.Limit)
	rk := s.keys.records(kind)
	key := rk.created
	if q.Field != "" {
		key = rk.index(q.Field, q.Value)
	}
	upper, lower := "+", "-"
	if q.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(q.Cursor)
		if err != nil || len(b) < 16 {
			return nil, "", fmt.Errorf("redis: list records %s: bad cursor %q", kind, q.Cursor)
		}
		upper = "(" + string(b)
	}
	if !q.Until.IsZero() {
		// Members start with timeKey(Created): below timeKey(Until) is
		// created before Until, whatever the id.
		if u := "(" + timeKey(q.Until); upper == "+" || u < upper {
			upper = u
		}
	}
	if !q.Since.IsZero() {
		lower = "[" + timeKey(q.Since)
	}
	members, err := s.rdb.ZRangeArgs(ctx, goredis.ZRangeArgs{
		Key: key, Start: upper, Stop: lower, ByLex: true, Rev: true, Count: int64(limit + 1),
	}).Result()
	if err != nil && !errors.Is(err, goredis.Nil) {
		return nil, "", s.fail(ctx, "list records", err)
	}
	next := ""
	if len(members) > limit {
		members = members[:limit]
		next = base64.RawURLEncoding.EncodeToString([]byte(members[limit-1]))
	}
	cmds := make([]*goredis.MapStringStringCmd, len(members))
	_, err = s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, m := range members {
			cmds[i] = p.HGetAll(ctx, rk.data(m[16:]))
		}
		return nil
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return nil, "", s.fail(ctx, "list records", err)
	}
	out := make([]store.Record, 0, len(members))
	for i, c := range cmds {
		st, err := parseRecord(c.Val(), kind, members[i][16:])
		if err != nil {
			return nil, "", err
		}
		if st == nil {
			continue // deleted since the listing
		}
		out = append(out, st.rec)
	}
	return out, next, nil
}

// indexed returns the index values that get index entries: the non-empty ones.
func indexed(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
