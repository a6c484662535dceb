package feed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

var t0 = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

type rig struct {
	t   *testing.T
	dir string
	st  *embedded.Store
	clk *clock.Fake
	cfg *Config
}

func newRig(t *testing.T) *rig {
	t.Helper()
	dir := t.TempDir()
	clk := clock.NewFake(t0)
	st, err := embedded.Open(filepath.Join(dir, "db"), embedded.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := &Config{Source: Source{File: filepath.Join(dir, "stock.csv")}, Columns: stdColumns}
	return &rig{t: t, dir: dir, st: st, clk: clk, cfg: cfg}
}

func (r *rig) request() Request {
	return Request{Supplier: "acme", Config: r.cfg, Currency: "USD", Store: r.st, Clock: r.clk,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func (r *rig) run(mod func(*Request)) *Result {
	r.t.Helper()
	req := r.request()
	if mod != nil {
		mod(&req)
	}
	res, err := Import(context.Background(), req)
	if err != nil {
		r.t.Fatal(err)
	}
	return res
}

// writeFeed writes n rows; row i has stock stock(i) and cost cost(i) cents.
func (r *rig) writeFeed(n int, stock func(int) int, cost func(int) int) {
	r.t.Helper()
	var b strings.Builder
	b.WriteString("supplier_sku,sku,qty,cost\n")
	for i := range n {
		fmt.Fprintf(&b, "A-%04d,S-%04d,%d,%d.%02d\n", i, i, stock(i), cost(i)/100, cost(i)%100)
	}
	p := r.cfg.Source.File
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		r.t.Fatal(err)
	}
	// A new file time each write, as a supplier's upload would have.
	r.clk.Advance(time.Minute)
	if err := os.Chtimes(p, r.clk.Now(), r.clk.Now()); err != nil {
		r.t.Fatal(err)
	}
}

func ten(int) int   { return 10 }
func price(int) int { return 1000 }
func kinds(d *Diff) map[string][]string {
	out := map[string][]string{}
	for _, c := range d.Changes {
		out[c.Kind] = append(out[c.Kind], c.SupplierSKU)
	}
	return out
}

func TestImportDiffReportsExactlyTheChangedSKUs(t *testing.T) {
	r := newRig(t)
	r.writeFeed(100, ten, price)
	res := r.run(nil)
	if !res.Applied || res.Diff.Added != 100 || res.Offers != 100 || res.State.Applied.Chunks != 1 {
		t.Fatalf("first import: %+v %+v", res, res.Diff)
	}
	// 10% of the SKUs change: stock of 0–4, cost of 5–9.
	r.writeFeed(100, func(i int) int { return map[bool]int{true: 11, false: 10}[i < 5] },
		func(i int) int { return map[bool]int{true: 1100, false: 1000}[i >= 5 && i < 10] })
	res = r.run(nil)
	d := res.Diff
	if !res.Applied || d.Changed != 10 || d.Unchanged != 90 || d.Added+d.Missing+d.Zeroed != 0 {
		t.Fatalf("second import: %+v", d)
	}
	var want []string
	for i := range 10 {
		want = append(want, fmt.Sprintf("A-%04d", i))
	}
	if got := kinds(d)[ChangeChanged]; !reflect.DeepEqual(got, want) {
		t.Errorf("changed %v, want %v", got, want)
	}
	if len(d.Moves) != 5 || d.Moves[0].Percent.String() != "10.0" || d.Moves[0].Field != "cost" || d.Moves[0].Old.Amount != 1000 || d.Moves[0].New.Amount != 1100 {
		t.Errorf("moves %+v", d.Moves)
	}
}

func TestImportZeroingQuarantinesThenApprove(t *testing.T) {
	r := newRig(t)
	r.writeFeed(10, ten, price)
	first := r.run(nil)
	// 60% of the SKUs go to zero: four rows at 0, two rows gone.
	r.writeFeed(8, func(i int) int { return map[bool]int{true: 0, false: 10}[i < 4] }, price)
	res := r.run(nil)
	if !res.Quarantined || res.Applied || res.Diff.Zeroed != 4 || res.Diff.Missing != 2 || res.Diff.DroppedToZero != 6 {
		t.Fatalf("got %+v %+v", res, res.Diff)
	}
	if want := "6 of 10 SKUs (60.0%) would drop to zero stock, more than max_zeroed_share 0.5"; !reflect.DeepEqual(res.Reasons, []string{want}) {
		t.Errorf("reasons %q", res.Reasons)
	}
	st, _, _ := LoadState(context.Background(), r.st, "acme")
	if st.Applied.ID != first.Meta.ID || st.Pending == nil || st.Pending.ID != res.Meta.ID || st.Pending.Slot == st.Applied.Slot {
		t.Fatalf("state %+v", st)
	}
	// The same content again is not imported again.
	if again := r.run(nil); !again.Unchanged {
		t.Errorf("re-import of the quarantined file: %+v", again)
	}
	st, _, err := Approve(context.Background(), r.st, "acme", res.Meta.ID)
	if err != nil || st.Applied.ID != res.Meta.ID || st.Pending != nil || !st.AsOf.Equal(res.Meta.Created) {
		t.Fatalf("approve: %v %+v", err, st)
	}
	snap, err := ReadSnapshot(context.Background(), r.st, "acme", st.Applied)
	if err != nil || snap.Len() != 8 || snap.At(0).Stock != 0 || snap.At(7).Stock != 10 {
		t.Fatalf("approved snapshot: %v %+v", err, snap)
	}
	if _, _, err := Discard(context.Background(), r.st, "acme", res.Meta.ID); err != nil {
		t.Errorf("discarding the applied snapshot is a no-op, got %v", err)
	}
	if _, _, err := Approve(context.Background(), r.st, "acme", "nope"); !errors.Is(err, ErrNotPending) {
		t.Errorf("approve unknown: %v", err)
	}
}

func TestImportPriceGuardrail(t *testing.T) {
	r := newRig(t)
	limit := decimal.MustParse("30")
	r.cfg.Guardrails.MaxPriceChange = &limit
	r.writeFeed(10, ten, price)
	before := r.run(nil).State
	// +30% exactly is allowed, +30.01% and -50% are not.
	r.writeFeed(10, ten, func(i int) int {
		return map[int]int{1: 1300, 2: 1301, 3: 500}[i] + map[bool]int{true: 1000}[i > 3 || i == 0]
	})
	res := r.run(func(q *Request) { q.DryRun = true })
	if !res.Quarantined || res.Diff.PriceOver != 2 || res.Diff.Priced != 10 {
		t.Fatalf("got %+v", res.Diff)
	}
	if got := res.Reasons; len(got) != 1 || got[0] != "2 of 10 priced SKUs moved more than max_price_change 30%" {
		t.Errorf("reasons %q", got)
	}
	var moves []string
	for _, m := range res.Diff.Moves {
		moves = append(moves, fmt.Sprintf("%s %s→%s %s%%", m.SupplierSKU, m.Old.Decimal(), m.New.Decimal(), m.Percent))
	}
	if want := []string{"A-0003 10.00→5.00 -50.0%", "A-0002 10.00→13.01 30.1%", "A-0001 10.00→13.00 30.0%"}; !reflect.DeepEqual(moves, want) {
		t.Errorf("moves %q", moves)
	}
	// A dry run stores nothing.
	st, _, _ := LoadState(context.Background(), r.st, "acme")
	if st.Pending != nil || st.Applied.ID != before.Applied.ID || st.Fetched != before.Fetched {
		t.Errorf("dry run changed the state: %+v", st)
	}
	// Allowing 20% of the SKUs to move lets it through.
	share := decimal.MustParse("0.2")
	r.cfg.Guardrails.MaxPriceChangeShare = &share
	if res := r.run(nil); !res.Applied {
		t.Errorf("with a 20%% share: %+v", res.Reasons)
	}
}

func TestImportTooManyBadRows(t *testing.T) {
	r := newRig(t)
	data := "supplier_sku,sku,qty,cost\n"
	for i := range 20 {
		q := "1"
		if i < 2 {
			q = "x"
		}
		data += fmt.Sprintf("A-%d,S-%d,%s,1\n", i, i, q)
	}
	if err := os.WriteFile(r.cfg.Source.File, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Import(context.Background(), r.request())
	if !errors.Is(err, ErrUser) || res.Bad != 2 || res.Rows != 20 ||
		!strings.HasPrefix(err.Error(), "2 of 20 rows are bad, more than max_error_share 0.05; first: ") {
		t.Fatalf("got %v %+v", err, res)
	}
	// Known bad content is not retried until it changes.
	if res := r.run(nil); !res.Unchanged {
		t.Errorf("retry of the same bad file: %+v", res)
	}
	share := decimal.MustParse("0.1")
	r.cfg.MaxErrorShare = &share
	if res := r.run(func(q *Request) { q.Force = true }); !res.Applied || res.Offers != 18 {
		t.Errorf("with max_error_share 0.1: %+v", res)
	}
}

func TestImportUnchangedFile(t *testing.T) {
	r := newRig(t)
	r.writeFeed(5, ten, price)
	first := r.run(nil)
	r.clk.Advance(time.Hour)
	res := r.run(nil)
	if !res.Unchanged || res.State.Applied.ID != first.Meta.ID {
		t.Fatalf("same file: %+v", res)
	}
	// The file's time is the data's age when nothing changed.
	fi, _ := os.Stat(r.cfg.Source.File)
	if !res.State.AsOf.Equal(fi.ModTime().UTC()) {
		t.Errorf("as of %v, want the file's time %v", res.State.AsOf, fi.ModTime())
	}
	// Re-uploaded with the same bytes: parsed, found identical, skipped.
	r.clk.Advance(time.Hour)
	if err := os.Chtimes(r.cfg.Source.File, r.clk.Now(), r.clk.Now()); err != nil {
		t.Fatal(err)
	}
	res = r.run(nil)
	if !res.Unchanged || !res.State.AsOf.Equal(r.clk.Now()) || res.State.Applied.ID != first.Meta.ID {
		t.Fatalf("re-upload: %+v", res.State)
	}
	// --file and force bypass the check.
	if res := r.run(func(q *Request) { q.Force = true }); !res.Applied || res.Diff.Unchanged != 5 {
		t.Errorf("forced: %+v", res)
	}
}

func TestImportHTTPETag(t *testing.T) {
	r := newRig(t)
	body := "supplier_sku,sku,qty,cost\nA-1,S-1,4,2.50\n"
	var hits, notModified atomic.Int32
	var auth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		hits.Add(1)
		auth.Store(req.Header.Get("Authorization"))
		if req.Header.Get("If-None-Match") == `"v1"` {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Sat, 21 Nov 2026 08:00:00 GMT")
		_, _ = io.WriteString(w, body)
	}))
	defer srv.Close()
	r.cfg.Source = Source{URL: srv.URL + "/stock.csv?token=secret", Headers: map[string]connector.Secret{"Authorization": "Bearer t0k"}}
	res := r.run(nil)
	if !res.Applied || res.Offers != 1 || res.Source != srv.URL+"/stock.csv" || auth.Load() != "Bearer t0k" {
		t.Fatalf("first: %+v (auth %v)", res, auth.Load())
	}
	if res.State.Fetched.ETag != `"v1"` || !res.State.AsOf.Equal(r.clk.Now()) {
		t.Errorf("state %+v", res.State)
	}
	r.clk.Advance(2 * time.Hour)
	res = r.run(nil)
	if !res.Unchanged || notModified.Load() != 1 || hits.Load() != 2 {
		t.Fatalf("second: %+v (hits %d, 304s %d)", res, hits.Load(), notModified.Load())
	}
	if want := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC); !res.State.AsOf.Equal(want) {
		t.Errorf("as of %v, want Last-Modified %v", res.State.AsOf, want)
	}
	// A server error is retryable, not a user error.
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", http.StatusBadGateway) })
	if _, err := Import(context.Background(), r.request()); err == nil || errors.Is(err, ErrUser) || !strings.Contains(err.Error(), "HTTP 502") {
		t.Errorf("502: %v", err)
	}
}

