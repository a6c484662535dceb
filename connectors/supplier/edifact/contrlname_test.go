package edifact

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// An inbound file of a long name still gets its CONTRL, named within the
// file system's limits: the inbound name cut short plus a hash of all of
// it (two such files never share an answer), the reference kept.
func TestContrlNameOfALongInboundName(t *testing.T) {
	r := newRig(t, nil, nil)
	ctx := context.Background()
	data := inbound(env{ref: "51", ackReq: true}, msg{"DESADV", desadvBody})
	long := strings.Repeat("n", 240)
	safe := regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	seen := map[string]string{}
	for _, in := range []string{long + "-first.edi", long + "-other.edi"} {
		got := parse(t, r.c, in, data)
		if len(got.Replies) != 1 {
			t.Fatalf("%d replies", len(got.Replies))
		}
		name := got.Replies[0].Name
		if len(name) > 255 || !safe.MatchString(name) || !strings.HasSuffix(name, ".51.contrl.edi") {
			t.Errorf("reply name %q (%d bytes): want at most 255 safe bytes ending in the reference", name, len(name))
		}
		if again := parse(t, r.c, in, data).Replies[0].Name; again != name {
			t.Errorf("reply name not deterministic: %q then %q", name, again)
		}
		if other, dup := seen[name]; dup {
			t.Errorf("%q and %q get the same reply name %q", other, in, name)
		}
		seen[name] = in
		if err := r.c.SendReply(ctx, got.Replies[0]); err != nil {
			t.Fatalf("send the CONTRL of a %d-byte name: %v", len(in), err)
		}
		if _, err := os.Stat(filepath.Join(r.outbox, name)); err != nil {
			t.Error(err)
		}
	}
}
