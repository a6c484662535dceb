package edipartner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connenv"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// newJournal is an instance's state on a real embedded store.
func newJournal(t *testing.T) connector.State {
	t.Helper()
	st, err := embedded.Open(filepath.Join(t.TempDir(), "dropgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return connenv.New(st, connenv.Options{Name: "acme"}).State
}

// sendAll sends pos at once into r's batcher and returns their answers.
func sendAll(t *testing.T, r *batchRig, pos ...string) []connector.Sent {
	t.Helper()
	out := make([]connector.Sent, len(pos))
	errs := make([]error, len(pos))
	var wg sync.WaitGroup
	for i, po := range pos {
		wg.Go(func() { out[i], errs[i] = r.b.Send(context.Background(), member(po)) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Send(%s): %v", pos[i], err)
		}
	}
	return out
}

// After a crash, a member's job runs again although its interchange went
// out: the member must find its place in that interchange and return it,
// not travel in a second one. Once the partner has taken the file, the
// member goes again.
func TestBatchMemberRetriedAloneAfterACrashIsNotSentTwice(t *testing.T) {
	r := newBatchRig(t, 3)
	r.b.Journal = newJournal(t)
	first := sendAll(t, r, "PO1", "PO2", "PO3")
	if n := len(r.files(t)); n != 1 {
		t.Fatalf("%d files after one full batch", n)
	}

	// PO2's job lost its ack: it runs again, alone.
	again := sendAll(t, r, "PO2")
	if again[0].Document != first[1].Document || again[0].Control != first[1].Control || again[0].Set != first[1].Set ||
		len(again[0].Refs) != 1 || again[0].Refs[0].ID != first[1].Control {
		t.Fatalf("PO2 sent again as %+v; its first place was %+v", again[0], first[1])
	}
	files := r.files(t)
	if len(files) != 1 {
		t.Fatalf("PO2 went out twice: files %v", files)
	}

	// The partner took the interchange: PO2 cannot be told from a PO
	// never sent, and goes again (in a batch of one, when MaxWait ends).
	if err := os.Remove(filepath.Join(r.outbox, first[1].Document)); err != nil {
		t.Fatal(err)
	}
	done := make(chan connector.Sent, 1)
	go func() { done <- sendAll(t, r, "PO2")[0] }()
	r.fire <- time.Now()
	resent := <-done
	if resent.Document == first[1].Document {
		t.Fatalf("PO2 resent in %s, the document the partner took", resent.Document)
	}
	files = r.files(t)
	if len(files) != 1 || !strings.Contains(files[resent.Document], "SET 0001 PO2") {
		t.Fatalf("files after the partner took the first: %v", files)
	}
	// And that new place is the one a further retry finds.
	if last := sendAll(t, r, "PO2")[0]; last.Document != resent.Document {
		t.Fatalf("retry found %s, want %s", last.Document, resent.Document)
	}
}

// Without a journal the same retry writes a second interchange: what the
// test above guards against is real.
func TestBatchMemberRetriedAloneWithoutJournalTravelsAgain(t *testing.T) {
	r := newBatchRig(t, 3)
	sendAll(t, r, "PO1", "PO2", "PO3")
	done := make(chan struct{})
	go func() { sendAll(t, r, "PO2"); close(done) }()
	r.fire <- time.Now()
	<-done
	if n := len(r.files(t)); n != 2 {
		t.Fatalf("%d files: want the retried PO in a second interchange", n)
	}
}

// journalIDs lists the journal's entries.
func journalIDs(t *testing.T, j connector.State) []string {
	t.Helper()
	recs, _, err := j.ListRecords(context.Background(), journalKind, store.Query{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	return ids
}

// TestBatchJournalDropsOldEntries: entries last written more than
// journalKeep ago go, a few at a time, as later batches go out; younger
// ones stay.
func TestBatchJournalDropsOldEntries(t *testing.T) {
	r := newBatchRig(t, 3)
	r.b.Journal = newJournal(t)
	ctx := context.Background()
	sendAll(t, r, "PO1", "PO2", "PO3")
	if ids := journalIDs(t, r.b.Journal); len(ids) != 3 {
		t.Fatalf("journal after one batch: %v; want 3 entries", ids)
	}
	now := time.Now()
	if n, err := r.b.prune(ctx, now.Add(journalKeep-time.Hour), 10); err != nil || n != 0 {
		t.Fatalf("prune before journalKeep = %d, %v; want nothing dropped", n, err)
	}
	if n, err := r.b.prune(ctx, now.Add(journalKeep+time.Hour), 2); err != nil || n != 2 {
		t.Fatalf("prune after journalKeep, limit 2 = %d, %v; want 2 dropped", n, err)
	}
	if ids := journalIDs(t, r.b.Journal); len(ids) != 1 {
		t.Fatalf("journal after dropping 2: %v; want 1 entry", ids)
	}
	// Created long ago but written since: it stays.
	rewritten := store.Record{Kind: journalKind, ID: "rewritten", Data: []byte(`{}`), Created: now.Add(-journalKeep - 24*time.Hour)}
	if _, err := r.b.Journal.PutRecord(ctx, rewritten); err != nil {
		t.Fatal(err)
	}
	if n, err := r.b.prune(ctx, now, 10); err != nil || n != 0 {
		t.Fatalf("prune of an entry created %s ago but just written = %d, %v; want it kept", journalKeep+24*time.Hour, n, err)
	}
	if err := r.b.Journal.DeleteRecord(ctx, journalKind, "rewritten"); err != nil {
		t.Fatal(err)
	}
	// A batch going out drops what is old by its clock (here, every
	// entry, its own included: they were all written "8 days ago").
	r.b.Now = func() time.Time { return now.Add(journalKeep + 24*time.Hour) }
	sendAll(t, r, "PO4", "PO5", "PO6")
	if ids := journalIDs(t, r.b.Journal); len(ids) != 0 {
		t.Fatalf("journal after a batch 8 days on: %v; want every old entry dropped", ids)
	}
}
