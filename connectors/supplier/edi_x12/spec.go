// Package edi_x12 is the X12 EDI supplier connector: purchase orders go
// out as 850s (and cancellations as 850s with BEG01=01) over a directory
// or SFTP; 997/999, 855, 856, 810 and 846 come back and become canonical
// documents, and each inbound functional group is answered with a 997 or
// 999. Each supplier's trading-partner profile (qualifiers, IDs, version,
// delimiters, usage indicator, where its 856 puts tracking numbers, what
// it wants as acknowledgement) lives in its YAML.
//
// Files by role: spec.go (the profile), connector.go (850 out, cancel),
// po850.go and po850_read.go (850 both ways), parse.go (the inbound file),
// ack855.go, asn856.go, invoice810.go, inventory846.go and funcack.go (one
// mapping per transaction set, on the helpers of mapping.go), acks_out.go
// (997/999 out). What X12 shares with EDIFACT (the transport's outbox and
// inbox, control numbers, file names, the common profile checks) is
// internal/edipartner's.
package edi_x12

import (
	"regexp"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/edipartner"
	"github.com/dropgate/dropgate/internal/transport"
	"github.com/dropgate/dropgate/internal/x12"
)

// Type is the registry name.
const Type = "edi_x12"

// Config is the YAML of an X12 supplier.
type Config struct {
	Partner   Partner          `yaml:"partner" required:"true"`
	Transport transport.Config `yaml:"transport" required:"true"`
	// Batch puts POs sent at about the same time in one interchange, each
	// its own ST/SE (off by default; edipartner.Batch).
	Batch edipartner.Batch `yaml:"batch"`
}

// Partner is the trading-partner profile.
type Partner struct {
	// ISA05/ISA06: our interchange qualifier and id; ISA07/ISA08 theirs.
	SenderQualifier   string `yaml:"sender_qualifier" required:"true"`
	SenderID          string `yaml:"sender_id" required:"true"`
	ReceiverQualifier string `yaml:"receiver_qualifier" required:"true"`
	ReceiverID        string `yaml:"receiver_id" required:"true"`
	// GS02/GS03 application codes; default to the ISA ids.
	GSSender   string `yaml:"gs_sender"`
	GSReceiver string `yaml:"gs_receiver"`
	// Version is the GS08 version: 004010 (default) or 005010.
	Version string `yaml:"version"`
	// Usage is ISA15: T (test) or P (production). Required, so going live
	// is a deliberate change.
	Usage      string     `yaml:"usage" required:"true"`
	Delimiters Delimiters `yaml:"delimiters"`
	// Newline after each segment terminator (default true).
	Newline *bool `yaml:"newline"`
	// InvalidChars: replace (default) or reject a value holding a
	// delimiter or a character outside Charset.
	InvalidChars string `yaml:"invalid_chars"`
	Replacement  string `yaml:"replacement"` // default " "
	// Charset: utf8 (default), extended (printable ASCII) or basic.
	Charset string `yaml:"charset"`
	// TA1Requested sets ISA14.
	TA1Requested bool `yaml:"ta1_requested"`
	// Timezone for ISA09/10 and GS04/05 dates (default UTC), and the zone
	// the partner's document dates and times are read in.
	Timezone string `yaml:"timezone"`

	// Inbound documents (855, 856, 810, 846, 997/999).

	// TrackingRef says where the partner's 856 carries tracking numbers:
	// one or more of REF*CN (default), REF*2I, REF*BM, REF*08, MAN*CP,
	// MAN*SM …, comma-separated, tried in that order at each HL level.
	TrackingRef string `yaml:"tracking_ref"`
	// Carriers maps a TD503 SCAC to a canonical carrier code, added to
	// (and overriding) the built-in table (UPSN → ups, FDEG → fedex, …).
	Carriers map[string]string `yaml:"carriers"`
	// DefaultCurrency is the currency of amounts in documents without a
	// CUR segment (default USD).
	DefaultCurrency string `yaml:"default_currency"`
	// Ack is what we answer the partner's documents with: "997"
	// (default), "999" (005010 partners that want it) or "none".
	Ack string `yaml:"ack"`
	// ExpectAck says the partner answers our 850s with a 997/999
	// (default true); AckWithin is how long it may take (default 24h)
	// before the engine flags the interchange as unacknowledged.
	ExpectAck *bool         `yaml:"expect_ack"`
	AckWithin time.Duration `yaml:"ack_within"`
	// Strict rejects what is otherwise accepted with a warning: an ST02
	// used by an earlier set of the same group (partners that number
	// every set 0001). By default such a set yields its documents, the
	// warning goes to the order's timeline and the 997 answers AK5 E
	// (accepted, but errors were noted) with code 23; strict rejects it
	// (AK5 R 23), as the standard has it.
	Strict bool `yaml:"strict"`
	// RMA is how the partner takes customer return requests: "edi_180"
	// (an X12 180 per return, in the outbox as <return>.180.x12) or
	// "none" (default: an operator asks the supplier and records its
	// answer).
	RMA string `yaml:"rma"`
}

