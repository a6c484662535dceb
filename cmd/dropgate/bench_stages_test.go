package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/dropgate/dropgate/core/stage"
)

// stageCPU is CPU time of profiles summed by the labels of core/stage:
// by stage (whatever job it ran in), by job kind for a job's own work
// outside any stage, and what carried no label (HTTP connections, the
// queue's dequeue, background commits, the runtime and GC).
type stageCPU struct {
	stages     map[string]time.Duration
	jobs       map[string]time.Duration
	unlabelled time.Duration
}

// addProfile adds the samples of a CPU profile (as written by
// runtime/pprof, gzipped protobuf).
func (c *stageCPU) addProfile(r io.Reader) error {
	p, err := profile.Parse(r)
	if err != nil {
		return err
	}
	idx := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			idx = i
		}
	}
	if idx < 0 {
		return fmt.Errorf("not a CPU profile (sample types %v)", p.SampleType)
	}
	if c.stages == nil {
		c.stages, c.jobs = map[string]time.Duration{}, map[string]time.Duration{}
	}
	for _, s := range p.Sample {
		d := time.Duration(s.Value[idx])
		switch {
		case len(s.Label[stage.Key]) > 0:
			c.stages[s.Label[stage.Key][0]] += d
		case len(s.Label[stage.JobKey]) > 0:
			c.jobs[s.Label[stage.JobKey][0]] += d
		default:
			c.unlabelled += d
		}
	}
	return nil
}

// labelled is the CPU time that carried a stage or a job label.
func (c *stageCPU) labelled() time.Duration {
	var sum time.Duration
	for _, d := range c.stages {
		sum += d
	}
	for _, d := range c.jobs {
		sum += d
	}
	return sum
}

// reportStages stops the servers (each writes its profile on the way
// out), reads the profiles and reports CPU per order by stage. Labelled
// work happens only while orders run, so what the processes used in the
// run (total, from /proc) minus the labelled time is the unlabelled CPU
// of the run, whatever the processes did before and after it.
func reportStages(b *testing.B, procs []benchProc, total time.Duration) {
	var c stageCPU
	for _, p := range procs {
		if err := p.stopGracefully(); err != nil {
			b.Fatalf("stopping %s: %v", p.role, err)
		}
		data, err := os.ReadFile(p.profile)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.addProfile(bytes.NewReader(data)); err != nil {
			b.Fatalf("%s: %v", p.profile, err)
		}
	}
	n := float64(b.N)
	for _, name := range stage.Names() {
		b.ReportMetric(ms(c.stages[name])/n, name+"-cpu-ms/order")
	}
	var jobs time.Duration
	for _, d := range c.jobs {
		jobs += d
	}
	b.ReportMetric(ms(jobs)/n, "jobs-other-cpu-ms/order")
	b.ReportMetric(ms(max(0, total-c.labelled()))/n, "unlabelled-cpu-ms/order")
	if b.N > 1 {
		b.Log(c.summary(b.N, total))
	}
}

// summary is c per order on one line (a benchmark's log is cut at ten
// lines): the stages in order, each job kind's own work outside them, and
// the unlabelled rest of total, each in ms of CPU and as a share.
func (c *stageCPU) summary(orders int, total time.Duration) string {
	var parts []string
	add := func(name string, d time.Duration) {
		share := 0.0
		if total > 0 {
			share = 100 * float64(d) / float64(total)
		}
		parts = append(parts, fmt.Sprintf("%s %.3f (%.0f%%)", name, ms(d)/float64(orders), share))
	}
	for _, name := range stage.Names() {
		add(name, c.stages[name])
	}
	kinds := make([]string, 0, len(c.jobs))
	for k := range c.jobs {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		add("job "+k, c.jobs[k])
	}
	add("unlabelled", max(0, total-c.labelled()))
	return fmt.Sprintf("CPU ms/order by stage: %s; total %.3f", strings.Join(parts, ", "), ms(total)/float64(orders))
}

