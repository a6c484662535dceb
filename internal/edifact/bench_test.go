package edifact

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BenchmarkParse measures Parse (the whole tree kept) on a 1000-message
// interchange of about 0.8 MB.
func BenchmarkParse(b *testing.B) {
	data := genInterchange(1000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		ics, err := Parse(data)
		if err != nil || len(ics[0].Messages) != 1000 {
			b.Fatalf("Parse: %v", err)
		}
	}
}

// BenchmarkReaderNext measures the streaming path: Next over an io.Reader,
// nothing kept, with fresh segments and with ReuseSegments.
func BenchmarkReaderNext(b *testing.B) {
	data := genInterchange(1000)
	for _, reuse := range []bool{false, true} {
		b.Run(map[bool]string{false: "fresh", true: "reuse"}[reuse], func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if n := streamCount(b, bytes.NewReader(data), reuse); n != 24*1000+2 {
					b.Fatalf("%d segments", n)
				}
			}
		})
	}
}

// BenchmarkWriter measures writing the same 1000 messages.
func BenchmarkWriter(b *testing.B) {
	ics, err := Parse(genInterchange(1000))
	if err != nil {
		b.Fatal(err)
	}
	ic := ics[0]
	var size int64
	b.ReportAllocs()
	for b.Loop() {
		cw := &countingWriter{}
		w := NewWriter(cw, WriterOptions{UNA: true, LineEnding: "\r\n"})
		w.BeginInterchange(ic.Header)
		for _, m := range ic.Messages {
			w.BeginMessage(m.Header)
			for _, s := range m.Body() {
				w.Write(s)
			}
			w.EndMessage()
		}
		if err := w.EndInterchange(); err != nil {
			b.Fatal(err)
		}
		size = cw.n
	}
	b.SetBytes(size)
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// streamCount reads every event and returns the number of segments seen.
func streamCount(tb testing.TB, src io.Reader, reuse bool) int {
	r := NewReader(src)
	r.ReuseSegments = reuse
	n := 0
	for {
		ev, err := r.Next()
		if err == io.EOF {
			return n
		}
		if err != nil {
			tb.Fatal(err)
		}
		if ev.Segment != nil {
			n++
		}
		if ev.Kind == MessageEnd && len(ev.Message.Errors) > 0 {
			tb.Fatalf("message %s: %v", ev.Message.Header.Ref, ev.Message.Err())
		}
	}
}

// BenchmarkStream100MB writes a generated 100 MB interchange to a file and
// streams it with Next, with fresh segments and with ReuseSegments,
// reporting throughput, the peak heap sampled during the read, and the
// process's peak RSS so far (cumulative, so "reuse" reports the larger of
// the two). Run it alone (-run=^$ -bench=Stream100MB -benchtime=1x) so the
// RSS figure is its own.
func BenchmarkStream100MB(b *testing.B) {
	path := filepath.Join(b.TempDir(), "orders-100mb.edi")
	n := messagesFor(100 << 20)
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	size, err := io.Copy(f, bufio.NewReaderSize(newGenReader(n), 1<<16))
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		b.Fatal(err)
	}
	for _, reuse := range []bool{false, true} {
		b.Run(map[bool]string{false: "fresh", true: "reuse"}[reuse], func(b *testing.B) {
			runtime.GC()
			b.SetBytes(size)
			var peak uint64
			for b.Loop() {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				stop := sampleHeap(&peak)
				segs := streamCount(b, f, reuse)
				stop()
				f.Close()
				if segs != 24*n+2 {
					b.Fatalf("%d segments, want %d", segs, 24*n+2)
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			var ru syscall.Rusage
			if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
				b.ReportMetric(float64(ru.Maxrss)/1024, "maxrss-MB") // Linux reports KiB
			}
		})
	}
}

// sampleHeap records the largest heap-in-objects figure every millisecond
// until the returned function is called.
func sampleHeap(peak *uint64) (stop func()) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > *peak {
				*peak = v
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// TestStreamingMemoryIsBounded streams 50 MB generated on the fly and checks
// that the live heap never grows with the input: Next must not retain
// segments. Live heap is measured after a forced GC, so the figure is
// deterministic rather than a timing.
func TestStreamingMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 50 MB")
	}
	n := messagesFor(50 << 20)
	r := NewReader(newGenReader(n))
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var worst uint64
	segs := 0
	for {
		ev, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		segs++
		if ev.Kind == MessageEnd && ev.Message.Header.Ref == "1" || segs%200000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > base && ms.HeapAlloc-base > worst {
				worst = ms.HeapAlloc - base
			}
		}
	}
	if segs < 24*n {
		t.Fatalf("%d events for %d messages", segs, n)
	}
	// One segment buffer (64 KiB chunk + the segment) and small
	// bookkeeping; 4 MiB leaves room for the runtime's own noise.
	if worst > 4<<20 {
		t.Errorf("live heap grew by %d bytes while streaming", worst)
	}
	t.Logf("streamed %d messages; live heap growth at most %d KiB", n, worst>>10)
}
