package stage

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime/pprof"
	"strings"
	"testing"
)

// One test: Enable is for the life of the process, so the disabled case
// must run first.
func TestLabels(t *testing.T) {
	ctx := context.Background()
	n := 0
	if a := testing.AllocsPerRun(100, func() { Decode.Do(ctx, func(context.Context) { n++ }) }); a != 0 {
		t.Errorf("disabled Do allocates %v times a call, want 0", a)
	}
	Decode.Do(ctx, func(ctx context.Context) {
		if v, ok := pprof.Label(ctx, Key); ok {
			t.Errorf("disabled: label %q set", v)
		}
	})

	Enable()
	var got [][2]string
	Job(ctx, "orders.webhook", func(ctx context.Context) {
		err := Decode.Err(ctx, func(ctx context.Context) error {
			job, _ := pprof.Label(ctx, JobKey)
			st, _ := pprof.Label(ctx, Key)
			got = append(got, [2]string{job, st})
			return errors.New("boom")
		})
		if err == nil || err.Error() != "boom" {
			t.Errorf("Err returned %v, want f's error", err)
		}
		v, err := Call(ctx, Route, func(ctx context.Context) (string, error) {
			st, _ := pprof.Label(ctx, Key)
			return st, nil
		})
		if v != "route" || err != nil {
			t.Errorf("Call = %q, %v; want route, nil", v, err)
		}
	})
	if len(got) != 1 || got[0] != [2]string{"orders.webhook", "decode"} {
		t.Errorf("labels inside a stage of a job: %v, want [orders.webhook decode]", got)
	}

	var inHandler string
	h := Ingest.Handler(func(w http.ResponseWriter, r *http.Request) {
		// Handler labels the goroutine, which is what the profiler reads;
		// the request keeps its context.
		inHandler = goroutineStage()
		w.WriteHeader(http.StatusNoContent)
	})
	rec := httptest.NewRecorder()
	h(rec, httptest.NewRequest(http.MethodPost, "/webhooks/shop", nil))
	if rec.Code != http.StatusNoContent || inHandler != "ingest" {
		t.Errorf("Handler: status %d, stage %q; want 204, ingest", rec.Code, inHandler)
	}
	if got := Names(); len(got) != 6 || got[0] != "ingest" || got[5] != "write" {
		t.Errorf("Names() = %v", got)
	}
}

// goroutineStage finds the stage label of the calling goroutine in a
// goroutine profile (debug=1 prints each goroutine's labels): nothing
// else reads a goroutine's labels.
func goroutineStage() string {
	var b strings.Builder
	_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
	if strings.Contains(b.String(), `labels: {"stage":"ingest"}`) {
		return "ingest"
	}
	return ""
}
