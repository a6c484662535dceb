package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/apptest"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// TestExceptionListFiltersCombineAndRefuseUnknownValues: every filter of
// GET /api/v1/exceptions applies at once; an unknown status or kind is a
// 400 that says what is allowed, not an empty list.
func TestExceptionListFiltersCombineAndRefuseUnknownValues(t *testing.T) {
	st, err := embedded.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	app := apptest.New(t, apptest.Options{Store: st})
	ctx := context.Background()
	for _, j := range []store.Job{
		{ID: "j1", Kind: "po.send", Meta: map[string]string{"order": "o1", "connector": "acme"}},
		{ID: "j2", Kind: "po.send", Meta: map[string]string{"order": "o2", "connector": "acme"}},
		{ID: "j3", Kind: "po.send", Meta: map[string]string{"order": "o1", "connector": "zeta"}},
	} {
		app.S.Operations.DeadLettered(ctx, &j, errors.New("boom"))
	}
	srv := httptest.NewServer((&Admin{Ops: app.S.Operator()}).Handler())
	t.Cleanup(srv.Close)
	get := func(q string) (int, []model.Exception) {
		resp, err := http.Get(srv.URL + "/api/v1/exceptions?" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct{ Exceptions []model.Exception }
		json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body.Exceptions
	}
	if code, xs := get("status=open&kind=dead_letter&supplier=acme&order=o1"); code != 200 || len(xs) != 1 || xs[0].Ref != "j1" {
		t.Errorf("combined filters: %d %+v", code, xs)
	}
	if code, xs := get("supplier=acme"); code != 200 || len(xs) != 2 {
		t.Errorf("supplier only: %d %d", code, len(xs))
	}
	for _, q := range []string{"status=bogus", "kind=bogus"} {
		if code, _ := get(q); code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", q, code)
		}
	}
}
