package edipartner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/transport"
)

func TestNaming(t *testing.T) {
	x12 := Naming{Doc: "850", Ext: "x12"}
	edi := Naming{Doc: "orders", Ext: "edi"}
	for got, want := range map[string]string{
		x12.Order("PO7K3M9QX2AB", false):                     "PO7K3M9QX2AB.850.x12",
		x12.Order("PO7K3M9QX2AB", true):                      "PO7K3M9QX2AB.cancel.850.x12",
		edi.Order("PO7K3M9QX2AB", false):                     "PO7K3M9QX2AB.orders.edi",
		edi.Order("PO7K3M9QX2AB", true):                      "PO7K3M9QX2AB.cancel.orders.edi",
		x12.Reply("asn-0042.x12", "000000049-49", "997"):     "asn-0042.000000049-49.997.x12",
		edi.Reply("in/desadv 0042.edi", "77", "contrl"):      "desadv_0042.77.contrl.edi",
		edi.Reply("desadv-0042.edi.tmp.edi", "77", "contrl"): "desadv-0042.edi.tmp.77.contrl.edi",
	} {
		if got != want {
			t.Errorf("name %q, want %q", got, want)
		}
	}
}

// A reply to a long inbound name stays within the bound, keeps its
// envelope suffix, and differs from the reply to another long name.
func TestReplyNameIsBounded(t *testing.T) {
	n := Naming{Doc: "850", Ext: "x12"}
	long := strings.Repeat("n", 300)
	a, b := n.Reply(long+"-a.x12", "1-1", "997"), n.Reply(long+"-b.x12", "1-1", "997")
	safe := regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	for _, name := range []string{a, b} {
		if len(name) > transport.MaxDerivedNameLen || !safe.MatchString(name) || !strings.HasSuffix(name, ".1-1.997.x12") {
			t.Errorf("reply name %q (%d bytes)", name, len(name))
		}
	}
	if a == b {
		t.Error("two long inbound names share a reply name")
	}
}

// rig is a link on a temporary directory transport.
type rig struct {
	link          *Link
	outbox, inbox string
}

