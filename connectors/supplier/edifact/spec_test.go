package edifact

import (
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/transport"
)

func TestCheck(t *testing.T) {
	valid := func() *Config {
		return &Config{Partner: partner(), Transport: transport.Config{Type: "directory", Outbox: "out"}}
	}
	if ps := valid().Check(); len(ps) > 0 {
		t.Fatalf("valid config: %v", ps)
	}
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		want []string // problem paths
	}{
		{"missing ids and test", func(c *Config) { c.Partner.Sender.ID, c.Partner.Recipient.ID, c.Partner.Test = "", "", nil },
			[]string{"partner.recipient.id", "partner.sender.id", "partner.test"}},
		{"long id and qualifier", func(c *Config) {
			c.Partner.Sender.ID = "123456789012345678901234567890123456"
			c.Partner.Recipient.Qualifier = "ABCDE"
		}, []string{"partner.recipient.qualifier", "partner.sender.id"}},
		{"syntax", func(c *Config) { c.Partner.Syntax = "UNOX" }, []string{"partner.syntax"}},
		{"syntax version", func(c *Config) { c.Partner.SyntaxVersion = 2 }, []string{"partner.syntax_version"}},
		{"UNOW needs syntax 4", func(c *Config) { c.Partner.Syntax = "UNOW" }, []string{"partner.syntax_version"}},
		{"version", func(c *Config) { c.Partner.Version = "96A" }, []string{"partner.version"}},
		{"association", func(c *Config) { c.Partner.Association = "ean-008" }, []string{"partner.association"}},
		{"delimiters", func(c *Config) { c.Partner.Delimiters = Delimiters{Element: "::", Component: "+"} }, []string{"partner.delimiters", "partner.delimiters.element"}},
		{"decimal mark", func(c *Config) { c.Partner.Delimiters.Decimal = ";" }, []string{"partner.delimiters"}},
		{"repetition before syntax 4", func(c *Config) { c.Partner.Delimiters.Repetition = "*" }, []string{"partner.delimiters.repetition"}},
		{"policies", func(c *Config) { c.Partner.CharsetPolicy, c.Partner.Contrl = "drop", "always" }, []string{"partner.charset_policy", "partner.contrl"}},
		{"ack_within", func(c *Config) { c.Partner.AckWithin, c.Partner.ExpectContrl = time.Hour, ptr(false) }, []string{"partner.ack_within"}},
		{"negative ack_within", func(c *Config) { c.Partner.AckWithin = -time.Hour }, []string{"partner.ack_within"}},
		{"tracking_ref", func(c *Config) { c.Partner.TrackingRef = "REF*CN" }, []string{"partner.tracking_ref"}},
		{"carriers", func(c *Config) { c.Partner.Carriers = map[string]string{"DHLDE": "DHL"} }, []string{"partner.carriers.DHLDE"}},
		{"GLNs", func(c *Config) { c.Partner.BuyerGLN, c.Partner.SupplierGLN = "123", "12345678901234" }, []string{"partner.buyer_gln", "partner.supplier_gln"}},
		{"currency and zone", func(c *Config) { c.Partner.DefaultCurrency, c.Partner.Timezone = "EUX", "Mars/Olympus" }, []string{"partner.default_currency", "partner.timezone"}},
		{"transport", func(c *Config) { c.Transport = transport.Config{Type: "ftp"} }, []string{"transport.type"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			tc.mod(c)
			var got []string
			for _, p := range c.Check() {
				got = append(got, p.Path)
			}
			sort.Strings(got)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems at %v, want %v (%v)", got, tc.want, c.Check())
			}
		})
	}
}

func TestParseTrackingRefs(t *testing.T) {
	got, err := parseTrackingRefs(" rff+bm , GIN+BJ ")
	if err != nil || !reflect.DeepEqual(got, []trackingRef{{"RFF", "BM"}, {"GIN", "BJ"}}) {
		t.Errorf("got %v, %v", got, err)
	}
	if got, _ := parseTrackingRefs(""); !reflect.DeepEqual(got, []trackingRef{{"RFF", "CN"}}) {
		t.Errorf("default = %v", got)
	}
	for _, bad := range []string{"PCI+33E", "RFF", "RFF+ABCD", "GIN+"} {
		if _, err := parseTrackingRefs(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestRegistered(t *testing.T) {
	s, ok := connector.Default().Lookup(Type)
	if !ok || s.Kind != connector.KindSupplier || s.RateLimit.Rate <= 0 || s.Retry.MaxAttempts == 0 {
		t.Fatalf("spec = %+v", s)
	}
	if _, ok := s.NewConfig().(*Config); !ok {
		t.Error("NewConfig does not return *Config")
	}
	r := newRig(t, nil, nil)
	if r.c.Name() != "acme" || r.c.Type() != "edifact" {
		t.Errorf("name/type = %s/%s", r.c.Name(), r.c.Type())
	}
	if exp, within := r.c.ExpectFunctionalAck(); !exp || within != 24*time.Hour {
		t.Errorf("expect = %v %v", exp, within)
	}
	r = newRig(t, func(p *Partner) { p.ExpectContrl = ptr(false) }, nil)
	if exp, _ := r.c.ExpectFunctionalAck(); exp {
		t.Error("expect_contrl: false still expects")
	}
}
