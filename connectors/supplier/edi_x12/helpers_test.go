package edi_x12

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/transport"
	"github.com/dropgate/dropgate/internal/x12"
)

// counterStore is the part of a store the connector uses: counters with
// once keys, kept in memory. Any other method panics (nil embedded
// interface), which would reveal an unexpected dependency.
type counterStore struct {
	store.Store
	mu    sync.Mutex
	next  map[string]int64
	once  map[string]int64
	calls int
}

func newCounterStore() *counterStore {
	return &counterStore{next: map[string]int64{}, once: map[string]int64{}}
}

func (s *counterStore) NextCounter(_ context.Context, name, once string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if v, ok := s.once[name+"\x00"+once]; ok && once != "" {
		return v, nil
	}
	s.next[name]++
	v := s.next[name]
	if once != "" {
		s.once[name+"\x00"+once] = v
	}
	return v, nil
}

// partnerIDs are the sender (ISA06) and receiver (ISA08) of the inbound
// synthetic files: the partner is SUPPLIER, we are DROPGATE.
const (
	theirID = "SUPPLIER"
	ourID   = "DROPGATE"
)

// inboundPartner is a profile for reading files from SUPPLIER.
func inboundPartner() Partner {
	return Partner{SenderQualifier: "ZZ", SenderID: ourID, ReceiverQualifier: "ZZ", ReceiverID: theirID, Version: "004010", Usage: "T"}
}

// newParser returns a connector with p (modified by mod) on an in-memory
// counter store and a temporary outbox and inbox.
func newParser(t testing.TB, mod func(*Partner)) (*Connector, *counterStore) {
	t.Helper()
	p := inboundPartner()
	if mod != nil {
		mod(&p)
	}
	dir := t.TempDir()
	cfg := &Config{Partner: p, Transport: transport.Config{Type: "directory", Outbox: dir + "/outbox", Inbox: dir + "/inbox"}}
	if ps := cfg.Check(); len(ps) > 0 {
		t.Fatalf("config problems: %v", ps)
	}
	st := newCounterStore()
	c, err := New(connector.Env{Name: "acme", Clock: clock.NewFake(when), Counters: st}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, st
}

// set is one synthetic transaction set: its ST01 and body segments, one
// per line, elements separated by '*' (ST and SE are added).
type set struct {
	id   string
	body string
}

// group is a synthetic functional group.
type group struct {
	fid, version string
	sets         []set
}

// interchange writes a valid interchange from SUPPLIER to DROPGATE with
// control number isa13, groups numbered gs06, gs06+1…, sets 0001, 0002…
// within each. Counts are the writer's, so they are right.
func interchange(t testing.TB, isa13 string, gs06 int, groups ...group) []byte {
	t.Helper()
	var buf bytes.Buffer
	d := x12.Delimiters{Element: '*', Component: '>', Segment: '~'}
	version := "00401"
	if len(groups) > 0 && groups[0].version >= "005010" {
		version, d.Repetition = "00501", '^'
	}
	w, err := x12.NewWriter(&buf, d, x12.WithNewline("\n"))
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.BeginInterchange(x12.InterchangeHeader{SenderQualifier: "ZZ", SenderID: theirID, ReceiverQualifier: "ZZ", ReceiverID: ourID,
		Date: when, Version: version, Control: isa13, Usage: "T"}))
	for gi, g := range groups {
		v := g.version
		if v == "" {
			v = "004010"
		}
		must(w.BeginGroup(x12.GroupHeader{FunctionalID: g.fid, Sender: theirID, Receiver: ourID, Date: when, Control: itoa(gs06 + gi), Version: v}))
		for si, s := range g.sets {
			must(w.BeginSet(x12.SetHeader{ID: s.id, Control: pad4(si + 1)}))
			for _, line := range strings.Split(strings.TrimSpace(s.body), "\n") {
				el := strings.Split(strings.TrimSpace(line), "*")
				must(w.WriteSegment(el[0], el[1:]...))
			}
			must(w.EndSet())
		}
		must(w.EndGroup())
	}
	must(w.EndInterchange())
	must(w.Close())
	return buf.Bytes()
}

func itoa(n int) string { return strconv.Itoa(n) }

func pad4(n int) string { return fmt.Sprintf("%04d", n) }

// parse runs ParseDocuments and fails the test on a file-level error.
func parse(t testing.TB, c *Connector, name string, data []byte) *connector.Parsed {
	t.Helper()
	got, err := c.ParseDocuments(context.Background(), name, data)
	if err != nil {
		t.Fatalf("ParseDocuments(%s): %v", name, err)
	}
	return got
}

// onlyAck parses the single reply of got and returns its acknowledgement.
func onlyAck(t testing.TB, got *connector.Parsed) *x12.FunctionalAck {
	t.Helper()
	if len(got.Replies) != 1 {
		t.Fatalf("%d replies, want 1", len(got.Replies))
	}
	f, err := x12.Parse(got.Replies[0].Data)
	if err != nil {
		t.Fatalf("reply does not parse: %v\n%s", err, got.Replies[0].Data)
	}
	ack, err := x12.ParseAck(f.Interchanges[0].Groups[0].Sets[0])
	if err != nil {
		t.Fatal(err)
	}
	return ack
}

func transportConfig(dir string) transport.Config {
	return transport.Config{Type: "directory", Outbox: dir + "/outbox", Inbox: dir + "/inbox"}
}

func clockAt(t time.Time) clock.Clock { return clock.NewFake(t) }
