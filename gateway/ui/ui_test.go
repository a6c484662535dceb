package ui_test

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/gateway/ui"
)

const token = "s3cret-admin-token"

// fakeOps answers the reads with fixed data and records the actions.
type fakeOps struct {
	ports.Operator
	mu       sync.Mutex
	dead     []string
	open     []model.Exception
	orders   []model.Aggregate
	rerouted []string
	released []string
	canceled []string
	replayed []string
	resolved []string
}

func (f *fakeOps) lock() func() { f.mu.Lock(); return f.mu.Unlock }

func (f *fakeOps) Orders(_ context.Context, where map[string]string, p repo.Page) ([]model.Aggregate, string, error) {
	defer f.lock()()
	var out []model.Aggregate
	for _, a := range f.orders {
		if s := where["status"]; s != "" && string(a.Order.Status) != s {
			continue
		}
		out = append(out, a)
	}
	return out, "", nil
}
func (f *fakeOps) Order(_ context.Context, id string) (*model.Aggregate, error) {
	defer f.lock()()
	return f.order(id)
}

func (f *fakeOps) order(id string) (*model.Aggregate, error) {
	for i := range f.orders {
		if f.orders[i].Order.ID == id {
			return &f.orders[i], nil
		}
	}
	return nil, store.ErrNotFound
}
func (f *fakeOps) OrderOfPO(_ context.Context, n string) (string, error) {
	defer f.lock()()
	for _, a := range f.orders {
		if a.PO(n) != nil {
			return a.Order.ID, nil
		}
	}
	return "", store.ErrNotFound
}
func (f *fakeOps) Reroute(_ context.Context, id, actor string) (*model.Aggregate, error) {
	defer f.lock()()
	f.rerouted = append(f.rerouted, id+"/"+actor)
	a, err := f.order(id)
	if err == nil && a.Order.Status == model.OrderOnHold {
		a.Order.Status, a.Order.Holds = model.OrderProcessing, nil
		a.Timeline = append(a.Timeline, model.TimelineEntry{At: time.Now(), Entity: "order", Event: "order.rerouted", Message: "sent to acme", Cause: model.Cause{Kind: model.CauseOperator, Ref: actor}})
	}
	return a, err
}
func (f *fakeOps) Release(_ context.Context, id, actor string) (*model.Aggregate, error) {
	defer f.lock()()
	f.released = append(f.released, id+"/"+actor)
	return f.order(id)
}
func (f *fakeOps) CancelOrder(_ context.Context, id, actor, reason string) (*model.Aggregate, error) {
	defer f.lock()()
	f.canceled = append(f.canceled, id+"/"+actor+"/"+reason)
	return f.order(id)
}
func (f *fakeOps) Exceptions(_ context.Context, where map[string]string, _ repo.Page) ([]model.Exception, string, error) {
	defer f.lock()()
	var out []model.Exception
	for _, x := range f.open {
		if (where["order"] == "" || where["order"] == x.OrderID) && (where["kind"] == "" || where["kind"] == string(x.Kind)) && where["status"] != "resolved" {
			out = append(out, x)
		}
	}
	return out, "", nil
}
func (f *fakeOps) ResolveException(_ context.Context, id, action, _, _ string) (*model.Exception, error) {
	defer f.lock()()
	f.resolved = append(f.resolved, id+"/"+action)
	f.open = slices.DeleteFunc(f.open, func(x model.Exception) bool { return x.ID == id })
	return &model.Exception{ID: id}, nil
}
func (f *fakeOps) DeadLetters(context.Context, string, int) ([]store.Job, string, error) {
	defer f.lock()()
	var out []store.Job
	for _, id := range f.dead {
		out = append(out, store.Job{ID: id, Kind: "webhook", Payload: []byte(`{"a":1}`)})
	}
	return out, "", nil
}
func (f *fakeOps) DeadLetter(_ context.Context, id string) (*store.Job, error) {
	return &store.Job{ID: id, Kind: "webhook", Payload: []byte(`<script>{"a":1}`)}, nil
}
func (f *fakeOps) ReplayDeadLetter(_ context.Context, id, _ string) error {
	defer f.lock()()
	f.replayed = append(f.replayed, id)
	f.dead = slices.DeleteFunc(f.dead, func(d string) bool { return d == id })
	return nil
}
func (f *fakeOps) DiscardDeadLetter(context.Context, string, string) error { return nil }
func (f *fakeOps) Queues(context.Context) ([]store.QueueStats, error) {
	return []store.QueueStats{{Queue: "inbound", Ready: 3, Dead: 1, OldestAge: 5 * time.Second}}, nil
}
func (f *fakeOps) ConnectorsHealth(context.Context) (map[string]model.ConnectorHealth, error) {
	at := time.Date(2026, 12, 6, 9, 41, 0, 0, time.UTC)
	return map[string]model.ConnectorHealth{"shop": {LastSuccess: at, Successes: 42},
		"acme": {LastSuccess: at, Successes: 17, Failures: 1, LastError: "sftp: connection refused", LastErrorAt: at.Add(-time.Hour)}}, nil
}

