package transport

import (
	"context"
	"os"
	"testing"
)

// finderCase: a file put is found until the partner takes it; a name never
// put is not; a bad name is an error, not "absent".
func finderCase(t *testing.T, tr interface {
	Transport
	Finder
}, take func(name string)) {
	t.Helper()
	ctx := context.Background()
	if found, err := tr.Delivered(ctx, "B000000001.850.x12"); err != nil || found {
		t.Fatalf("Delivered before Put = %v, %v", found, err)
	}
	if err := tr.Put(ctx, "B000000001.850.x12", []byte("ISA~")); err != nil {
		t.Fatal(err)
	}
	if found, err := tr.Delivered(ctx, "B000000001.850.x12"); err != nil || !found {
		t.Fatalf("Delivered after Put = %v, %v", found, err)
	}
	take("B000000001.850.x12")
	if found, err := tr.Delivered(ctx, "B000000001.850.x12"); err != nil || found {
		t.Fatalf("Delivered after the partner took it = %v, %v", found, err)
	}
	if _, err := tr.Delivered(ctx, "../etc/passwd"); err == nil {
		t.Fatal("Delivered accepted a path outside the outbox")
	}
}

func TestDirectoryDelivered(t *testing.T) {
	out := t.TempDir()
	d := NewDirectory(out, "", "")
	finderCase(t, d, func(name string) {
		if err := os.Remove(out + "/" + name); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSFTPDelivered(t *testing.T) {
	srv := newTestServer(t)
	tr := openSFTP(t, srv.config())
	finderCase(t, tr, func(name string) {
		if err := os.Remove(srv.local("out/" + name)); err != nil {
			t.Fatal(err)
		}
	})
}
