package redis

import (
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"
)

// Key layout. P is Options.Prefix ("dg"). Everything a Lua script touches
// in one call shares one hash tag (the part in braces), so it lives in one
// Redis Cluster slot; the scripts receive every key in KEYS and never build
// one (hibiken/asynq#138, #951: keys built inside scripts break Cluster).
//
//	P:queues                       set     names of every queue ever enqueued to (Stats, dead-letter look-ups)
//	P:wake                         channel "r<n>:<queue>": n jobs became ready; "s1:<queue>": an earlier due time
//	P:{q:<queue>}:ready            zset    ready jobs; score RunAt (µs), member %016x(seq) + id: oldest first, ties in enqueue order
//	P:{q:<queue>}:sched            zset    jobs waiting for RunAt (delays, retries); score RunAt (µs), member id
//	P:{q:<queue>}:lease            zset    jobs in flight; score lease expiry (µs), member id
//	P:{q:<queue>}:dead             zset    dead letters, all scores 0, member %016x(DeadAt µs) + id: newest last in lex order
//	P:{q:<queue>}:meta             hash    seq (enqueue order), waiting (jobs parked behind their group's head)
//	P:{q:<queue>}:keys             hash    rate-limit key → pending jobs (ready, scheduled, waiting)
//	P:{q:<queue>}:job:<id>         hash    one job: d (id, kind, payload, meta, created packed; packed.go), runat, max, state, attempt, errors, lease, …
//	P:{q:<queue>}:group:<group>    list    a group's job ids in order; the head is the only one ready/scheduled/in flight
//	P:{q:<queue>}:uniq:<key>       string  the job id holding a UniqueKey (PX for a TTL, none for the job's lifetime)
//	P:{r:<kind>}:d:<id>            hash    one record: d(ata), i(ndex JSON), v(ersion), c(reated µs), u(pdated µs)
//	P:{r:<kind>}:c                 zset    records by Created: all scores 0, member timeKey(Created) + id
//	P:{r:<kind>}:i:<field>:<value> zset    the same, for records whose Index[field] == value
//	P:{n:<name>}:v                 string  counter value
//	P:{n:<name>}:once:<once>       string  the value a once key was given
//	P:{l:<key>}                    hash    rate-limit bucket: tok(ens), ts (server µs), until (server µs)
//	P:blob:<key>                   string  blob
//	P:claim:<key>                  string  claim (SET NX PX)
//
// Unique keys and job ids are therefore scoped to their queue (the engine
// namespaces unique keys by job kind, and a kind always goes to one queue).
// A queue's or record kind's keys all sit in one slot: a very hot queue is
// a hot slot, the price of atomic multi-key scripts.

// keyspace builds every key and channel name under one prefix.
type keyspace struct {
	prefix string
}

// escape makes s safe as a key component that is followed by another one:
// the separator and the hash-tag braces are percent-encoded, so no two
// different components collide and a name cannot move the hash tag.
func escape(s string) string {
	if !strings.ContainsAny(s, "%:{}") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '%', ':', '{', '}':
			b.WriteByte('%')
			b.WriteString(strings.ToUpper(hex.EncodeToString([]byte{c})))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (k keyspace) queues() string  { return k.prefix + ":queues" }
func (k keyspace) channel() string { return k.prefix + ":wake" }

// queueKeys are the fixed keys of one queue.
type queueKeys struct {
	name                                 string
	tag                                  string // P:{q:<queue>}
	ready, sched, lease, dead, meta, cnt string
}

func (k keyspace) queue(name string) queueKeys {
	tag := k.prefix + ":{q:" + escape(name) + "}"
	return queueKeys{
		name:  name,
		tag:   tag,
		ready: tag + ":ready",
		sched: tag + ":sched",
		lease: tag + ":lease",
		dead:  tag + ":dead",
		meta:  tag + ":meta",
		cnt:   tag + ":keys",
	}
}

// job, group and uniq take the last component raw: nothing follows it.
// An empty name still yields a key of the queue's slot, which scripts are
// given as a placeholder and never touch.
func (q queueKeys) job(id string) string      { return q.tag + ":job:" + id }
func (q queueKeys) group(name string) string  { return q.tag + ":group:" + name }
func (q queueKeys) uniq(key string) string    { return q.tag + ":uniq:" + key }
func (k keyspace) blob(key string) string     { return k.prefix + ":blob:" + key }
func (k keyspace) claim(key string) string    { return k.prefix + ":claim:" + key }
func (k keyspace) limiter(key string) string  { return k.prefix + ":{l:" + escape(key) + "}" }
func (k keyspace) counter(name string) string { return k.prefix + ":{n:" + escape(name) + "}:v" }
func (k keyspace) counterOnce(name, once string) string {
	return k.prefix + ":{n:" + escape(name) + "}:once:" + once
}

// recordKeys are the keys of one record kind.
type recordKeys struct {
	tag     string // P:{r:<kind>}
	created string
}

func (k keyspace) records(kind string) recordKeys {
	tag := k.prefix + ":{r:" + escape(kind) + "}"
	return recordKeys{tag: tag, created: tag + ":c"}
}

func (r recordKeys) data(id string) string { return r.tag + ":d:" + id }
func (r recordKeys) index(field, value string) string {
	return r.tag + ":i:" + escape(field) + ":" + value
}

// readyMember orders ready jobs with the same score by enqueue sequence.
// The scripts build the same string (string.format('%016x', seq) .. id).
func readyMember(seq uint64, id string) string {
	return hex16(seq) + id
}

// idOfReady strips the sequence number from a ready-set member.
func idOfReady(member string) string {
	if len(member) < 16 {
		return member
	}
	return member[16:]
}

// timeKey encodes t so that byte order is time order, instants before
// 1970 included (the sign bit is flipped), for lexicographic sorted sets.
func timeKey(t time.Time) string {
	return hex16(uint64(t.UnixMicro()) ^ (1 << 63))
}

// deadMember orders dead letters by the time they died.
func deadMember(deadAt time.Time, id string) string { return timeKey(deadAt) + id }

func hex16(v uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return hex.EncodeToString(b[:])
}

// micros is the wire form of an instant: microseconds since 1970 as a
// decimal string. Scripts compare them with tonumber (exact below 2^53,
// that is until the year 2255) and store them as given.
func micros(t time.Time) string { return itoa(t.UnixMicro()) }
