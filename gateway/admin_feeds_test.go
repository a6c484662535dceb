package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/internal/apptest"
	"github.com/dropgate/dropgate/internal/catalog"
	"github.com/dropgate/dropgate/internal/feed"
	"github.com/dropgate/dropgate/internal/feedimport"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// adminRig is the admin API of an application whose supplier feedco has
// only a CSV feed (no catalog file) and acme only a catalog.
type adminRig struct {
	srv  *httptest.Server
	app  *apptest.Rig
	st   *embedded.Store
	file string
}

func newAdminRig(t *testing.T, maxUpload int64) *adminRig {
	t.Helper()
	dir := t.TempDir()
	clk := clock.NewFake(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	st, err := embedded.Open(filepath.Join(dir, "db"), embedded.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r := &adminRig{st: st, file: filepath.Join(dir, "feedco.csv")}
	cat := catalog.New(catalog.WithClock(clk))
	cat.Replace("acme", []routing.Offer{{SKU: "MUG", SupplierSKU: "A-MUG", Cost: money.MustParse("9.00", "USD"), Stock: 50}})
	profiles := map[string]routing.SupplierProfile{"acme": {Name: "acme", Currency: "USD"},
		"feedco": {Name: "feedco", Currency: "USD", Fees: routing.Fees{ShippingEstimate: decimal.MustParse("1.00")}}}
	share := decimal.MustParse("0.5")
	cfg := &feed.Config{Source: feed.Source{File: r.file}, MaxErrorShare: &share,
		Columns: feed.Columns{SupplierSKU: "ssku", SKU: "sku", Quantity: "qty", Cost: "cost"}}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	drv := &feedimport.Driver{Configs: map[string]*feed.Config{"feedco": cfg}, Currencies: map[string]string{"acme": "USD", "feedco": "USD"},
		Store: st, Catalog: cat, Clock: clk, Log: log}
	r.app = apptest.New(t, apptest.Options{Store: st, Clock: clk, Catalog: cat, Profiles: profiles, Feeds: drv, Log: log})
	ad := &Admin{Ops: r.app.S.Operator(), Log: log, MaxFeedUpload: maxUpload}
	s := &Server{Intake: r.app.S.Intake(), Ping: st.Ping, AdminToken: "tok", Clock: clk, Log: log, Admin: ad.Handler()}
	r.srv = httptest.NewServer(s.Handler())
	t.Cleanup(r.srv.Close)
	return r
}

func (r *adminRig) post(t *testing.T, path string, body io.Reader, out any) int {
	t.Helper()
	return r.do(t, http.MethodPost, path, body, out)
}

// do sends an authorized request and decodes the JSON answer into out.
func (r *adminRig) do(t *testing.T, method, path string, body io.Reader, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, r.srv.URL+path, body)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s: %v: %s", path, err, b)
	}
	return resp.StatusCode
}

// importAnswer reads FeedImportResponse as a client does: the result's
// fields beside the answer's own.
type importAnswer struct {
	feed.Result
	Errors    []string `json:"errors"`
	Exception string   `json:"exception"`
	Error     string   `json:"error"`
}

// The server runs the import (it owns the store): a dry run stores
// nothing, a real one applies the snapshot to the live catalog at once,
// an upload replaces the configured source.
func TestFeedImportThroughTheAdminAPI(t *testing.T) {
	r := newAdminRig(t, 1<<20)
	ctx := context.Background()
	os.WriteFile(r.file, []byte("ssku,sku,qty,cost\nF-MUG,MUG,40,3.00\nF-TEE,TEE,5,6.00\nF-BAD,BAD,x,1.00\n"), 0o644)

	var dry importAnswer
	if code := r.post(t, "/api/v1/feeds/feedco/import?dry_run=true", nil, &dry); code != 200 || !dry.DryRun || dry.Offers != 2 || dry.Bad != 1 ||
		dry.Diff == nil || dry.Diff.Added != 2 || len(dry.Errors) != 1 || !strings.Contains(dry.Errors[0], "feedco.csv:4") {
		t.Fatalf("dry run: %d %+v", code, dry)
	}
	if st, _, _ := feed.LoadState(ctx, r.st, "feedco"); st.Applied != nil || len(r.app.Catalog.Offers("TEE")) != 0 {
		t.Fatalf("the dry run stored or applied something: %+v", st)
	}

	var real importAnswer
	if code := r.post(t, "/api/v1/feeds/feedco/import", nil, &real); code != 200 || !real.Applied || real.Meta == nil {
		t.Fatalf("import: %d %+v", code, real)
	}
	if offers := r.app.Catalog.Offers("TEE"); len(offers) != 1 || offers[0].Supplier != "feedco" || offers[0].Stock != 5 {
		t.Fatalf("catalog after the import: %+v", offers)
	}

	// An upload: MUG drops to 0 for feedco, TEE changes price.
	var up importAnswer
	body := strings.NewReader("ssku,sku,qty,cost\nF-MUG,MUG,40,3.00\nF-TEE,TEE,5,6.30\n")
	if code := r.post(t, "/api/v1/feeds/feedco/import?filename=../../etc/stock.csv", body, &up); code != 200 || !up.Applied ||
		up.Source != "upload stock.csv" || up.Diff.Changed != 1 {
		t.Fatalf("upload: %d %+v", code, up)
	}

	// Errors: a user's mistake is 400 with the message, a bad flag too.
	var bad importAnswer
	if code := r.post(t, "/api/v1/feeds/acme/import", nil, &bad); code != 400 || !strings.Contains(bad.Error, `supplier "acme" has no feed: block`) {
		t.Errorf("no feed: %d %+v", code, bad)
	}
	if code := r.post(t, "/api/v1/feeds/feedco/import?dry_run=maybe", nil, &bad); code != 400 || !strings.Contains(bad.Error, `dry_run: "maybe" is not true or false`) {
		t.Errorf("bad flag: %d %+v", code, bad)
	}
}

