package oauthtoken

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
)

// memState is a State in memory with the store's version rule; put, when
// set, may fail a write (a conflict, a store down) before it is applied.
type memState struct {
	mu   sync.Mutex
	recs map[string]store.Record
	get  error
	put  func(rec store.Record) error
}

func newState() *memState { return &memState{recs: map[string]store.Record{}} }

func (s *memState) GetRecord(_ context.Context, kind, id string) (store.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.get != nil {
		return store.Record{}, s.get
	}
	r, ok := s.recs[kind+"/"+id]
	if !ok {
		return store.Record{}, store.ErrNotFound
	}
	return r, nil
}

func (s *memState) PutRecord(_ context.Context, rec store.Record) (int64, error) {
	s.mu.Lock()
	put := s.put
	s.mu.Unlock()
	if put != nil {
		if err := put(rec); err != nil {
			return 0, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.recs[rec.Kind+"/"+rec.ID]; cur.Version != rec.Version {
		return 0, store.ErrConflict
	}
	rec.Version++
	s.recs[rec.Kind+"/"+rec.ID] = rec
	return rec.Version, nil
}

func (s *memState) DeleteRecord(_ context.Context, kind, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.recs, kind+"/"+id)
	return nil
}

func (s *memState) ListRecords(context.Context, string, store.Query) ([]store.Record, string, error) {
	return nil, "", nil
}

// set writes data as the record, as another replica (or an older
// version of dropgate) would.
func (s *memState) set(data string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.recs["token/oauth"]
	r.Kind, r.ID, r.Data = "token", "oauth", []byte(data)
	r.Version++
	s.recs["token/oauth"] = r
}

func (s *memState) has() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.recs["token/oauth"]
	return ok
}

// issuer is a token endpoint: tok-1, tok-2, … for an hour each; with
// rotate, refresh tokens r-1, r-2, … of which only the last is accepted.
type issuer struct {
	mu     sync.Mutex
	n      int
	rotate bool
	live   string   // the refresh token it accepts ("" before the first)
	seen   []string // the refresh token of each mint
}

func (is *issuer) mint(_ context.Context, refresh string) (Response, error) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.seen = append(is.seen, refresh)
	if is.rotate && is.live != "" && refresh != is.live {
		return Response{}, fault.Permanentf("test: token: invalid_grant")
	}
	is.n++
	res := Response{AccessToken: fmt.Sprintf("tok-%d", is.n), ExpiresIn: json.RawMessage("3600")}
	if is.rotate {
		is.live = fmt.Sprintf("r-%d", is.n)
		res.RefreshToken = is.live
	}
	return res, nil
}

func (is *issuer) minted() int {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.n
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newCache(st *memState, clk *clock.Fake, is *issuer) *Cache {
	o := Options{Name: "test", Kind: "token", ID: "oauth", Margin: 2 * time.Minute,
		Rotating: is.rotate, Mint: is.mint, Clock: clk, Logger: slog.New(slog.DiscardHandler)}
	if st != nil {
		o.State = st
	}
	return New(o)
}

func mustToken(t *testing.T, c *Cache) string {
	t.Helper()
	tok, err := c.Token(context.Background())
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	return tok
}

// A token is used until Margin before it expires, then replaced.
func TestReplacedMarginBeforeExpiry(t *testing.T) {
	for _, shared := range []bool{true, false} {
		clk, is := clock.NewFake(t0), &issuer{}
		st := newState()
		if !shared {
			st = nil
		}
		c := newCache(st, clk, is)
		for range 3 {
			mustToken(t, c)
		}
		clk.Advance(time.Hour - 2*time.Minute - time.Second)
		if tok := mustToken(t, c); tok != "tok-1" || is.minted() != 1 {
			t.Fatalf("shared=%v: %s after %d mints with more than the margin left; want tok-1 after 1", shared, tok, is.minted())
		}
		clk.Advance(time.Second)
		if tok := mustToken(t, c); tok != "tok-2" {
			t.Fatalf("shared=%v: %s with the margin left; want a fresh tok-2", shared, tok)
		}
	}
}

// Callers arriving while a mint is under way wait for it and use its
// token: one mint for all of them.
func TestOneMintAtATime(t *testing.T) {
	clk, st := clock.NewFake(t0), newState()
	entered, release := make(chan struct{}, 8), make(chan struct{})
	var mints atomic.Int32
	c := New(Options{Name: "test", State: st, Kind: "token", ID: "oauth", Margin: time.Minute, Clock: clk,
		Mint: func(context.Context, string) (Response, error) {
			mints.Add(1)
			entered <- struct{}{}
			<-release
			return Response{AccessToken: "tok", ExpiresIn: json.RawMessage(`"3600"`)}, nil
		}})
	const callers = 6
	waiting := make(chan struct{}, callers)
	c.waiting = func() { waiting <- struct{}{} }
	got := make(chan string, callers)
	call := func() {
		tok, err := c.Token(context.Background())
		if err != nil {
			tok = err.Error()
		}
		got <- tok
	}
	go call()
	<-entered
	for range callers - 1 {
		go call()
	}
	for range callers - 1 {
		select {
		case <-waiting:
		case <-entered:
			t.Fatal("a second mint began while the first was under way")
		}
	}
	close(release)
	for range callers {
		if tok := <-got; tok != "tok" {
			t.Errorf("a caller got %q; want the one minted token", tok)
		}
	}
	if n := mints.Load(); n != 1 {
		t.Errorf("%d mints for %d concurrent callers; want 1", n, callers)
	}
}

// A caller waiting for the mint slot gives up with its context.
func TestWaitHonoursContext(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{})
	c := New(Options{Name: "test", Margin: time.Minute, Mint: func(context.Context, string) (Response, error) {
		close(entered)
		<-release
		return Response{AccessToken: "tok", ExpiresIn: json.RawMessage("60")}, nil
	}})
	done := make(chan struct{})
	go func() { _, _ = c.Token(context.Background()); close(done) }()
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	c.waiting = cancel
	if _, err := c.Token(ctx); !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "test: ") {
		t.Errorf("waiting with a cancelled context: %v; want context.Canceled, prefixed", err)
	}
	close(release)
	<-done
}

