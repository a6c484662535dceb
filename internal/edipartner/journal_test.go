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