// Delimiters are single characters; YAML escapes ("\x1d", "\n") allow
// control characters.
type Delimiters struct {
	Element    string `yaml:"element"`
	Component  string `yaml:"component"`
	Repetition string `yaml:"repetition"`
	Segment    string `yaml:"segment"`
}

// x12 returns the delimiters with defaults * : ^ ~ (repetition only from
// 00402 on).
func (d Delimiters) x12(version string) x12.Delimiters {
	pick := func(s string, def byte) byte {
		if len(s) == 1 {
			return s[0]
		}
		return def
	}
	out := x12.Delimiters{Element: pick(d.Element, '*'), Component: pick(d.Component, ':'), Segment: pick(d.Segment, '~')}
	if isaVersion(version) >= "00402" {
		out.Repetition = pick(d.Repetition, '^')
	}
	return out
}

// isaVersion maps the GS08 version to ISA12: 004010 → 00401,
// 005010 → 00501.
func isaVersion(v string) string {
	if len(v) >= 5 {
		return v[:5]
	}
	return "00401"
}

// Check validates the profile without I/O.
func (c *Config) Check() []connector.Problem {
	var ps edipartner.Problems
	p := &c.Partner
	switch p.Version {
	case "004010", "005010":
	default:
		ps.Add("partner.version", "unsupported version %q (supported: 004010, 005010)", p.Version)
	}
	if p.Usage != "T" && p.Usage != "P" && p.Usage != "" {
		ps.Add("partner.usage", "must be T (test) or P (production), got %q", p.Usage)
	}
	d := p.Delimiters
	ps.OneByte("partner.delimiters.element", d.Element)
	ps.OneByte("partner.delimiters.component", d.Component)
	ps.OneByte("partner.delimiters.repetition", d.Repetition)
	ps.OneByte("partner.delimiters.segment", d.Segment)
	if err := d.x12(p.Version).Validate(); err != nil {
		ps.Add("partner.delimiters", "%v", err)
	}
	ps.MaxLen("partner.sender_id", p.SenderID, 15, "")
	ps.MaxLen("partner.receiver_id", p.ReceiverID, 15, "")
	ps.MaxLen("partner.sender_qualifier", p.SenderQualifier, 2, "")
	ps.MaxLen("partner.receiver_qualifier", p.ReceiverQualifier, 2, "")
	ps.OneOf("partner.invalid_chars", p.InvalidChars, "replace", "reject")
	ps.OneOf("partner.charset", p.Charset, "utf8", "extended", "basic")
	ps.OneOf("partner.rma", p.RMA, rmaNone, rma180)
	if len(p.Replacement) > 1 {
		ps.Add("partner.replacement", "must be one character")
	}
	ps.Timezone("partner.timezone", p.Timezone)
	p.checkInbound(&ps)
	ps.Append(c.Transport.Check("transport")...)
	ps.Append(c.Batch.Check("batch")...)
	return ps
}

