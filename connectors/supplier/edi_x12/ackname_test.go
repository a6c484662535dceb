package edi_x12

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// An inbound file of a long name still gets its 997, named within the
// file system's limits: the inbound name cut short plus a hash of all of
// it (two such files never share an answer), the envelope numbers kept.
func TestAckNameOfALongInboundName(t *testing.T) {
	c, _ := newParser(t, nil)
	ctx := context.Background()
	data := interchange(t, "5", 5, group{fid: "SH", sets: []set{{"856", goodASN}}})
	long := strings.Repeat("n", 240)
	safe := regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	seen := map[string]string{}
	for _, inbound := range []string{long + "-first.edi", long + "-other.edi", "dir/" + long + "-first.x12"} {
		got := parse(t, c, inbound, data)
		if len(got.Replies) != 1 {
			t.Fatalf("%d replies", len(got.Replies))
		}
		name := got.Replies[0].Name
		if len(name) > 255 || !safe.MatchString(name) || !strings.HasSuffix(name, ".000000005-5.997.x12") {
			t.Errorf("reply name %q (%d bytes): want at most 255 safe bytes ending in the envelope numbers", name, len(name))
		}
		if again := parse(t, c, inbound, data).Replies[0].Name; again != name {
			t.Errorf("reply name not deterministic: %q then %q", name, again)
		}
		if other, dup := seen[name]; dup && filepath.Base(other) != filepath.Base(inbound) {
			t.Errorf("%q and %q get the same reply name %q", other, inbound, name)
		}
		seen[name] = inbound
		if err := c.SendReply(ctx, got.Replies[0]); err != nil {
			t.Fatalf("send the 997 of %d-byte %s: %v", len(inbound), inbound[len(inbound)-10:], err)
		}
		if _, err := os.Stat(filepath.Join(c.cfg.Transport.Outbox, name)); err != nil {
			t.Error(err)
		}
	}
}