func newRig(t *testing.T) rig {
	t.Helper()
	dir := t.TempDir()
	r := rig{outbox: filepath.Join(dir, "out"), inbox: filepath.Join(dir, "in")}
	l, err := Open("acme", transport.Config{Type: "directory", Outbox: r.outbox, Inbox: r.inbox}, Naming{Doc: "850", Ext: "x12"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	r.link = l
	return r
}

func order(ctx context.Context, r rig, c connector.Counters, cancel bool, rendered *int) (connector.Sent, error) {
	purpose := "00"
	if cancel {
		purpose = "01"
	}
	return r.link.Deliver(ctx, c, Outbound{PO: "PO1", Cancel: cancel, Once: OrderKey("850", purpose, "PO1"), Ref: "x12:isa13",
		Render: func(ctrl int64) ([]byte, error) {
			*rendered++
			return []byte("850 " + purpose + " number " + strconv.FormatInt(ctrl, 10)), nil
		}})
}

// Deliver numbers, renders and puts the document; a retry rewrites the
// same file with the same number, the cancellation gets its own.
func TestDeliver(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	c := newCounters()
	var rendered int
	first, err := order(ctx, r, c, false, &rendered)
	if err != nil {
		t.Fatal(err)
	}
	retry, _ := order(ctx, r, c, false, &rendered)
	cancel, _ := order(ctx, r, c, true, &rendered)
	want := connector.Sent{Document: "PO1.850.x12", Refs: []model.Ref{{System: "x12:isa13", ID: "1"}}}
	// Control is what the engine waits for a 997/CONTRL about, whatever
	// the syntax names its ref (an EDIFACT send was never tracked when the
	// engine matched ref names).
	if first.Document != want.Document || len(first.Refs) != 1 || first.Refs[0] != want.Refs[0] || first.Control != "1" {
		t.Errorf("sent %+v, want %+v", first, want)
	}
	if retry.Refs[0].ID != "1" || cancel.Document != "PO1.cancel.850.x12" || cancel.Refs[0].ID != "2" || rendered != 3 {
		t.Errorf("retry %+v, cancel %+v, %d renders", retry, cancel, rendered)
	}
	for name, body := range map[string]string{"PO1.850.x12": "850 00 number 1", "PO1.cancel.850.x12": "850 01 number 2"} {
		if b, err := os.ReadFile(filepath.Join(r.outbox, name)); err != nil || string(b) != body {
			t.Errorf("%s: %q, %v", name, b, err)
		}
	}
}

func TestDeliverFailures(t *testing.T) {
	ctx := context.Background()
	t.Run("render refused: nothing put, the error as is", func(t *testing.T) {
		r := newRig(t)
		refused := fault.Permanent(errors.New("BEG03 too long"))
		_, err := r.link.Deliver(ctx, newCounters(), Outbound{PO: "PO1", Once: "k", Render: func(int64) ([]byte, error) { return nil, refused }})
		if !errors.Is(err, refused) || !fault.IsPermanent(err) {
			t.Errorf("err = %v", err)
		}
		if _, err := os.Stat(filepath.Join(r.outbox, "PO1.850.x12")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a refused document was put: %v", err)
		}
	})
	t.Run("no number: not rendered", func(t *testing.T) {
		r := newRig(t)
		c := newCounters()
		c.err = errors.New("store down")
		_, err := r.link.Deliver(ctx, c, Outbound{PO: "PO1", Once: "k", Render: func(int64) ([]byte, error) {
			t.Error("rendered without a number")
			return nil, nil
		}})
		if !errors.Is(err, c.err) || fault.IsPermanent(err) || !strings.Contains(err.Error(), "acme: control number for PO1.850.x12") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("put fails: retryable, naming the file", func(t *testing.T) {
		r := newRig(t)
		// The outbox path is a file: the directory transport cannot
		// write into it.
		if err := os.WriteFile(r.outbox, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := r.link.Deliver(ctx, newCounters(), Outbound{PO: "PO1", Once: "k", Render: func(int64) ([]byte, error) { return []byte("x"), nil }})
		if err == nil || fault.IsPermanent(err) || !strings.Contains(err.Error(), "acme: put PO1.850.x12") {
			t.Errorf("err = %v", err)
		}
	})
}

// The link is the connector's inbox and reply outbox.
func TestLinkMailbox(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	if err := os.MkdirAll(r.inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.inbox, "asn.x12"), []byte("ISA"), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := r.link.ListInbox(ctx)
	if err != nil || len(files) != 1 || files[0].Name != "asn.x12" {
		t.Fatalf("inbox %+v, %v", files, err)
	}
	if b, err := r.link.ReadInbox(ctx, "asn.x12"); err != nil || string(b) != "ISA" {
		t.Fatalf("read %q, %v", b, err)
	}
	reply := connector.Reply{Name: r.link.Names.Reply("asn.x12", "1-1", "997"), Data: []byte("997")}
	if err := r.link.SendReply(ctx, reply); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(r.outbox, "asn.1-1.997.x12")); err != nil || string(b) != "997" {
		t.Errorf("reply %q, %v", b, err)
	}
	if err := r.link.ArchiveInbox(ctx, "asn.x12"); err != nil {
		t.Fatal(err)
	}
	if err := r.link.ArchiveInbox(ctx, "asn.x12"); !errors.Is(err, connector.ErrGone) {
		t.Errorf("archiving again: %v, want gone", err)
	}
}

func TestOpenUnknownTransport(t *testing.T) {
	if _, err := Open("acme", transport.Config{Type: "ftp"}, Naming{}); err == nil || !strings.HasPrefix(err.Error(), "acme: ") {
		t.Errorf("err = %v", err)
	}
}
