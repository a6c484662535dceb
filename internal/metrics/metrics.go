// Package metrics holds dropgate's Prometheus metrics (DESIGN §1.3
// /metrics): one registry per process, no globals, so tests can build as
// many servers as they like.
package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
)

// Metrics is the set of instruments.
type Metrics struct {
	Registry     *prometheus.Registry
	Webhooks     *prometheus.CounterVec   // connector, outcome
	Missed       *prometheus.CounterVec   // channel: orders a sweep found that no webhook delivered
	Jobs         *prometheus.CounterVec   // kind, outcome
	JobDuration  *prometheus.HistogramVec // kind
	CallDuration *prometheus.HistogramVec // connector, outcome
	// ConnectorErrors counts what went wrong per connector: failed calls
	// by their outcome, and jobs that failed (job_retry, job_dead).
	ConnectorErrors *prometheus.CounterVec // connector, reason
	LimiterWaits    *prometheus.CounterVec // key
}

// New registers the instruments, plus a collector that reads queue depth
// and age from the store at scrape time.
func New(q store.Queue) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dropgate_webhooks_total", Help: "Webhook deliveries by connector and outcome (accepted, duplicate, bad_signature, too_large, body_timeout, bad_body, unknown_connector, store_unavailable).",
		}, []string{"connector", "outcome"}),
		Missed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dropgate_webhooks_missed_total", Help: "Orders the reconciliation sweep took in that the channel's webhooks should have delivered.",
		}, []string{"channel"}),
		Jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dropgate_jobs_total", Help: "Job runs by kind and outcome (ok, retry, throttled, dead).",
		}, []string{"kind", "outcome"}),
		JobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "dropgate_job_duration_seconds", Help: "Job handler duration.", Buckets: prometheus.DefBuckets,
		}, []string{"kind"}),
		CallDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "dropgate_connector_call_duration_seconds", Help: "Outgoing connector call latency, per attempt, by outcome (ok, client_error, throttled, server_error, network_error).", Buckets: prometheus.DefBuckets,
		}, []string{"connector", "outcome"}),
		ConnectorErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dropgate_connector_errors_total", Help: "Connector errors by reason: a failed call (client_error, throttled, server_error, network_error) or a failed job (job_retry, job_dead).",
		}, []string{"connector", "reason"}),
		LimiterWaits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dropgate_rate_limiter_waits_total", Help: "Jobs rescheduled because their rate-limit key had no budget.",
		}, []string{"kind"}),
	}
	m.Registry.MustRegister(m.Webhooks, m.Missed, m.Jobs, m.JobDuration, m.CallDuration, m.ConnectorErrors, m.LimiterWaits,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if q != nil {
		m.Registry.MustRegister(&queueCollector{q: q})
	}
	// The stores' own counters, each exported when the store keeps it.
	counter := func(name, help string, value func() float64) {
		m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, value))
	}
	if c, ok := q.(interface{ Commits() uint64 }); ok {
		// The embedded store's durable commits (each one sync, in its redo
		// log or, without it, two in bbolt's file):
		// divided by orders, the cost the throughput work drives down.
		counter("dropgate_store_commits_total",
			"Durable store commits (embedded store: bbolt transactions, each synced in the redo log or the file).",
			func() float64 { return float64(c.Commits()) })
	}
	if c, ok := q.(interface{ PageBytesWritten() uint64 }); ok {
		counter("dropgate_store_page_bytes_written_total",
			"Bytes of pages the embedded store's commits wrote (and fsynced).",
			func() float64 { return float64(c.PageBytesWritten()) })
	}
	if c, ok := q.(interface{ PageWrites() uint64 }); ok {
		counter("dropgate_store_page_writes_total",
			"Writes the embedded store's commits issued: one per B+tree node (its pages together) and one per meta page.",
			func() float64 { return float64(c.PageWrites()) })
	}
	if c, ok := q.(interface{ CommitBusy() time.Duration }); ok {
		// Every write waits for the one commit loop: a rate near 1 means
		// the store is the bottleneck.
		counter("dropgate_store_commit_busy_seconds_total",
			"Time the embedded store's commit loop spent committing; a rate near 1 means commits are the bottleneck.",
			func() float64 { return c.CommitBusy().Seconds() })
	}
	if c, ok := q.(interface{ CommitWriteTime() time.Duration }); ok {
		// The disk's share of that busy time: near the busy rate, a
		// faster disk (or fewer pages per order) is the remedy; well
		// under it, CPU is.
		counter("dropgate_store_commit_write_seconds_total",
			"Time the embedded store's commits spent writing pages and syncing them, or their redo records (part of the commit loop's busy time).",
			func() float64 { return c.CommitWriteTime().Seconds() })
	}
	if c, ok := q.(interface{ Checkpoints() uint64 }); ok {
		counter("dropgate_store_checkpoints_total",
			"Checkpoints of the embedded store's redo log: its file synced in the background, the log's older records no longer needed.",
			func() float64 { return float64(c.Checkpoints()) })
	}
	if c, ok := q.(interface{ LogBytesWritten() uint64 }); ok {
		counter("dropgate_store_log_bytes_written_total",
			"Bytes of redo records the embedded store's commits appended and synced.",
			func() float64 { return float64(c.LogBytesWritten()) })
	}
	if c, ok := q.(interface{ RoundTrips() uint64 }); ok {
		// The Redis store's requests (a pipeline counts once): each is a
		// socket write and read for the process.
		counter("dropgate_store_round_trips_total",
			"Requests sent to the store's server (Redis: a command alone or a whole pipeline).",
			func() float64 { return float64(c.RoundTrips()) })
	}
	if c, ok := q.(interface{ LeaseMisses() uint64 }); ok {
		// Wasted leases: against jobs leased, how often idle workers race
		// one another or workers of other processes for the same job.
		counter("dropgate_store_lease_misses_total",
			"Lease scripts the Redis store ran that leased nothing: the queue was empty, or the job offered was taken by another worker first.",
			func() float64 { return float64(c.LeaseMisses()) })
	}
	return m
}