// A rotated refresh token is in the shared record before the access
// token is returned, and the next mint uses it; when it cannot be saved
// the access token is not used.
func TestRotationPersistedBeforeUse(t *testing.T) {
	clk, st, is := clock.NewFake(t0), newState(), &issuer{rotate: true}
	c := newCache(st, clk, is)
	mustToken(t, c)
	if rec, err := c.Stored(context.Background()); err != nil || rec.Refresh != "r-1" || rec.Access != "tok-1" {
		t.Fatalf("stored %+v, %v; want tok-1 and r-1", rec, err)
	}
	clk.Advance(time.Hour)
	if tok := mustToken(t, c); tok != "tok-2" || is.seen[1] != "r-1" {
		t.Fatalf("%s minted with refresh %q; want tok-2 from r-1", tok, is.seen[1])
	}

	down := errors.New("store down")
	st.put = func(store.Record) error { return down }
	clk.Advance(time.Hour)
	tok, err := c.Token(context.Background())
	if !errors.Is(err, down) || tok != "" || fault.IsPermanent(err) || !strings.Contains(err.Error(), "test: save rotated refresh token") {
		t.Fatalf("rotation not saved: %q, %v; want no token and a retryable error", tok, err)
	}
}

// expiredRotation is a rotating grant whose first token has expired.
func expiredRotation(t *testing.T) (*clock.Fake, *memState, *issuer, *Cache) {
	clk, st, is := clock.NewFake(t0), newState(), &issuer{rotate: true}
	c := newCache(st, clk, is)
	mustToken(t, c)
	clk.Advance(time.Hour)
	return clk, st, is, c
}

// A conflict while saving a rotated token (a replica dropping a refused
// access token) is overwritten: ours is the only live refresh token.
func TestRotationOverwritesAConflict(t *testing.T) {
	_, st, is, c := expiredRotation(t)
	raced := false
	st.put = func(store.Record) error {
		if !raced {
			raced = true
			st.set(`{"access":"","expires_at":"2026-03-01T13:00:00Z","refresh":"r-1"}`)
		}
		return nil
	}
	mustToken(t, c)
	if rec, _ := c.Stored(context.Background()); rec.Refresh != is.live || !raced {
		t.Fatalf("stored refresh %q after a conflict; want the live %q", rec.Refresh, is.live)
	}
}

// A record another replica wrote is used instead of minting, in this
// package's form and in the connectors' earlier ones.
func TestAdoptsAnotherReplicasRecord(t *testing.T) {
	clk, st := clock.NewFake(t0), newState()
	a, isA := newCache(st, clk, &issuer{}), &issuer{}
	b := newCache(st, clk, isA)
	tokA := mustToken(t, a)
	if tok := mustToken(t, b); tok != tokA || isA.minted() != 0 {
		t.Fatalf("replica b: %s after %d mints; want a's %s and none", tok, isA.minted(), tokA)
	}
	for _, old := range []string{
		`{"token":"legacy","expires_at":"2026-03-01T13:00:00Z"}`,
		`{"token":"legacy","expires":"2026-03-01T13:00:00Z","minted":"2026-03-01T12:00:00Z"}`,
	} {
		st.set(old) // as the release before wrote it; this one starts
		if tok := mustToken(t, newCache(st, clk, isA)); tok != "legacy" || isA.minted() != 0 {
			t.Errorf("record %s: %s after %d mints; want it adopted", old, tok, isA.minted())
		}
	}
}

// An unreadable record is replaced by a fresh token, not an error.
func TestCorruptRecordReplaced(t *testing.T) {
	clk, st, is := clock.NewFake(t0), newState(), &issuer{rotate: true}
	st.set(`{"access": 12`)
	c := newCache(st, clk, is)
	if tok := mustToken(t, c); tok != "tok-1" || is.seen[0] != "" {
		t.Fatalf("%s minted with refresh %q; want tok-1 from the configured credentials", tok, is.seen[0])
	}
	if rec, err := c.Stored(context.Background()); err != nil || rec.Access != "tok-1" || rec.Refresh != "r-1" {
		t.Fatalf("record after a corrupt one: %+v, %v; want it replaced", rec, err)
	}
}

