// Package edifact is the UN/EDIFACT supplier connector: purchase orders go
// out as ORDERS (and cancellations as ORDERS with BGM message function 1)
// over a directory or SFTP; CONTRL, ORDRSP, DESADV, INVOIC and INVRPT come
// back and become canonical documents, and every inbound interchange is
// answered with a CONTRL. Each supplier's trading-partner profile (party
// identifiers, syntax, directory version, association code, delimiters,
// where the DESADV carries tracking numbers) lives in its YAML. What
// EDIFACT shares with X12 (the transport's outbox and inbox, control
// references, file names, the common profile checks) is
// internal/edipartner's.
package edifact

import (
	"regexp"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/edifact"
	"github.com/dropgate/dropgate/internal/edipartner"
	"github.com/dropgate/dropgate/internal/transport"
)

// Type is the registry name.
const Type = "edifact"

// Config is the YAML of an EDIFACT supplier.
type Config struct {
	Partner   Partner          `yaml:"partner" required:"true"`
	Transport transport.Config `yaml:"transport" required:"true"`
}

// Party is an interchange party: UNB S002 (sender) or S003 (recipient).
type Party struct {
	// ID is 0004/0010, an..35: a GLN, a DUNS number or a mailbox id.
	ID string `yaml:"id" required:"true"`
	// Qualifier is 0007 (code list 0007): 14 GLN, 1 DUNS, ZZZ mutually
	// defined. Optional: many VAN mailboxes carry none.
	Qualifier string `yaml:"qualifier"`
}

// Partner is the trading-partner profile.
type Partner struct {
	// Sender is us (UNB S002 of our interchanges), Recipient the supplier
	// (S003). Inbound interchanges must come from Recipient to Sender.
	Sender    Party `yaml:"sender" required:"true"`
	Recipient Party `yaml:"recipient" required:"true"`
	// Syntax is the UNB S001/0001 syntax identifier (code list 0001):
	// UNOC (default, ISO 8859-1), UNOA, UNOB, UNOY or UNOW (UTF-8).
	Syntax string `yaml:"syntax"`
	// SyntaxVersion is S001/0002: 3 (default) or 4.
	SyntaxVersion int `yaml:"syntax_version"`
	// Version is the directory of our messages: D96A (default), D01B…;
	// UNH S009/0052 "D" and 0054 "96A".
	Version string `yaml:"version"`
	// Association is UNH S009/0057, e.g. EAN008 for EANCOM; optional.
	Association string `yaml:"association"`
	// Test marks our interchanges as tests (UNB 0035 = 1). Required, so
	// going live is a deliberate change. A production profile refuses
	// inbound test interchanges.
	Test *bool `yaml:"test" required:"true"`
	// UNA writes the service string advice even with default delimiters.
	UNA bool `yaml:"una"`
	// Delimiters override the defaults : + . ? ' (any single byte; YAML
	// escapes such as "\x1d" work). A UNA is written whenever they differ.
	Delimiters Delimiters `yaml:"delimiters"`
	// CharsetPolicy is what happens to a character the syntax cannot
	// carry (a "ł" under UNOC): reject (default: the send fails, naming
	// the segment and element) or transliterate (ł → l).
	CharsetPolicy string `yaml:"charset_policy"`
	// ExpectContrl says the partner answers our interchanges with a
	// CONTRL (default true; we then set UNB 0031 = 1); AckWithin is how
	// long it may take (default 24h).
	ExpectContrl *bool         `yaml:"expect_contrl"`
	AckWithin    time.Duration `yaml:"ack_within"`
	// Contrl is what we answer the partner's interchanges with: send
	// (default, a CONTRL for every interchange but a CONTRL), requested
	// (only when its UNB 0031 asks for one) or none.
	Contrl string `yaml:"contrl"`
	// TrackingRef says where the partner's DESADV carries tracking
	// numbers: RFF+<1153 qualifier> (RFF+CN, the carrier's reference
	// number, by default) or GIN+<7405 qualifier> (GIN+BJ: the SSCC is the
	// tracking number, as with pallet carriers), comma-separated and tried
	// in order.
	TrackingRef string `yaml:"tracking_ref"`
	// Carriers maps a DESADV TDT carrier identification (C040/3127) to a
	// canonical carrier code; names (3128) are recognised on their own.
	Carriers map[string]string `yaml:"carriers"`
	// BuyerGLN and SupplierGLN, when set, are written as NAD+BY and NAD+SU
	// in our ORDERS (C082 with code list agency 9, GS1).
	BuyerGLN    string `yaml:"buyer_gln"`
	SupplierGLN string `yaml:"supplier_gln"`
	// DefaultCurrency is the currency of amounts in documents without a
	// CUX segment (default EUR).
	DefaultCurrency string `yaml:"default_currency"`
	// Timezone for UNB dates and the partner's document dates (default
	// UTC).
	Timezone string `yaml:"timezone"`
	// Newline writes a line break after each segment terminator (default
	// true); readers ignore it, people reading files like it.
	Newline *bool `yaml:"newline"`
	// Strict rejects what is otherwise accepted with a warning: a UNB
	// without its syntax version number (read as 4 when its date has
	// eight digits, else 3) and a message reference (UNH 0062) repeated
	// within an interchange. By default the interchange is processed, the
	// warning goes to the order's timeline and the CONTRL reports it with
	// action 7; strict rejects it (action 4), as the standard has it.
	Strict bool `yaml:"strict"`
}

