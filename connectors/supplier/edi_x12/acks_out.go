package edi_x12

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/transport"
	"github.com/dropgate/dropgate/internal/x12"
)

// ackKind is the acknowledgement we send: 997 unless the profile says
// 999 or none.
func (c *Connector) ackKind() string {
	if c.cfg.Partner.Ack == "" {
		return ack997
	}
	return c.cfg.Partner.Ack
}

// acknowledge renders one 997/999 interchange per inbound functional
// group. One per group rather than per interchange keeps the scheme of
// our 850s (ISA13 = GS06, one number from the partner's counter) and
// lets each group's number be allocated once, keyed by the inbound
// sender, ISA13 and GS06, so that parsing the file again gives the same
// acknowledgement numbers and never burns new ones.
func (c *Connector) acknowledge(ctx context.Context, name string, ics []*x12.Interchange) ([]connector.Reply, error) {
	kind := c.ackKind()
	if kind == ackNone {
		return nil, nil
	}
	if c.env.Counters == nil {
		return nil, fmt.Errorf("%s: no store to allocate %s control numbers from", name, kind)
	}
	var replies []connector.Reply
	for _, ic := range ics {
		for _, g := range ic.Groups {
			if !needsAck(g) {
				continue
			}
			once := fmt.Sprintf("ack:%s/%s:%s:%s", ic.Header.SenderQualifier, ic.Header.SenderID, ic.Header.Control, g.Header.Control)
			ctrl, err := c.env.Counters.NextCounter(ctx, counterName, once)
			if err != nil {
				return nil, fmt.Errorf("%s: control number for the %s of interchange %s group %s: %w", name, kind, ic.Header.Control, g.Header.Control, err)
			}
			data, err := c.renderAck(ic, g, ctrl, kind)
			if err != nil {
				return nil, fault.Permanent(fmt.Errorf("%s: %s for interchange %s group %s: %w", name, kind, ic.Header.Control, g.Header.Control, err))
			}
			replies = append(replies, connector.Reply{Name: ackName(name, ic.Header.Control, g.Header.Control, kind), Data: data})
		}
	}
	return replies, nil
}

// needsAck: groups of acknowledgements (GS01 FA, or holding nothing but
// 997/999 sets) are never acknowledged.
func needsAck(g *x12.Group) bool {
	if g.Header.FunctionalID == "FA" {
		return false
	}
	if len(g.Sets) == 0 {
		return true
	}
	for _, s := range g.Sets {
		if s.Header.ID != x12.Kind997 && s.Header.ID != x12.Kind999 {
			return true
		}
	}
	return false
}

// renderAck builds the acknowledgement of group g of ic. Sender and
// receiver are the inbound ones swapped; GS08 repeats the inbound group's
// version; ISA12 and the delimiters are the profile's, as in our 850s;
// ISA15 repeats the inbound usage (a test interchange gets a test ack).
func (c *Connector) renderAck(ic *x12.Interchange, g *x12.Group, ctrl int64, kind string) ([]byte, error) {
	one := *ic
	one.Groups, one.GroupCount = []*x12.Group{g}, 1
	p := &c.cfg.Partner
	nl := ""
	if p.Newline == nil || *p.Newline {
		nl = "\n"
	}
	ack, err := x12.BuildAck(&one, x12.AckParams{
		Kind:               kind,
		InterchangeControl: strconv.FormatInt(ctrl, 10),
		GroupControl:       ctrl,
		Date:               c.env.Clock.Now().In(c.loc),
		Version:            isaVersion(p.Version),
		Delimiters:         c.delims,
		Newline:            nl,
	})
	if err != nil {
		return nil, err
	}
	return ack.Data, nil
}

// ackName names the reply after the inbound file and the acknowledged
// envelope, e.g. asn-0042.000000049-49.997.x12: a re-parse rewrites the
// same file instead of adding one. A long inbound name is cut short and
// hashed (transport.DerivedName), so the 997 can always be written.
func ackName(inbound, isa13, gs06, kind string) string {
	return transport.DerivedName(inbound, fmt.Sprintf(".%s-%s.%s.x12", isa13, gs06, kind))
}

// ExpectFunctionalAck reports whether the partner answers our 850s with a
// 997/999 (partner.expect_ack, default true) and within how long
// (partner.ack_within, default 24h); the engine flags interchanges left
// unacknowledged longer.
func (c *Connector) ExpectFunctionalAck() (bool, time.Duration) {
	p := &c.cfg.Partner
	if p.ExpectAck != nil && !*p.ExpectAck {
		return false, 0
	}
	if p.AckWithin > 0 {
		return true, p.AckWithin
	}
	return true, defaultAckWithin
}