// A mint refused because a replica rotated the refresh token meanwhile
// starts again from that replica's record.
func TestRotatedElsewhereAdopted(t *testing.T) {
	clk, st, is, c := expiredRotation(t)
	other := newCache(st, clk, is)
	mint := is.mint
	c.o.Mint = func(ctx context.Context, refresh string) (Response, error) {
		mustToken(t, other) // the replica wins the race and rotates r-1
		return mint(ctx, refresh)
	}
	if tok := mustToken(t, c); tok != "tok-2" || is.minted() != 2 {
		t.Fatalf("%s after %d mints; want the other replica's tok-2", tok, is.minted())
	}
}

// A refused token is dropped (a rotating grant keeps its refresh
// token); refused soon after minting it stays permanent, later it is
// retryable. A token a replica has replaced meanwhile is not dropped.
func TestRefused(t *testing.T) {
	for _, rotate := range []bool{false, true} {
		clk, st, is := clock.NewFake(t0), newState(), &issuer{rotate: rotate}
		c := newCache(st, clk, is)
		ctx := context.Background()
		tok := mustToken(t, c)
		err := c.Refused(ctx, tok, fault.Permanentf("test: 401"))
		if !fault.IsPermanent(err) {
			t.Errorf("rotate=%v: refused when fresh: %v; want permanent", rotate, err)
		}
		rec, _ := c.Stored(ctx)
		if kept := st.has() && rec.Refresh != ""; rec.Access != "" || kept != rotate {
			t.Errorf("rotate=%v: record after a 401: %+v (present %v)", rotate, rec, st.has())
		}
		tok = mustToken(t, c)
		clk.Advance(10 * time.Minute)
		if err := c.Refused(ctx, tok, fault.Permanentf("test: 401")); fault.IsPermanent(err) || !strings.Contains(err.Error(), "test: 401") {
			t.Errorf("rotate=%v: refused after 10 minutes: %v; want retryable", rotate, err)
		}
		if tok := mustToken(t, c); tok != "tok-3" {
			t.Errorf("rotate=%v: %s after the drop; want tok-3", rotate, tok)
		}
		c.Drop(ctx, "tok-2")
		if rec, _ := c.Stored(ctx); rec.Access != "tok-3" {
			t.Errorf("rotate=%v: dropping a stale token removed %+v", rotate, rec)
		}
	}
}

// A store that cannot be read fails the call, retryably, with the name.
func TestStoreDown(t *testing.T) {
	st, is := newState(), &issuer{}
	st.get = errors.New("connection refused")
	_, err := newCache(st, clock.NewFake(t0), is).Token(context.Background())
	if err == nil || fault.IsPermanent(err) || !strings.HasPrefix(err.Error(), "test: read cached token") || is.minted() != 0 {
		t.Fatalf("store down: %v after %d mints; want a retryable error and no mint", err, is.minted())
	}
}

// An answer without a token or a positive lifetime is refused.
func TestBadAnswer(t *testing.T) {
	for _, res := range []Response{
		{ExpiresIn: json.RawMessage("3600")},
		{AccessToken: "x"},
		{AccessToken: "x", ExpiresIn: json.RawMessage(`"0"`)},
		{AccessToken: "x", ExpiresIn: json.RawMessage(`"soon"`)},
	} {
		c := New(Options{Name: "test", Mint: func(context.Context, string) (Response, error) { return res, nil }})
		if _, err := c.Token(context.Background()); err == nil || !strings.HasPrefix(err.Error(), "test: token:") {
			t.Errorf("answer %+v: %v; want refused", res, err)
		}
	}
}

// countingState counts the reads of the record.
type countingState struct {
	*memState
	reads atomic.Int32
}

func (s *countingState) GetRecord(ctx context.Context, kind, id string) (store.Record, error) {
	s.reads.Add(1)
	return s.memState.GetRecord(ctx, kind, id)
}

// While the token this process uses is live, calls do not read State;
// once it is refused, the next call does, and adopts a replica's token.
func TestLiveCopyServesWithoutReads(t *testing.T) {
	clk, is := clock.NewFake(t0), &issuer{}
	st := &countingState{memState: newState()}
	c := New(Options{Name: "test", State: st, Kind: "token", ID: "oauth", Margin: 2 * time.Minute, Mint: is.mint, Clock: clk})
	tok := mustToken(t, c)
	before := st.reads.Load()
	for range 5 {
		mustToken(t, c)
	}
	if n := st.reads.Load() - before; n != 0 {
		t.Errorf("%d State reads for 5 calls with a live token; want none", n)
	}
	c.Drop(context.Background(), tok)
	st.set(`{"access":"replica","expires_at":"2026-03-01T13:00:00Z"}`)
	if got := mustToken(t, c); got != "replica" || is.minted() != 1 {
		t.Errorf("after a refusal: %s after %d mints; want the replica's token", got, is.minted())
	}
}