func TestSnapshotChunksRoundTrip(t *testing.T) {
	r := newRig(t)
	cfg := csvConfig(Columns{SupplierSKU: "id", SKU: "sku", Quantity: "q", Cost: "c", Title: "t", ShipFrom: "w"}, CSVOptions{})
	var b strings.Builder
	b.WriteString("id,sku,q,c,t,w\n")
	for i := range 40000 {
		fmt.Fprintf(&b, "ID-%07d,SKU-%07d,%d,%d.99,Some product title number %d,WH-%d\n", i, i, i%50, i%300, i, i%3)
	}
	snap, _, err := parseFeed(t, cfg, "f.csv", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	chunks, err := WriteSnapshot(context.Background(), r.st, "acme", 1, snap)
	if err != nil || chunks < 2 {
		t.Fatalf("chunks %d, %v", chunks, err)
	}
	meta := &Meta{ID: snap.ID, Slot: 1, Chunks: chunks, Offers: snap.Len(), Currency: "EUR", Places: snap.Places}
	back, err := ReadSnapshot(context.Background(), r.st, "acme", meta)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(offers(back), offers(snap)) {
		t.Fatal("snapshot changed through the store")
	}
	// A chunk of another snapshot in the slot is detected, not misread.
	meta.ID = "other"
	if _, err := ReadSnapshot(context.Background(), r.st, "acme", meta); err == nil || !strings.Contains(err.Error(), "from another snapshot") {
		t.Errorf("got %v", err)
	}
}
