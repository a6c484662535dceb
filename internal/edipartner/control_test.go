package edipartner

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/dropgate/dropgate/internal/connenv"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// counters is an in-memory connector.Counters with once-keys that records
// the names it is asked for.
type counters struct {
	mu    sync.Mutex
	next  map[string]int64
	once  map[string]int64
	names []string
	err   error
}

func newCounters() *counters {
	return &counters{next: map[string]int64{}, once: map[string]int64{}}
}

func (c *counters) NextCounter(_ context.Context, name, once string) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.names = append(c.names, name)
	if c.err != nil {
		return 0, c.err
	}
	if v, ok := c.once[name+"\x00"+once]; ok {
		return v, nil
	}
	c.next[name]++
	c.once[name+"\x00"+once] = c.next[name]
	return c.next[name], nil
}

func TestControlDrawsFromTheInterchangeCounterOncePerKey(t *testing.T) {
	ctx := context.Background()
	c := newCounters()
	a, _ := Control(ctx, c, OrderKey("850", "00", "PO1"))
	b, _ := Control(ctx, c, OrderKey("850", "01", "PO1"))
	again, err := Control(ctx, c, OrderKey("850", "00", "PO1"))
	if err != nil || a != 1 || b != 2 || again != 1 {
		t.Errorf("numbers %d, %d, again %d (%v); want 1, 2, again 1", a, b, again, err)
	}
	for _, n := range c.names {
		if n != "interchange" {
			t.Errorf("counter %q asked for; every number comes from \"interchange\"", n)
		}
	}
}

func TestControlWithoutCounters(t *testing.T) {
	if _, err := Control(context.Background(), nil, "k"); err == nil {
		t.Fatal("no error without counters")
	}
}

func TestControlPassesTheStoreErrorOn(t *testing.T) {
	c := newCounters()
	c.err = errors.New("store down")
	if _, err := Control(context.Background(), c, "k"); !errors.Is(err, c.err) {
		t.Errorf("err = %v", err)
	}
}

// The numbers a partner already has continue: an instance's counter is
// <namespace>:<name>:interchange in the store, as the connectors always
// named it.
func TestControlContinuesTheStoredSequence(t *testing.T) {
	ctx := context.Background()
	st, err := embedded.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for ns, before := range map[string]int{"x12": 41, "edifact": 6} {
		for range before {
			if _, err := st.NextCounter(ctx, ns+":acme:interchange", ""); err != nil {
				t.Fatal(err)
			}
		}
		env := connenv.New(st, connenv.Options{Name: "acme", Namespace: ns})
		got, err := Control(ctx, env.Counters, OrderKey("850", "00", "PO1"))
		if err != nil || got != int64(before+1) {
			t.Errorf("%s: next number %d (%v), want %d", ns, got, err, before+1)
		}
	}
}

// The once-keys are stored with their numbers: their shape is a contract
// with every store holding them.
func TestOnceKeysKeepTheirShape(t *testing.T) {
	for got, want := range map[string]string{
		OrderKey("850", "00", "PO7K3M9QX2AB"):                       "850:00:PO7K3M9QX2AB",
		OrderKey("orders", "cancel", "PO7K3M9QX2AB"):                "orders:cancel:PO7K3M9QX2AB",
		ReplyKey("ack", Party{"ZZ", "SUPPLIER"}, "000000042", "42"): "ack:ZZ/SUPPLIER:000000042:42",
		ReplyKey("contrl", Party{"14", "8798765432106"}, "77"):      "contrl:14/8798765432106:77",
		ReplyKey("contrl", Party{"", "MAILBOX"}, "77"):              "contrl:/MAILBOX:77",
	} {
		if got != want {
			t.Errorf("key %q, want %q", got, want)
		}
	}
}
