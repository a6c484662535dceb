// Command diskwrites times what one embedded-store commit asks of the
// disk: n 4 KiB pages written into a file and one fdatasync, the pages
// either scattered over the file (where a copy-on-write B+tree's free
// pages are) or side by side. It prints the median of each, so a
// machine's cost per random write can be read next to its cost per
// byte (docs/BENCHMARKS.md, "the disk pays per random write").
//
//	go run ./diskwrites -dir /path/on/the/disk/under/test
package main

import (
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"
)

func main() {
	dir := flag.String("dir", os.TempDir(), "directory on the disk to measure")
	size := flag.Int("mib", 64, "file size in MiB")
	reps := flag.Int("reps", 40, "repetitions of each measure")
	flag.Parse()
	path := filepath.Join(*dir, "diskwrites.tmp")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		log.Fatal(err)
	}
	defer os.Remove(path)
	defer f.Close()
	pages := *size << 20 / 4096
	// Written out and synced first, so the timed writes change no
	// metadata, as bbolt's writes into its preallocated file do not.
	if _, err := f.Write(make([]byte, pages*4096)); err != nil {
		log.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		log.Fatal(err)
	}
	page := make([]byte, 4096)
	for i := range page {
		page[i] = byte(i)
	}
	commit := func(ids []int) time.Duration {
		t0 := time.Now()
		for _, id := range ids {
			if _, err := f.WriteAt(page, int64(id)*4096); err != nil {
				log.Fatal(err)
			}
		}
		if err := fdatasync(f); err != nil {
			log.Fatal(err)
		}
		return time.Since(t0)
	}
	median := func(n int, scattered bool) time.Duration {
		var ds []time.Duration
		for range *reps {
			ids := make([]int, n)
			if scattered {
				for i := range ids {
					ids[i] = rand.IntN(pages)
				}
				slices.Sort(ids) // bbolt writes a commit's pages in page order
			} else {
				base := rand.IntN(pages - n)
				for i := range ids {
					ids[i] = base + i
				}
			}
			ds = append(ds, commit(ids))
		}
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	fmt.Printf("%-6s %-14s %-14s %s\n", "pages", "scattered", "side by side", "ratio")
	for _, n := range []int{1, 10, 30, 90} {
		s, c := median(n, true), median(n, false)
		fmt.Printf("%-6d %-14s %-14s %.1f\n", n, s.Round(10*time.Microsecond), c.Round(10*time.Microsecond), float64(s)/float64(c))
	}
}