// An upload larger than the bound is refused, whether it says its length
// or streams it.
func TestFeedUploadIsBounded(t *testing.T) {
	r := newAdminRig(t, 64)
	big := "ssku,sku,qty,cost\n" + strings.Repeat("F-MUG,MUG,40,3.00\n", 20)
	var out importAnswer
	if code := r.post(t, "/api/v1/feeds/feedco/import", strings.NewReader(big), &out); code != 413 || !strings.Contains(out.Error, "exceeds 64 bytes") {
		t.Errorf("with a length: %d %+v", code, out)
	}
	// No length (chunked): refused once 64 bytes were read.
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(func() error { _, err := io.Copy(pw, strings.NewReader(big)); return err }())
	}()
	out = importAnswer{}
	if code := r.post(t, "/api/v1/feeds/feedco/import", pr, &out); code != 413 || !strings.Contains(out.Error, "exceeds 64 bytes") {
		t.Errorf("chunked: %d %+v", code, out)
	}
	if st, _, _ := feed.LoadState(context.Background(), r.st, "feedco"); st.Applied != nil {
		t.Errorf("a refused upload was applied")
	}
}

// POST /api/v1/route/explain routes against the live catalog, feed
// offers included, and says so.
func TestRouteExplainThroughTheAdminAPI(t *testing.T) {
	r := newAdminRig(t, 1<<20)
	os.WriteFile(r.file, []byte("ssku,sku,qty,cost\nF-TEE,TEE,5,6.00\n"), 0o644)
	var imp importAnswer
	if code := r.post(t, "/api/v1/feeds/feedco/import", nil, &imp); code != 200 || !imp.Applied {
		t.Fatalf("import: %d %+v", code, imp)
	}
	o := model.Order{ID: "o1", Currency: "USD", ShippingAddress: &model.Address{Name: "Ada", Line1: "1 Road", City: "Austin", PostalCode: "78701", Country: "US"},
		Lines: []model.OrderLine{{ID: "1", SKU: "TEE", Quantity: 2, UnitPrice: money.MustParse("20.00", "USD")}, {ID: "2", SKU: "MUG", Quantity: 1, UnitPrice: money.MustParse("15.00", "USD")}}}
	body, _ := json.Marshal(o)
	var ex RouteExplanation
	if code := r.post(t, "/api/v1/route/explain", bytes.NewReader(body), &ex); code != 200 {
		t.Fatalf("explain: %d %+v", code, ex)
	}
	if len(ex.Lines) != 2 || ex.Lines[0].Winner == nil || ex.Lines[0].Winner.Supplier != "feedco" || ex.Lines[1].Winner.Supplier != "acme" {
		t.Fatalf("lines = %+v", ex.Lines)
	}
	if ex.Source != SourceServer || ex.Catalog != "acme: catalog file; feedco: feed snapshot "+imp.Meta.ID+" (1 offers, as of 2026-11-21 09:00 UTC)" || ex.Search == nil {
		t.Errorf("source %q catalog %q search %+v", ex.Source, ex.Catalog, ex.Search)
	}
	var bad map[string]string
	if code := r.post(t, "/api/v1/route/explain", strings.NewReader(`{"id":"x"}`), &bad); code != 400 || bad["error"] != "the order has no lines" {
		t.Errorf("no lines: %d %v", code, bad)
	}
	if code := r.post(t, "/api/v1/route/explain", strings.NewReader(`[1,2`), &bad); code != 400 || !strings.HasPrefix(bad["error"], "the body is not a canonical order") {
		t.Errorf("not an order: %d %v", code, bad)
	}
}