// JobDone records a job outcome.
func (m *Metrics) JobDone(kind, outcome string, took time.Duration) {
	m.Jobs.WithLabelValues(kind, outcome).Inc()
	m.JobDuration.WithLabelValues(kind).Observe(took.Seconds())
	if outcome == "throttled" {
		m.LimiterWaits.WithLabelValues(kind).Inc()
	}
}

// ObserveCall records one outgoing call of a connector (it is the
// connector.CallObserver the HTTP client reports to).
func (m *Metrics) ObserveCall(conn, outcome string, took time.Duration) {
	m.CallDuration.WithLabelValues(conn, outcome).Observe(took.Seconds())
	if outcome != connector.CallOK {
		m.ConnectorErrors.WithLabelValues(conn, outcome).Inc()
	}
}

// ConnectorJob records the outcome of a job that talked to conn: a retry
// or a dead letter counts as one of its errors.
func (m *Metrics) ConnectorJob(conn, outcome string) {
	if conn == "" {
		return
	}
	switch outcome {
	case "retry", "dead":
		m.ConnectorErrors.WithLabelValues(conn, "job_"+outcome).Inc()
	}
}

var _ connector.CallObserver = (*Metrics)(nil)

var (
	descDepth = prometheus.NewDesc("dropgate_queue_jobs", "Jobs per queue and state (ready, scheduled, in_flight, waiting, dead).", []string{"queue", "state"}, nil)
	descAge   = prometheus.NewDesc("dropgate_queue_oldest_ready_seconds", "Age of the oldest ready job per queue.", []string{"queue"}, nil)
)

// queueCollector reads queue stats at scrape time, with a short timeout
// so a slow store never hangs a scrape.
type queueCollector struct{ q store.Queue }

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descDepth
	ch <- descAge
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	stats, err := c.q.Stats(ctx)
	if err != nil {
		return
	}
	for _, s := range stats {
		for state, v := range map[string]int64{"ready": s.Ready, "scheduled": s.Scheduled, "in_flight": s.InFlight, "waiting": s.Waiting, "dead": s.Dead} {
			ch <- prometheus.MustNewConstMetric(descDepth, prometheus.GaugeValue, float64(v), s.Queue, state)
		}
		ch <- prometheus.MustNewConstMetric(descAge, prometheus.GaugeValue, s.OldestAge.Seconds(), s.Queue)
	}
}