// Return request settings (partner.rma).
const (
	rmaNone = "none"
	rma180  = "edi_180"
)

// Acknowledgement settings (partner.ack).
const (
	ack997  = "997"
	ack999  = "999"
	ackNone = "none"
)

// trackingRef is one place an 856 may carry a tracking number: a REF
// (REF01 qualifier, number in REF02) or a MAN (MAN01 or MAN04 qualifier,
// number in MAN02 or MAN05).
type trackingRef struct {
	Segment   string // REF or MAN
	Qualifier string
}

func (t trackingRef) String() string { return t.Segment + "*" + t.Qualifier }

// trackingRefs: REF01 (128) is 2–3 characters, MAN01 (88) 1–2. Empty is
// REF*CN, the carrier's reference number, which is where most drop-ship
// 856s put it.
var trackingRefs = edipartner.RefSyntax{
	Sep:     "*",
	Valid:   regexp.MustCompile(`^(REF\*[0-9A-Z]{2,3}|MAN\*[0-9A-Z]{1,2})$`),
	Default: edipartner.Ref{Segment: "REF", Qualifier: "CN"},
	Want:    "REF*<qualifier> or MAN*<qualifier> (e.g. REF*CN, REF*2I, MAN*CP)",
}

// parseTrackingRef reads partner.tracking_ref.
func parseTrackingRef(s string) ([]trackingRef, error) {
	return edipartner.ParseRefs[trackingRef](s, trackingRefs)
}

// scacRE: a Standard Carrier Alpha Code is 2–4 letters.
var scacRE = regexp.MustCompile(`^[A-Z]{2,4}$`)

// checkInbound validates the keys about the partner's documents and
// acknowledgements.
func (p *Partner) checkInbound(ps *edipartner.Problems) {
	if _, err := parseTrackingRef(p.TrackingRef); err != nil {
		ps.Add("partner.tracking_ref", "%v", err)
	}
	for scac := range p.Carriers {
		if !scacRE.MatchString(scac) {
			ps.Add("partner.carriers."+scac, "%q is not a SCAC (2 to 4 upper-case letters)", scac)
		}
	}
	ps.CarrierCodes("partner.carriers", p.Carriers)
	ps.Currency("partner.default_currency", p.DefaultCurrency)
	switch p.Ack {
	case "", ack997, ackNone:
	case ack999:
		// The 999 was introduced with 005010; an 004010 translator has
		// no map for it.
		if p.Version != "" && p.Version < "005010" {
			ps.Add("partner.ack", "a 999 needs version 005010 or later (version is %s); use \"997\"", p.Version)
		}
	default:
		ps.Add("partner.ack", "must be \"997\", \"999\" or none, got %q", p.Ack)
	}
	p.acks().Check(ps, "partner", "expect_ack")
}

// acks is what the profile expects of the partner's 997/999s.
func (p *Partner) acks() edipartner.Acks {
	return edipartner.Acks{Expect: p.ExpectAck, Within: p.AckWithin}
}

func init() {
	connector.Register(connector.Spec[Config]{
		Type:      Type,
		Kind:      connector.KindSupplier,
		Namespace: "x12", // control-number counters are x12:<name>:interchange
		Summary:   "X12 EDI supplier: 850 out; 997/999, 855, 856, 810, 846 in; directory or SFTP",
		Defaults:  func() *Config { return &Config{Partner: Partner{Version: "004010"}} },
		New: func(env connector.Env, cfg *Config) (connector.Connector, error) {
			return New(env, cfg)
		},
		RateLimit: edipartner.RateLimit,
		Retry:     edipartner.Retry,
	})
}

var (
	_ connector.Checker    = (*Config)(nil)
	_ transport.Configured = (*Config)(nil)
)

// TransportConfig returns the transport block (transport.Configured).
func (c *Config) TransportConfig() transport.Config { return c.Transport }