func newOps() *fakeOps {
	return &fakeOps{dead: []string{"d1"},
		open:   []model.Exception{{ID: "x2", Kind: model.ExUnroutable, Status: "open", OrderID: "o1", Reason: "SKU TEE-XL is carried by no supplier in stock", Actions: []string{"reroute", "resolve"}}, {ID: "x1", Kind: model.ExFeedQuarantined, Status: "open", Supplier: "acme", Reason: "feed would zero 40% of offers", Ref: "import-7", Actions: []string{"approve", "discard"}}},
		orders: sampleOrders()}
}

func sampleOrders() []model.Aggregate {
	at := time.Date(2026, 12, 6, 9, 41, 0, 0, time.UTC)
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	held := model.Aggregate{
		Order: model.Order{ID: "o1", Channel: "shop", ChannelOrderID: "5012345678901", ChannelOrderNumber: "#1001", PlacedAt: at, Currency: "USD",
			Customer: model.Customer{Name: "Ada Lovelace", Email: "ada@example.com"}, Status: model.OrderOnHold, PaymentStatus: "paid",
			Totals: model.Totals{Total: usd("84.50")},
			Lines: []model.OrderLine{
				{ID: "1", SKU: "MUG-BLUE", Title: "Blue mug", Quantity: 2, Qty: model.Buckets{Ordered: 2, Sent: 2}},
				{ID: "2", SKU: "TEE-XL", Title: "T-shirt XL", Quantity: 1, Qty: model.Buckets{Ordered: 1}},
			},
			Holds: []model.Hold{{Code: "unroutable", Reason: "SKU TEE-XL is carried by no supplier in stock", LineID: "2", At: at}}},
		POs: []model.PurchaseOrder{{Number: "PO-ABC", Supplier: "acme", Status: "sent",
			Lines: []model.POLine{{LineNo: 1, SKU: "MUG-BLUE", SupplierSKU: "AC-MUG-01", Quantity: 2, UnitCost: usd("6.20")}}}},
		Timeline: []model.TimelineEntry{
			{At: at, Entity: "order", Event: "order.received", Message: "from webhook", Cause: model.Cause{Kind: "webhook", Ref: "dlv-1"}},
			{At: at.Add(time.Second), Entity: "po:PO-ABC", Event: "po.sent", Message: "850 sent to acme", Cause: model.Cause{Kind: "system"}},
			{At: at.Add(2 * time.Second), Entity: "line:2", Event: "order.held", Message: "SKU TEE-XL is carried by no supplier in stock", Cause: model.Cause{Kind: "system"}},
		},
	}
	shipped := model.Aggregate{
		Order: model.Order{ID: "o2", Channel: "shop", ChannelOrderNumber: "#1000", PlacedAt: at.Add(-time.Hour), Currency: "USD",
			Customer: model.Customer{Name: "Grace Hopper"}, Status: model.OrderShipped, Totals: model.Totals{Total: usd("19.90")},
			Lines: []model.OrderLine{{ID: "1", SKU: "CAP-RED", Quantity: 1, Qty: model.Buckets{Ordered: 1, Shipped: 1}}}},
		Shipments: []model.Shipment{{ID: "s1", PONumber: "PO-XYZ", Supplier: "acme", Carrier: "ups", Status: "in_transit",
			Packages: []model.Package{{TrackingNumber: "1Z999AA10123456784", Status: "in_transit"}}}},
	}
	return []model.Aggregate{held, shipped}
}

func server(t *testing.T, ops *fakeOps) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer((&ui.UI{Ops: ops, Token: token, LoginAttempts: 3,
		Connectors: []ui.Connector{{Name: "shop", Kind: "channel", Type: "shopify"}, {Name: "acme", Kind: "supplier", Type: "edi_x12"}}}).Handler())
	t.Cleanup(srv.Close)
	return srv
}

