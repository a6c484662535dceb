// Package edipartner is what the file-based EDI supplier connectors (X12 and
// EDIFACT) share besides their syntax: the trading-partner profile's
// common rules (identities, the acknowledgement window, time zone,
// currency, carrier codes, tracking references), control numbers from the
// instance's persistent counter, the names of the files they write, the
// transport wiring (outbox, inbox, replies, Close) and the send flow of a
// purchase order, and the bookkeeping of an inbound file's results.
//
// Each syntax keeps its own YAML keys (the profile structs stay in the
// connector, where their comments document the syntax), its rendering
// and its parsing. This package works on values the connector hands it,
// so a connector reads as its syntax and nothing else.
//
// Control numbers: both syntaxes draw every number they send (an 850's
// ISA13/GS06, an ORDERS' UNB 0020, a 997's or CONTRL's) from one counter
// per partner, Counter ("interchange") in the instance's namespace
// (x12:<name>:interchange, edifact:<name>:interchange), so no number is
// used twice towards the partner. Each allocation carries a once-key
// (OrderKey, ReplyKey): asking again for the same document returns the same number, so a
// retried send or a re-parsed inbound file never burns a new one.
//
// A connector for another file-based syntax uses it like this:
//
//	type Connector struct {
//		*edipartner.Link // ListInbox, ReadInbox, ArchiveInbox, SendReply, Close
//		env connector.Env
//		cfg *Config
//	}
//
//	func (c *Connector) SendPO(ctx context.Context, po *model.PurchaseOrder, o *model.Order) (connector.Sent, error) {
//		return c.Deliver(ctx, c.env.Counters, edipartner.Outbound{
//			PO: po.Number, Once: edipartner.OrderKey("orders", "original", po.Number), Ref: "mysyntax:control",
//			Render: func(ctrl int64) ([]byte, error) { return c.render(po, o, ctrl) },
//		})
//	}
//
// and reads an inbound file into an edipartner.Results (CheckInterchanges,
// then Reject or Accept per unit, then Finish with its acknowledgements,
// numbered with Control and ReplyKey and named with Naming.Reply).
package edipartner
