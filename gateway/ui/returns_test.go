package ui_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/app/returns"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/gateway/ui"
)

// returnOps adds the returns port to the fake operator.
type returnOps struct {
	*fakeOps
	opened  []returns.Request
	decided []string
}

func (f *returnOps) OpenReturn(_ context.Context, req returns.Request) ([]model.Return, error) {
	f.opened = append(f.opened, req)
	return []model.Return{{ID: "ret_1", OrderID: req.OrderID}}, nil
}
func (f *returnOps) Returns(context.Context, map[string]string, repo.Page) ([]model.Return, string, error) {
	return nil, "", nil
}
func (f *returnOps) Return(context.Context, string) (*model.Return, error) { return nil, nil }
func (f *returnOps) DecideReturn(_ context.Context, id, action, value, _ string) (*model.Return, error) {
	f.decided = append(f.decided, id+" "+action+" "+value)
	return &model.Return{ID: id, OrderID: "o2", Status: model.ReturnAuthorized}, nil
}

// The order page of a shipped order shows its returns with the answers
// they can take and a return form; both post with CSRF only.
func TestOrderPageReturns(t *testing.T) {
	ops := &returnOps{fakeOps: newOps()}
	ops.orders[1].Returns = []model.Return{{ID: "ret_0", OrderID: "o2", Supplier: "acme", Status: model.ReturnRequested,
		Lines: []model.ReturnLine{{SKU: "CAP-RED", SupplierSKU: "AC-CAP", Quantity: 1}}}}
	srv := httptest.NewServer((&ui.UI{Ops: ops, Token: token, LoginAttempts: 3}).Handler())
	t.Cleanup(srv.Close)
	c := client(t)
	login(t, c, srv.URL, token)
	_, page := get(t, c, srv.URL+"/ui/orders/o2")
	for _, want := range []string{"<h2>Returns</h2>", `action="/ui/returns/ret_0/authorize"`, `action="/ui/returns/ret_0/reject"`, `name="q.CAP-RED"`} {
		if !strings.Contains(page, want) {
			t.Fatalf("order page lacks %s:\n%s", want, page)
		}
	}
	if strings.Contains(page, `/ui/returns/ret_0/received`) {
		t.Error("a requested return offers received before it is authorised")
	}
	good := csrf(t, page)
	resp, err := c.PostForm(srv.URL+"/ui/orders/o2/returns", url.Values{"q.CAP-RED": {"1"}, "reason": {"too small"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || len(ops.opened) != 0 {
		t.Fatalf("return without CSRF: %d, opened %v", resp.StatusCode, ops.opened)
	}
	resp, err = c.PostForm(srv.URL+"/ui/orders/o2/returns", url.Values{"csrf": {good}, "q.CAP-RED": {"1"}, "reason": {"too small"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || len(ops.opened) != 1 || ops.opened[0].Lines[0] != (returns.RequestLine{SKU: "CAP-RED", Quantity: 1}) ||
		ops.opened[0].Reason != "too small" || ops.opened[0].Source != "operator" {
		t.Fatalf("return: %d, opened %+v", resp.StatusCode, ops.opened)
	}
	resp, err = c.PostForm(srv.URL+"/ui/returns/ret_0/authorize", url.Values{"csrf": {good}, "rma": {"RMA-9"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || len(ops.decided) != 1 || ops.decided[0] != "ret_0 authorize RMA-9" ||
		!strings.HasPrefix(resp.Header.Get("Location"), "/ui/orders/o2?done=return+authorized") {
		t.Fatalf("authorize: %d %s, decided %v", resp.StatusCode, resp.Header.Get("Location"), ops.decided)
	}
}
