package feed

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// The memory bound is measured in a child process (this test binary run
// again), so the parent's own allocations do not count: peak RSS
// (VmHWM) of a process whose only work is the import.

const (
	memRows  = 1_000_000
	memLimit = 200 << 20 // bytes
	envChild = "DROPGATE_FEED_MEM_CHILD"
)

// writeBigFeed writes n rows of a realistic feed: supplier SKU, merchant
// SKU, stock, cost, MAP, MSRP, GTIN and a title. changed(i) alters row i.
func writeBigFeed(t testing.TB, path string, n int, changed func(int) bool) int64 {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "supplier_sku,sku,quantity,cost,map,msrp,gtin,title")
	for i := range n {
		stock, cost := i%200, 500+i%9000
		if changed != nil && changed(i) {
			stock, cost = stock+1, cost+cost/20
		}
		fmt.Fprintf(w, "ACME-%07d,SKU-%07d,%d,%d.%02d,%d.99,%d.99,40063810%05d,Cotton tee %07d size %s\n",
			i, i, stock, cost/100, cost%100, cost/100+5, cost/100+9, i%100000, i, [...]string{"S", "M", "L", "XL"}[i%4])
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	f.Close()
	return fi.Size()
}

func bigFeedConfig(file string) *Config {
	return &Config{Source: Source{File: file}, Format: FormatCSV,
		Columns: Columns{SupplierSKU: "supplier_sku", SKU: "sku", Quantity: "quantity", Cost: "cost", MAP: "map", MSRP: "msrp",
			GTIN: "gtin", Title: "title"}}
}

// peakRSS returns the process's peak resident set in bytes.
func peakRSS() int64 {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		if m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(b); m != nil {
			kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
			return kb << 10
		}
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Maxrss << 10 // kilobytes on Linux
}

// TestImportMemoryChild is the child's body; it does nothing unless run
// by TestImportMillionRowsMemory.
func TestImportMemoryChild(t *testing.T) {
	dir := os.Getenv(envChild)
	if dir == "" {
		t.Skip("run by TestImportMillionRowsMemory")
	}
	st, err := embedded.Open(filepath.Join(dir, "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	req := Request{Supplier: "acme", Config: bigFeedConfig(filepath.Join(dir, "stock.csv")), Currency: "USD", Store: st,
		Clock: clock.Real{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Force: true}
	start := time.Now()
	res, err := Import(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	d := res.Diff
	fmt.Printf("RESULT rows=%d offers=%d changed=%d added=%d applied=%v took=%s peak=%d\n",
		res.Rows, res.Offers, d.Changed, d.Added, res.Applied, took.Round(time.Millisecond), peakRSS())
}

func runMemoryChild(t testing.TB, dir string) map[string]string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestImportMemoryChild$", "-test.v")
	cmd.Env = append(os.Environ(), envChild+"="+dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v\n%s", err, out.String())
	}
	line := regexp.MustCompile(`RESULT (.*)`).FindStringSubmatch(out.String())
	if line == nil {
		t.Fatalf("child printed no result:\n%s", out.String())
	}
	kv := map[string]string{}
	for _, f := range strings.Fields(line[1]) {
		k, v, _ := strings.Cut(f, "=")
		kv[k] = v
	}
	return kv
}

// TestImportMillionRowsMemory imports a 1,000,000-row feed into an empty
// store, then a version with 10% of the rows changed, which is compared
// with the first as stored: each import stays under 200 MB of peak RSS.
func TestImportMillionRowsMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("imports a million rows twice")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "stock.csv")
	size := writeBigFeed(t, file, memRows, nil)
	for _, step := range []struct {
		name    string
		changed func(int) bool
	}{{"first import", nil}, {"second import, 10% changed", func(i int) bool { return i%10 == 3 }}} {
		if step.changed != nil {
			size = writeBigFeed(t, file, memRows, step.changed)
		}
		kv := runMemoryChild(t, dir)
		peak, _ := strconv.ParseInt(kv["peak"], 10, 64)
		t.Logf("%s: %d rows (%.1f MB file) in %s, peak RSS %.1f MB (changed %s, added %s)",
			step.name, memRows, float64(size)/(1<<20), kv["took"], float64(peak)/(1<<20), kv["changed"], kv["added"])
		if kv["rows"] != strconv.Itoa(memRows) || kv["offers"] != strconv.Itoa(memRows) || kv["applied"] != "true" {
			t.Fatalf("%s: %v", step.name, kv)
		}
		if step.changed != nil && kv["changed"] != strconv.Itoa(memRows/10) {
			t.Errorf("%s: changed %s, want %d", step.name, kv["changed"], memRows/10)
		}
		if peak >= memLimit {
			t.Errorf("%s: peak RSS %.1f MB, limit %d MB", step.name, float64(peak)/(1<<20), memLimit>>20)
		}
	}
}
