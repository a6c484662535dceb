package edi_x12

import (
	"context"
	"fmt"
	"strconv"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/edipartner"
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
// acknowledgement numbers and never burns new ones. Each is named after
// the inbound file and the group it answers
// (asn-0042.000000049-49.997.x12), so a re-parse rewrites the same file.
func (c *Connector) acknowledge(ctx context.Context, name string, ics []*x12.Interchange) ([]connector.Reply, error) {
	kind := c.ackKind()
	if kind == ackNone {
		return nil, nil
	}
	var replies []connector.Reply
	for _, ic := range ics {
		for _, g := range ic.Groups {
			if !needsAck(g) {
				continue
			}
			sender := edipartner.Party{Qualifier: ic.Header.SenderQualifier, ID: ic.Header.SenderID}
			ctrl, err := edipartner.Control(ctx, c.env.Counters, edipartner.ReplyKey("ack", sender, ic.Header.Control, g.Header.Control))
			if err != nil {
				return nil, fmt.Errorf("%s: control number for the %s of interchange %s group %s: %w", name, kind, ic.Header.Control, g.Header.Control, err)
			}
			data, err := c.renderAck(ic, g, ctrl, kind)
			if err != nil {
				return nil, fault.Permanent(fmt.Errorf("%s: %s for interchange %s group %s: %w", name, kind, ic.Header.Control, g.Header.Control, err))
			}
			replies = append(replies, connector.Reply{Name: names.Reply(name, ic.Header.Control+"-"+g.Header.Control, kind), Data: data})
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
	ack, err := x12.BuildAck(&one, x12.AckParams{
		Kind:               kind,
		InterchangeControl: strconv.FormatInt(ctrl, 10),
		GroupControl:       ctrl,
		Date:               c.env.Clock.Now().In(c.loc),
		Version:            isaVersion(p.Version),
		Delimiters:         c.delims,
		Newline:            c.lineEnding(),
	})
	if err != nil {
		return nil, err
	}
	return ack.Data, nil
}