// TestStageCPU: samples are summed by stage first (a stage inside a job
// counts for the stage), then by job kind, the rest as unlabelled, across
// profiles; a profile that is not a CPU profile is refused.
func TestStageCPU(t *testing.T) {
	write := func(p *profile.Profile) *bytes.Buffer {
		var buf bytes.Buffer
		if err := p.Write(&buf); err != nil {
			t.Fatal(err)
		}
		return &buf
	}
	fn := &profile.Function{ID: 1, Name: "f"}
	loc := &profile.Location{ID: 1, Line: []profile.Line{{Function: fn}}}
	sample := func(ms int64, labels map[string][]string) *profile.Sample {
		return &profile.Sample{Location: []*profile.Location{loc}, Value: []int64{1, ms * 1e6}, Label: labels}
	}
	cpu := func(samples ...*profile.Sample) *profile.Profile {
		return &profile.Profile{
			SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
			Sample:     samples, Location: []*profile.Location{loc}, Function: []*profile.Function{fn}, Period: 1e7,
			PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		}
	}
	gateway := cpu(
		sample(30, map[string][]string{"stage": {"ingest"}}),
		sample(5, nil),
	)
	worker := cpu(
		sample(10, map[string][]string{"job": {"orders.webhook"}, "stage": {"decode"}}),
		sample(7, map[string][]string{"job": {"orders.webhook"}, "stage": {"decode"}}),
		sample(4, map[string][]string{"job": {"orders.webhook"}, "stage": {"route"}}),
		sample(20, map[string][]string{"job": {"orders.webhook"}}),
		sample(9, map[string][]string{"job": {"po.send"}, "stage": {"write"}}),
		sample(6, map[string][]string{"job": {"po.send"}}),
		sample(8, nil),
	)
	var c stageCPU
	for _, p := range []*profile.Profile{gateway, worker} {
		if err := c.addProfile(write(p)); err != nil {
			t.Fatal(err)
		}
	}
	wantStages := map[string]time.Duration{"ingest": 30 * time.Millisecond, "decode": 17 * time.Millisecond, "route": 4 * time.Millisecond, "write": 9 * time.Millisecond}
	wantJobs := map[string]time.Duration{"orders.webhook": 20 * time.Millisecond, "po.send": 6 * time.Millisecond}
	if fmt.Sprint(c.stages) != fmt.Sprint(wantStages) || fmt.Sprint(c.jobs) != fmt.Sprint(wantJobs) || c.unlabelled != 13*time.Millisecond {
		t.Errorf("stages %v jobs %v unlabelled %v;\nwant %v %v 13ms", c.stages, c.jobs, c.unlabelled, wantStages, wantJobs)
	}
	if got := c.labelled(); got != 86*time.Millisecond {
		t.Errorf("labelled = %v, want 86ms", got)
	}
	// Per order over 2 orders, against 100 ms of process CPU: the
	// unlabelled rest is what the labels do not explain.
	sum := c.summary(2, 100*time.Millisecond)
	want := "CPU ms/order by stage: ingest 15.000 (30%), decode 8.500 (17%), route 2.000 (4%), draft 0.000 (0%), render 0.000 (0%), write 4.500 (9%), " +
		"job orders.webhook 10.000 (20%), job po.send 3.000 (6%), unlabelled 7.000 (14%); total 50.000"
	if sum != want {
		t.Errorf("summary:\n%s\nwant\n%s", sum, want)
	}

	heap := &profile.Profile{SampleType: []*profile.ValueType{{Type: "alloc_space", Unit: "bytes"}}, Sample: []*profile.Sample{{Location: []*profile.Location{loc}, Value: []int64{1}}},
		Location: []*profile.Location{loc}, Function: []*profile.Function{fn}}
	if err := c.addProfile(write(heap)); err == nil || !strings.Contains(err.Error(), "not a CPU profile") {
		t.Errorf("a heap profile: %v, want refused", err)
	}
}
