package metrics

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// series gathers the registry and returns `{label=value,…} value` per
// sample of the named family (a histogram's value is its sample count).
func series(t *testing.T, m *Metrics, name string) []string {
	t.Helper()
	fams, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, mt := range f.GetMetric() {
			var labels []string
			for _, l := range mt.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			v := mt.GetCounter().GetValue()
			if h := mt.GetHistogram(); h != nil {
				v = float64(h.GetSampleCount())
			}
			out = append(out, fmt.Sprintf("{%s} %v", strings.Join(labels, ","), v))
		}
	}
	sort.Strings(out)
	return out
}

// TestConnectorCallsAndErrors: call latency is observed per connector and
// outcome, and failed calls and failed jobs count as the connector's
// errors (DESIGN §1.3: per-connector call latency and errors).
func TestConnectorCallsAndErrors(t *testing.T) {
	m := New(nil)
	m.ObserveCall("shop", "ok", 20*time.Millisecond)
	m.ObserveCall("shop", "ok", 30*time.Millisecond)
	m.ObserveCall("shop", "server_error", time.Second)
	m.ConnectorJob("acme", "ok")
	m.ConnectorJob("acme", "throttled")
	m.ConnectorJob("acme", "retry")
	m.ConnectorJob("acme", "dead")
	m.ConnectorJob("", "dead") // a job of no connector

	if got, want := series(t, m, "dropgate_connector_call_duration_seconds"), []string{
		"{connector=shop,outcome=ok} 2",
		"{connector=shop,outcome=server_error} 1",
	}; !slices.Equal(got, want) {
		t.Errorf("call durations:\n got %q\nwant %q", got, want)
	}
	if got, want := series(t, m, "dropgate_connector_errors_total"), []string{
		"{connector=acme,reason=job_dead} 1",
		"{connector=acme,reason=job_retry} 1",
		"{connector=shop,reason=server_error} 1",
	}; !slices.Equal(got, want) {
		t.Errorf("connector errors:\n got %q\nwant %q", got, want)
	}
}

// storeCounters is a queue whose store reports its commit counters.
type storeCounters struct {
	store.Queue
	commits, pageBytes, pageWrites uint64
	checkpoints, logBytes          uint64
	busy, write                    time.Duration
}

// Stats reports no queues: the collector of queue gauges asks for them.
func (storeCounters) Stats(context.Context) ([]store.QueueStats, error) { return nil, nil }

func (s storeCounters) Commits() uint64                { return s.commits }
func (s storeCounters) PageBytesWritten() uint64       { return s.pageBytes }
func (s storeCounters) CommitBusy() time.Duration      { return s.busy }
func (s storeCounters) CommitWriteTime() time.Duration { return s.write }
func (s storeCounters) PageWrites() uint64             { return s.pageWrites }
func (s storeCounters) Checkpoints() uint64            { return s.checkpoints }
func (s storeCounters) LogBytesWritten() uint64        { return s.logBytes }

// A store that counts its commits' pages and busy time has them exported.
func TestStoreCommitCounters(t *testing.T) {
	m := New(storeCounters{commits: 7, pageBytes: 3 << 20, pageWrites: 11, checkpoints: 4, logBytes: 9000,
		busy: 1500 * time.Millisecond, write: 900 * time.Millisecond})
	for name, want := range map[string]string{
		"dropgate_store_commits_total":              "{} 7",
		"dropgate_store_page_writes_total":          "{} 11",
		"dropgate_store_checkpoints_total":          "{} 4",
		"dropgate_store_log_bytes_written_total":    "{} 9000",
		"dropgate_store_page_bytes_written_total":   "{} 3.145728e+06",
		"dropgate_store_commit_busy_seconds_total":  "{} 1.5",
		"dropgate_store_commit_write_seconds_total": "{} 0.9",
	} {
		if got := series(t, m, name); len(got) != 1 || got[0] != want {
			t.Errorf("%s: %q; want %q", name, got, want)
		}
	}
}

// redisCounters is a queue whose store reports its round trips and
// wasted leases, as the Redis store does.
type redisCounters struct {
	store.Queue
	trips, misses uint64
}

func (redisCounters) Stats(context.Context) ([]store.QueueStats, error) { return nil, nil }
func (s redisCounters) RoundTrips() uint64                              { return s.trips }
func (s redisCounters) LeaseMisses() uint64                             { return s.misses }

// A store that counts its round trips and its leases for nothing has them
// exported.
func TestStoreRedisCounters(t *testing.T) {
	m := New(redisCounters{trips: 12, misses: 5})
	for name, want := range map[string]string{
		"dropgate_store_round_trips_total":  "{} 12",
		"dropgate_store_lease_misses_total": "{} 5",
	} {
		if got := series(t, m, name); len(got) != 1 || got[0] != want {
			t.Errorf("%s: %q; want %q", name, got, want)
		}
	}
}