// Delimiters are the profile's service characters, one byte each.
type Delimiters struct {
	Component  string `yaml:"component"`
	Element    string `yaml:"element"`
	Decimal    string `yaml:"decimal"`
	Release    string `yaml:"release"`
	Repetition string `yaml:"repetition"` // syntax 4 only
	Segment    string `yaml:"segment"`
}

// edifact returns the delimiters with the defaults filled in.
func (d Delimiters) edifact() edifact.Delimiters {
	out := edifact.DefaultDelimiters()
	for _, f := range []struct {
		s   string
		dst *byte
	}{{d.Component, &out.Component}, {d.Element, &out.Element}, {d.Decimal, &out.Decimal}, {d.Release, &out.Release}, {d.Repetition, &out.Repetition}, {d.Segment, &out.Terminator}} {
		if len(f.s) == 1 {
			*f.dst = f.s[0]
		}
	}
	return out
}

// Profile settings.
const (
	contrlSend      = "send"
	contrlRequested = "requested"
	contrlNone      = "none"

	policyReject        = "reject"
	policyTransliterate = "transliterate"

	defaultSyntax   = "UNOC"
	defaultVersion  = "D96A"
	defaultCurrency = "EUR"
)

var (
	// versionRE: a batch directory, D93A to D24B (a C release existed in
	// 2001).
	versionRE = regexp.MustCompile(`^D[0-9]{2}[A-C]$`)
	// associationRE: S009/0057 is an..6.
	associationRE = regexp.MustCompile(`^[A-Z0-9]{1,6}$`)
	// glnRE: a GS1 Global Location Number is 13 digits.
	glnRE = regexp.MustCompile(`^[0-9]{13}$`)
)

// Check validates the profile without I/O.
func (c *Config) Check() []connector.Problem {
	var ps edipartner.Problems
	p := &c.Partner
	for _, f := range []struct {
		path string
		p    Party
	}{{"partner.sender", p.Sender}, {"partner.recipient", p.Recipient}} {
		if f.p.ID == "" {
			ps.Add(f.path+".id", "missing required key")
		}
		ps.MaxLen(f.path+".id", f.p.ID, 35, "0004/0010 an..35")
		ps.MaxLen(f.path+".qualifier", f.p.Qualifier, 4, "0007 an..4")
	}
	p.checkSyntax(&ps)
	if p.Test == nil {
		ps.Add("partner.test", "missing required key: true while testing, false to go live")
	}
	p.checkDelimiters(&ps)
	ps.OneOf("partner.charset_policy", p.CharsetPolicy, policyReject, policyTransliterate)
	ps.OneOf("partner.contrl", p.Contrl, contrlSend, contrlRequested, contrlNone)
	p.acks().Check(&ps, "partner", "expect_contrl")
	if _, err := parseTrackingRefs(p.TrackingRef); err != nil {
		ps.Add("partner.tracking_ref", "%v", err)
	}
	ps.CarrierCodes("partner.carriers", p.Carriers)
	for _, f := range []struct{ path, v string }{{"partner.buyer_gln", p.BuyerGLN}, {"partner.supplier_gln", p.SupplierGLN}} {
		if f.v != "" && !glnRE.MatchString(f.v) {
			ps.Add(f.path, "%q is not a GLN (13 digits)", f.v)
		}
	}
	ps.Currency("partner.default_currency", p.DefaultCurrency)
	ps.Timezone("partner.timezone", p.Timezone)
	ps.Append(c.Transport.Check("transport")...)
	return ps
}

