package embedded

import (
	"bytes"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestRedoReplaysChanges: the ops a wtx records, replayed on a copy of the
// state before them, give the state after them, nested buckets and
// deletes included.
func TestRedoReplaysChanges(t *testing.T) {
	dir := t.TempDir()
	open := func(name string) *bolt.DB {
		db, err := bolt.Open(filepath.Join(dir, name), 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	live, replica := open("live.db"), open("replica.db")
	var rec redo
	err := live.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketRecords); err != nil {
			return err
		}
		if _, err := tx.CreateBucketIfNotExists(bucketBlobs2); err != nil {
			return err
		}
		w := &wtx{Tx: tx, rec: &rec}
		kb, err := kindBucket(w, "order")
		if err != nil {
			return err
		}
		if err := kb.Bucket(bucketData).Put([]byte("a"), []byte("1")); err != nil {
			return err
		}
		if err := kb.Bucket(bucketData).Put([]byte("b"), []byte("2")); err != nil {
			return err
		}
		if err := kb.Bucket(bucketData).Delete([]byte("a")); err != nil {
			return err
		}
		return w.Bucket(bucketBlobs2).Put([]byte("k"), []byte{})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := replica.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketRecords, bucketBlobs2} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return applyRedo(tx, rec.buf)
	}); err != nil {
		t.Fatal(err)
	}
	if got, want := dump(t, replica), dump(t, live); got != want {
		t.Fatalf("replayed state\n%s\nwant\n%s", got, want)
	}
}

// dump lists every bucket path, key and value of db.
func dump(t *testing.T, db *bolt.DB) string {
	t.Helper()
	var out bytes.Buffer
	var walk func(prefix string, b *bolt.Bucket) error
	walk = func(prefix string, b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				out.WriteString(prefix + string(k) + "/\n")
				return walk(prefix+string(k)+"/", b.Bucket(k))
			}
			out.WriteString(prefix + string(k) + "=" + string(v) + "\n")
			return nil
		})
	}
	if err := db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			out.WriteString(string(name) + "/\n")
			return walk(string(name)+"/", b)
		})
	}); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// FuzzReadLog: whatever a segment holds, reading it and applying its
// records ends in records or an error, never a panic.
func FuzzReadLog(f *testing.F) {
	var rec redo
	rec.add(opBucket, appendPath(nil, []byte("records")), nil, nil)
	rec.add(opPut, appendPath(appendPath(nil, []byte("records")), []byte("order")), []byte("k"), []byte("v"))
	rec.add(opDelete, appendPath(nil, []byte("blobs2")), []byte("k"), nil)
	l := &redoLog{rec: rec}
	f.Add(frameOf(l, 1))
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0xff}, 40))
	db, err := bolt.Open(filepath.Join(f.TempDir(), "f.db"), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	f.Fuzz(func(t *testing.T, seg []byte) {
		for _, r := range readChain(seg) {
			_ = db.Update(func(tx *bolt.Tx) error {
				_ = applyRedo(tx, r.ops)
				return errRedo // roll back: each input starts from the same state
			})
		}
		// The ops alone, as if their frame had been whole.
		_ = db.Update(func(tx *bolt.Tx) error {
			_ = applyRedo(tx, seg)
			return errRedo
		})
	})
}

// TestReadChainStops: a segment's records end at the first that is torn
// or not numbered one after the previous (what the segment held before
// it was reused).
func TestReadChainStops(t *testing.T) {
	l := &redoLog{}
	l.rec.add(opDelete, appendPath(nil, []byte("b")), []byte("k"), nil)
	frame := func(lsn uint64) []byte { return append([]byte(nil), frameOf(l, lsn)...) }
	seg := append(append(append(frame(5), frame(6)...), frame(3)...), frame(7)...)
	if got := readChain(seg); len(got) != 2 || got[0].lsn != 5 || got[1].lsn != 6 {
		t.Fatalf("chain %+v, want records 5 and 6", got)
	}
	torn := append(append(frame(5), frame(6)...), frame(7)...)
	torn[len(torn)-1] ^= 1
	if got := readChain(torn); len(got) != 2 {
		t.Fatalf("chain with a torn third record: %d records", len(got))
	}
	if got := readChain(torn[:len(torn)-3]); len(got) != 2 {
		t.Fatalf("chain with a cut third record: %d records", len(got))
	}
}

// TestRedoTopLevelBucket: a top-level bucket a logged write creates is
// in the record too, so replay finds it before the puts into it.
func TestRedoTopLevelBucket(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "t.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rec redo
	if err := db.Update(func(tx *bolt.Tx) error {
		b, err := (&wtx{Tx: tx, rec: &rec}).CreateBucketIfNotExists([]byte("new"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	}); err != nil {
		t.Fatal(err)
	}
	replica, err := bolt.Open(filepath.Join(t.TempDir(), "r.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer replica.Close()
	if err := replica.Update(func(tx *bolt.Tx) error { return applyRedo(tx, rec.buf) }); err != nil {
		t.Fatalf("replay: %v", err)
	}
	if got, want := dump(t, replica), dump(t, db); got != want {
		t.Fatalf("replayed\n%s\nwant\n%s", got, want)
	}
}
