package x12

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"testing"
)

// genLines is the number of PO1 loops of a generated 850: about 2.3 KB
// and 70 segments per set, a realistic drop-ship purchase order batch.
const genLines = 20

// appendSet appends purchase order number i, with "~\n" after each
// segment.
func appendSet(b []byte, i int) []byte {
	ctl := fmt.Sprintf("%09d", i)
	start := len(b)
	b = append(b, "ST*850*"+ctl+"~\nBEG*00*DS*PO-"+strconv.Itoa(i)+"**20240131~\nREF*DP*038~\n"+
		"PER*BD*JANE BUYER*TE*5551234567~\nDTM*002*20240207~\nN1*ST*JOHN DOE & SONS*92*0042~\n"+
		"N3*123 MAIN STREET*SUITE 4~\nN4*SPRINGFIELD*IL*62704*US~\n"...)
	for l := 1; l <= genLines; l++ {
		n := strconv.Itoa(l)
		b = append(b, "PO1*"+n+"*2*EA*19.99**VP*SKU-"+n+"*UP*012345678905~\nPID*F****BLUE WIDGET, LARGE~\nDTM*010*20240210~\n"...)
	}
	b = append(b, "CTT*"+strconv.Itoa(genLines)+"~\n"...)
	segs := bytes.Count(b[start:], []byte("~")) + 1
	return append(b, "SE*"+strconv.Itoa(segs)+"*"+ctl+"~\n"...)
}

const (
	genISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240131*1200*^*00501*000000905*0*P*:~\n" +
		"GS*PO*SENDER*RECEIVER*20240131*1200*1*X*005010~\n"
)

func genTrailer(sets int) string {
	return "GE*" + strconv.Itoa(sets) + "*1~\nIEA*1*000000905~\n"
}

// genFile returns an interchange of n purchase orders.
func genFile(n int) []byte {
	b := []byte(genISA)
	for i := 1; i <= n; i++ {
		b = appendSet(b, i)
	}
	return append(b, genTrailer(n)...)
}

// genStream produces an interchange of about size bytes on the fly, so
// that measuring the reader's memory is not disturbed by the input's.
type genStream struct {
	sets, i int
	buf     []byte
	trailer bool
}

func newGenStream(size int64) *genStream {
	per := int64(len(appendSet(nil, 1)))
	return &genStream{sets: int(size / per), buf: []byte(genISA)}
}

func (g *genStream) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		switch {
		case g.i < g.sets:
			g.i++
			g.buf = appendSet(g.buf[:0], g.i)
		case !g.trailer:
			g.trailer = true
			g.buf = append(g.buf[:0], genTrailer(g.sets)...)
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

func benchmarkRead(b *testing.B, read func(r *Reader) error) {
	data := genFile(4000) // about 9 MB
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := read(NewReader(bytes.NewReader(data))); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReaderNext(b *testing.B) {
	benchmarkRead(b, func(r *Reader) error {
		for {
			if _, err := r.Next(); err != nil {
				if err == io.EOF {
					return nil
				}
				return err
			}
		}
	})
}

func BenchmarkReaderNextSet(b *testing.B) {
	benchmarkRead(b, func(r *Reader) error {
		for {
			s, err := r.NextSet()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if !s.Accepted() {
				return s.Errors[0]
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	data := genFile(4000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriter(b *testing.B) {
	var out bytes.Buffer
	po1 := []string{"1", "2", "EA", "19.99", "", "VP", "SKU-1", "UP", "012345678905"}
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		w, _ := NewWriter(&out, DefaultDelimiters(), WithNewline("\n"))
		_ = w.BeginInterchange(testISA("1", "00501"))
		_ = w.BeginGroup(testGS("1", "005010"))
		for s := 1; s <= 100; s++ {
			_ = w.BeginSet(SetHeader{ID: "850", Control: strconv.Itoa(s)})
			_ = w.WriteSegment("BEG", "00", "DS", "PO-1", "", "20240131")
			for l := 0; l < genLines; l++ {
				_ = w.WriteSegment("PO1", po1...)
				_ = w.WriteSegment("PID", "F", "", "", "", "BLUE WIDGET, LARGE")
			}
			_ = w.EndSet()
		}
		_ = w.EndGroup()
		_ = w.EndInterchange()
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(out.Len()))
	}
}

// streamPeak streams size bytes of generated sets through NextSet. It
// returns the peak of HeapInuse above the starting point, sampled every
// 500 sets (what the process holds, garbage not yet collected included),
// the peak live heap, measured after a forced collection every 5000 sets
// and at the end (what the reader retains), and the number of sets.
func streamPeak(tb testing.TB, size int64, opts ...Option) (inUse, live uint64, sets int) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	baseInUse, baseLive := ms.HeapInuse, ms.HeapAlloc
	sample := func(collect bool) {
		if collect {
			runtime.GC()
		}
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > baseInUse {
			inUse = max(inUse, ms.HeapInuse-baseInUse)
		}
		if collect && ms.HeapAlloc > baseLive {
			live = max(live, ms.HeapAlloc-baseLive)
		}
	}
	r := NewReader(newGenStream(size), opts...)
	for {
		s, err := r.NextSet()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		if !s.Accepted() {
			tb.Fatal(s.Errors[0])
		}
		sets++
		if sets%500 == 0 {
			sample(sets%5000 == 0)
		}
	}
	ic := r.Interchange()
	sample(true)
	if ic == nil || ic.IEA == nil || len(ic.AllErrors()) != 0 {
		tb.Fatalf("the generated interchange did not validate")
	}
	return inUse, live, sets
}

// TestStreamingMemory reads a generated 100 MB interchange and checks the
// reader retains little: one set, plus (by default) a summary of a few
// hundred bytes per set for the acknowledgement.
func TestStreamingMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 100 MB")
	}
	for _, tc := range []struct {
		name  string
		opts  []Option
		limit uint64
	}{
		{"summaries", nil, 24 << 20},
		{"without summaries", []Option{WithoutSummaries()}, 2 << 20},
	} {
		inUse, live, sets := streamPeak(t, 100<<20, tc.opts...)
		t.Logf("%s: %d sets; peak live heap %.1f MiB, peak heap in use %.1f MiB", tc.name, sets,
			float64(live)/(1<<20), float64(inUse)/(1<<20))
		if live > tc.limit {
			t.Errorf("%s: live heap %.1f MiB, limit %d MiB: the reader is not streaming", tc.name, float64(live)/(1<<20), tc.limit>>20)
		}
	}
}

// BenchmarkStream100MB reports throughput and peak heap while streaming
// a generated 100 MB interchange without set summaries.
func BenchmarkStream100MB(b *testing.B) {
	const size = 100 << 20
	b.SetBytes(size)
	var inUse, live uint64
	for b.Loop() {
		u, l, _ := streamPeak(b, size, WithoutSummaries())
		inUse, live = max(inUse, u), max(live, l)
	}
	b.ReportMetric(float64(live)/(1<<20), "live-MiB")
	b.ReportMetric(float64(inUse)/(1<<20), "inuse-MiB")
}