func client(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func csrf(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf field in page:\n%s", body)
	}
	return m[1]
}

func login(t *testing.T, c *http.Client, base, tok string) *http.Response {
	t.Helper()
	_, page := get(t, c, base+"/ui/login")
	resp, err := c.PostForm(base+"/ui/login", url.Values{"csrf": {csrf(t, page)}, "token": {tok}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestNoPageWithoutSession(t *testing.T) {
	ops := newOps()
	srv := server(t, ops)
	c := client(t)
	for _, p := range []string{"/ui/", "/ui/orders", "/ui/orders/o1", "/ui/exceptions", "/ui/dead-letters", "/ui/dead-letters/d1", "/ui/feeds", "/ui/suppliers", "/ui/nope"} {
		resp, body := get(t, c, srv.URL+p)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/login" || strings.Contains(body, "#1001") {
			t.Errorf("GET %s without session: %d %q", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	for _, p := range []string{"/ui/orders/o1/reroute", "/ui/orders/o1/release", "/ui/dead-letters/d1/replay", "/ui/exceptions/x1/approve", "/ui/logout"} {
		resp, err := c.PostForm(srv.URL+p, url.Values{"csrf": {"guess"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without session: %d, want 403", p, resp.StatusCode)
		}
	}
	// A forged session cookie is no session.
	u, _ := url.Parse(srv.URL + "/ui/")
	c.Jar.SetCookies(u, []*http.Cookie{{Name: ui.SessionCookie, Value: "forged"}})
	if resp, _ := get(t, c, srv.URL+"/ui/orders"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("forged cookie: %d", resp.StatusCode)
	}
	if len(ops.rerouted)+len(ops.released)+len(ops.replayed)+len(ops.resolved) != 0 {
		t.Fatalf("actions ran without a session: %v %v %v", ops.rerouted, ops.replayed, ops.resolved)
	}
}

func TestLoginSetsStrictHttpOnlyCookie(t *testing.T) {
	srv := server(t, newOps())
	c := client(t)
	resp := login(t, c, srv.URL, token)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/" {
		t.Fatalf("login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var sc *http.Cookie
	for _, k := range resp.Cookies() {
		if k.Name == ui.SessionCookie && k.Value != "" {
			sc = k
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode || sc.Path != "/ui/" || sc.Secure {
		t.Fatalf("session cookie over plain HTTP: %+v", sc)
	}
	if strings.Contains(resp.Header.Get("Location"), token) {
		t.Fatal("token in a URL")
	}
	r, body := get(t, c, srv.URL+"/ui/")
	if r.StatusCode != 200 || !strings.Contains(body, "Orders today") {
		t.Fatalf("overview after login: %d", r.StatusCode)
	}
	if strings.Contains(body, token) {
		t.Fatal("page shows the token")
	}
}

func TestCookieSecureOverTLS(t *testing.T) {
	srv := httptest.NewTLSServer((&ui.UI{Ops: newOps(), Token: token}).Handler())
	t.Cleanup(srv.Close)
	c := srv.Client()
	jar, _ := cookiejar.New(nil)
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // test server
	resp := login(t, c, srv.URL, token)
	var ok bool
	for _, k := range resp.Cookies() {
		if k.Name == ui.SessionCookie && k.Value != "" {
			ok = k.Secure && k.HttpOnly && k.SameSite == http.SameSiteStrictMode
		}
	}
	if !ok {
		t.Fatalf("no Secure session cookie over TLS: %v", resp.Cookies())
	}
}

func TestEveryPostNeedsCSRF(t *testing.T) {
	ops := newOps()
	srv := server(t, ops)
	c := client(t)
	login(t, c, srv.URL, token)
	_, page := get(t, c, srv.URL+"/ui/orders/o1")
	good := csrf(t, page)
	posts := []string{"/ui/orders/o1/reroute", "/ui/dead-letters/d1/replay", "/ui/dead-letters/d1/discard", "/ui/exceptions/x1/approve", "/ui/orders/o1/release", "/ui/orders/o1/cancel", "/ui/logout"}
	for _, p := range posts {
		for _, bad := range []url.Values{{}, {"csrf": {"wrong"}}, {"csrf": {good + "x"}}} {
			resp, err := c.PostForm(srv.URL+p, bad)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s with %v: %d, want 403", p, bad, resp.StatusCode)
			}
		}
	}
	if len(ops.rerouted)+len(ops.released)+len(ops.canceled)+len(ops.replayed)+len(ops.resolved) != 0 {
		t.Fatalf("actions ran without CSRF: %v %v %v", ops.rerouted, ops.replayed, ops.resolved)
	}
	// The token in the query string is not accepted either.
	resp, _ := c.Post(srv.URL+"/ui/orders/o1/reroute?csrf="+url.QueryEscape(good), "application/x-www-form-urlencoded", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("csrf in URL accepted: %d", resp.StatusCode)
	}
	// With it, each action runs once.
	for _, p := range posts[:6] {
		resp, err := c.PostForm(srv.URL+p, url.Values{"csrf": {good}, "reason": {"by phone"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("POST %s with csrf: %d", p, resp.StatusCode)
		}
	}
	if strings.Join(ops.released, ",") != "o1/ui" {
		t.Errorf("released: %v", ops.released)
	}
	if strings.Join(ops.canceled, ",") != "o1/ui/by phone" {
		t.Errorf("cancelled: %v", ops.canceled)
	}
	if strings.Join(ops.rerouted, ",") != "o1/ui" || strings.Join(ops.replayed, ",") != "d1" || strings.Join(ops.resolved, ",") != "x1/approve" {
		t.Fatalf("actions: %v %v %v", ops.rerouted, ops.replayed, ops.resolved)
	}
	// Login itself needs the login form's token.
	c2 := client(t)
	resp, _ = c2.PostForm(srv.URL+"/ui/login", url.Values{"token": {token}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("login without csrf: %d", resp.StatusCode)
	}
}

func TestLoginRateLimited(t *testing.T) {
	srv := server(t, newOps()) // 3 failures a minute
	c := client(t)
	for i := 0; i < 3; i++ {
		if r := login(t, c, srv.URL, "wrong"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/ui/login?e=1" {
			t.Fatalf("failure %d: %d %s", i, r.StatusCode, r.Header.Get("Location"))
		}
	}
	if r := login(t, c, srv.URL, token); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("4th attempt (right token) after 3 failures: %d, want 429", r.StatusCode)
	}
}

func TestLoginLimitWindowPasses(t *testing.T) {
	now := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	srv := httptest.NewServer((&ui.UI{Ops: newOps(), Token: token, LoginAttempts: 1, Now: func() time.Time { return now }}).Handler())
	t.Cleanup(srv.Close)
	c := client(t)
	login(t, c, srv.URL, "wrong")
	if r := login(t, c, srv.URL, token); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("got %d, want 429", r.StatusCode)
	}
	now = now.Add(61 * time.Second)
	if r := login(t, c, srv.URL, token); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/ui/" {
		t.Fatalf("after the window: %d", r.StatusCode)
	}
}

func TestPagesRender(t *testing.T) {
	srv := server(t, newOps())
	c := client(t)
	login(t, c, srv.URL, token)
	resp, _ := get(t, c, srv.URL+"/ui/orders?q=PO-ABC")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/orders/o1" {
		t.Fatalf("search by PO: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	checks := map[string][]string{
		"/ui/orders/o1":        {"#1001", "order.received", "by webhook dlv-1", "Reroute", "SKU TEE-XL is carried by no supplier", "MUG-BLUE", "PO-ABC"},
		"/ui/orders?q=1001":    {"/ui/orders/o1"},
		"/ui/orders?q=1Z999AA": {"/ui/orders/o2"},
		"/ui/orders?q=grace":   {"/ui/orders/o2"},
		"/ui/dead-letters/d1":  {"&lt;script&gt;", "Replay"},
		"/ui/feeds":            {"approve", "acme"},
		"/ui/":                 {"inbound", "Open exceptions"},
	}
	for p, wants := range checks {
		r, body := get(t, c, srv.URL+p)
		if r.StatusCode != 200 {
			t.Errorf("%s: %d", p, r.StatusCode)
			continue
		}
		for _, w := range wants {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", p, w)
			}
		}
		if r.Header.Get("Content-Security-Policy") == "" || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: headers %v", p, r.Header)
		}
	}
	r, css := get(t, c, srv.URL+"/ui/static/app.css")
	if r.StatusCode != 200 || !strings.Contains(css, "body") {
		t.Fatalf("embedded css: %d", r.StatusCode)
	}
}