// checkSyntax validates the syntax identifier and version, the directory
// and the association code.
func (p *Partner) checkSyntax(ps *edipartner.Problems) {
	syntax := p.syntax()
	switch syntax {
	case "UNOA", "UNOB", "UNOC", "UNOY", "UNOW":
	default:
		ps.Add("partner.syntax", "unsupported syntax identifier %q (supported: UNOA, UNOB, UNOC, UNOY, UNOW)", p.Syntax)
	}
	switch p.SyntaxVersion {
	case 0, 3, 4:
	default:
		ps.Add("partner.syntax_version", "must be 3 or 4, got %d", p.SyntaxVersion)
	}
	if (syntax == "UNOY" || syntax == "UNOW") && p.SyntaxVersion != 4 {
		// UNOY and UNOW (ISO 10646) exist from syntax version 4 on.
		ps.Add("partner.syntax_version", "%s needs syntax_version: 4", syntax)
	}
	if !versionRE.MatchString(p.version()) {
		ps.Add("partner.version", "%q is not a batch directory such as D96A or D01B", p.Version)
	}
	if p.Association != "" && !associationRE.MatchString(p.Association) {
		ps.Add("partner.association", "%q is not an association code such as EAN008 (an..6, upper case)", p.Association)
	}
}

// checkDelimiters validates partner.delimiters.
func (p *Partner) checkDelimiters(ps *edipartner.Problems) {
	d := p.Delimiters
	for _, f := range []struct{ key, v string }{
		{"component", d.Component}, {"element", d.Element}, {"decimal", d.Decimal},
		{"release", d.Release}, {"repetition", d.Repetition}, {"segment", d.Segment},
	} {
		ps.OneByte("partner.delimiters."+f.key, f.v)
	}
	if d.Repetition != "" && p.SyntaxVersion != 4 {
		// UNA5 is reserved before syntax version 4.
		ps.Add("partner.delimiters.repetition", "a repetition separator needs syntax_version: 4")
	}
	if err := d.edifact().Validate(); err != nil {
		ps.Add("partner.delimiters", "%v", err)
	}
}

// acks is what the profile expects of the partner's CONTRLs.
func (p *Partner) acks() edipartner.Acks {
	return edipartner.Acks{Expect: p.ExpectContrl, Within: p.AckWithin}
}

func (p *Partner) syntax() string {
	if p.Syntax == "" {
		return defaultSyntax
	}
	return p.Syntax
}

func (p *Partner) syntaxVersion() string {
	if p.SyntaxVersion == 4 {
		return "4"
	}
	return "3"
}

func (p *Partner) version() string {
	if p.Version == "" {
		return defaultVersion
	}
	return p.Version
}

func (p *Partner) isTest() bool { return p.Test == nil || *p.Test }

func (p *Partner) contrl() string {
	if p.Contrl == "" {
		return contrlSend
	}
	return p.Contrl
}

func (p *Partner) currency() string { return edipartner.Currency(p.DefaultCurrency, defaultCurrency) }

func (p *Partner) policy() edifact.CharsetPolicy {
	if p.CharsetPolicy == policyTransliterate {
		return edifact.Transliterate
	}
	return edifact.Reject
}

// lineEnding is what follows each segment terminator: a line break,
// unless the profile says newline: false or a delimiter is one (the break
// would then be read as a delimiter).
func (p *Partner) lineEnding() string {
	d := p.Delimiters.edifact()
	return edipartner.LineEnding(p.Newline, d.Component, d.Element, d.Release, d.Repetition, d.Terminator)
}

func init() {
	connector.Register(connector.Spec[Config]{
		Type:     Type,
		Kind:     connector.KindSupplier,
		Summary:  "UN/EDIFACT supplier: ORDERS out; CONTRL, ORDRSP, DESADV, INVOIC, INVRPT in; directory or SFTP",
		Defaults: func() *Config { return &Config{} },
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
