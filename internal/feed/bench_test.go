package feed

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// go test -run '^$' -bench . -benchtime 3x ./internal/feed/

// BenchmarkParseCSV: the reader and the builder alone, 100,000 rows of
// the realistic feed per op.
func BenchmarkParseCSV(b *testing.B) {
	file := filepath.Join(b.TempDir(), "stock.csv")
	size := writeBigFeed(b, file, 100_000, nil)
	data, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	cfg := bigFeedConfig(file)
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		snap, _, err := parseFeed(b, cfg, "stock.csv", data)
		if err != nil || snap.Len() != 100_000 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkImportCSV: a whole import (read, parse, compare with the
// previous snapshot streamed from the store, store, apply) of 100,000
// rows into the embedded store, 10% changed each time.
func BenchmarkImportCSV(b *testing.B) {
	dir := b.TempDir()
	st, err := embedded.Open(filepath.Join(dir, "db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	file := filepath.Join(dir, "stock.csv")
	req := Request{Supplier: "acme", Config: bigFeedConfig(file), Currency: "USD", Store: st, Clock: clock.Real{},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Force: true}
	var size int64
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		size = writeBigFeed(b, file, 100_000, func(r int) bool { return r%10 == i%10 })
		b.StartTimer()
		if _, err := Import(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(size)
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkImportMillionRows: the 1,000,000-row feed imported in a child
// process (a first import, then 10% changed against it), reporting rows/s
// and the child's peak RSS.
func BenchmarkImportMillionRows(b *testing.B) {
	for range b.N {
		dir := b.TempDir()
		file := filepath.Join(dir, "stock.csv")
		writeBigFeed(b, file, memRows, nil)
		first := benchChild(b, dir)
		writeBigFeed(b, file, memRows, func(i int) bool { return i%10 == 3 })
		second := benchChild(b, dir)
		b.ReportMetric(first.rowsPerSec, "rows/s-first")
		b.ReportMetric(second.rowsPerSec, "rows/s-second")
		b.ReportMetric(first.peakMB, "peakMB-first")
		b.ReportMetric(second.peakMB, "peakMB-second")
	}
}

type childFigures struct{ rowsPerSec, peakMB float64 }

func benchChild(b *testing.B, dir string) childFigures {
	b.Helper()
	kv := runMemoryChild(b, dir)
	took, _ := time.ParseDuration(kv["took"])
	peak, _ := strconv.ParseFloat(kv["peak"], 64)
	return childFigures{rowsPerSec: float64(memRows) / took.Seconds(), peakMB: peak / (1 << 20)}
}
