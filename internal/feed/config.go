// Package feed imports suppliers' inventory and price feeds: CSV, XML or
// JSON files read from a local file, an HTTP(S) URL or an SFTP server,
// parsed as a stream into a compact snapshot of the supplier's offers,
// compared with the last applied snapshot, checked against guardrails,
// and persisted in the store so every replica routes on the same data.
//
// Memory stays bounded whatever the feed's size: rows are never held as
// Go structs or strings but as varint-encoded records in 1 MiB blocks,
// sorted through a slice of 32-bit references, and the previous snapshot
// is streamed from the store chunk by chunk while the two are merged.
package feed

import (
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/internal/transport"
)

// Formats a feed can be in.
const (
	FormatCSV  = "csv"
	FormatXML  = "xml"
	FormatJSON = "json"
)

// Config is a supplier's `feed:` block.
type Config struct {
	Source  Source      `yaml:"source" required:"true"`
	Format  string      `yaml:"format"` // csv, xml, json (default: from the file name, else csv)
	CSV     CSVOptions  `yaml:"csv"`
	XML     XMLOptions  `yaml:"xml"`
	JSON    JSONOptions `yaml:"json"`
	Columns Columns     `yaml:"columns" required:"true"`
	// Schedule: when the feed is imported by `serve`; none means only by
	// `dropgate feed import`.
	Schedule Schedule `yaml:"schedule"`
	// Freshness: a feed whose data is older than this counts as zero
	// stock for routing and sync (0: never stale).
	Freshness  time.Duration `yaml:"freshness"`
	Guardrails Guardrails    `yaml:"guardrails"`
	// MaxErrorShare is the share of bad rows (0–1) above which the import
	// fails instead of skipping them (default 0.05).
	MaxErrorShare *decimal.Decimal `yaml:"max_error_share"`
}

// Source names where the feed is read from: exactly one of file, url and
// sftp.
type Source struct {
	File    string                      `yaml:"file"`
	URL     string                      `yaml:"url"`
	Headers map[string]connector.Secret `yaml:"headers"` // HTTP request headers, usually "Bearer ${TOKEN}"
	SFTP    *SFTPSource                 `yaml:"sftp"`
	Path    string                      `yaml:"path"` // the file on the SFTP server
	// Timeout bounds one download, body included (default 10m).
	Timeout time.Duration `yaml:"timeout"`
}

// SFTPSource holds the connection keys of an SFTP `transport:` block (see
// internal/transport's README); the directory and file come from path.
type SFTPSource struct {
	Host                 string           `yaml:"host" required:"true"`
	Port                 int              `yaml:"port"`
	User                 string           `yaml:"user" required:"true"`
	Password             connector.Secret `yaml:"password"`
	PrivateKey           connector.Secret `yaml:"private_key"`
	PrivateKeyPassphrase connector.Secret `yaml:"private_key_passphrase"`
	HostKey              string           `yaml:"host_key"`
	Timeout              time.Duration    `yaml:"timeout"`
}

// Transport returns the transport.Config that reads dir.
func (s *SFTPSource) Transport(dir string) transport.Config {
	return transport.Config{
		Type: "sftp", Host: s.Host, Port: s.Port, User: s.User, Password: s.Password,
		PrivateKey: s.PrivateKey, PrivateKeyPassphrase: s.PrivateKeyPassphrase, HostKey: s.HostKey,
		Timeout: s.Timeout, Inbox: dir, Outbox: dir,
	}
}

// Numbers describes how a feed writes numbers: "1.234,50" is
// decimal_comma with thousands ".".
type Numbers struct {
	DecimalComma bool   `yaml:"decimal_comma"`
	Thousands    string `yaml:"thousands"` // grouping separator to drop: "", ".", ",", " ", "'"
}

// CSVOptions tune the CSV reader.
type CSVOptions struct {
	Delimiter string `yaml:"delimiter"` // one character, or "tab"; empty: detected among , ; tab |
	Encoding  string `yaml:"encoding"`  // utf-8 (default) or latin-1 (read as Windows-1252)
	// NoHeader: the first row is data, and columns are 1-based numbers.
	NoHeader bool    `yaml:"no_header"`
	Numbers  Numbers `yaml:",inline"`
}

// XMLOptions tune the XML reader.
type XMLOptions struct {
	// Record is the name of the element holding one offer, at any depth.
	Record   string  `yaml:"record"`
	Encoding string  `yaml:"encoding"` // overrides the document's declaration
	Numbers  Numbers `yaml:",inline"`
}

// JSONOptions tune the JSON reader.
type JSONOptions struct {
	// Records is the dotted path of the array of offers ("data.items");
	// empty or "$" when the document is the array.
	Records string  `yaml:"records"`
	Numbers Numbers `yaml:",inline"`
}

// Columns maps the feed's columns (CSV header names or numbers, XML child
// paths such as "price/cost" or "@id", JSON dotted paths) to the fields of
// an offer. Only supplier_sku is required; a field not mapped comes from
// the supplier's catalog file.
type Columns struct {
	SupplierSKU string `yaml:"supplier_sku" required:"true"`
	SKU         string `yaml:"sku"` // merchant SKU; else the catalog's mapping
	Quantity    string `yaml:"quantity"`
	Cost        string `yaml:"cost"`
	MAP         string `yaml:"map"`  // minimum advertised price
	MSRP        string `yaml:"msrp"` // manufacturer's suggested retail price
	GTIN        string `yaml:"gtin"`
	Title       string `yaml:"title"`
	ShipFrom    string `yaml:"ship_from"`
}

// list returns the mapped source column of every field, indexed by field.
func (c Columns) list() [numFields]string {
	return [numFields]string{
		fSupplierSKU: c.SupplierSKU, fSKU: c.SKU, fQuantity: c.Quantity, fCost: c.Cost, fMAP: c.MAP,
		fMSRP: c.MSRP, fGTIN: c.GTIN, fTitle: c.Title, fShipFrom: c.ShipFrom,
	}
}

// Schedule is when `serve` imports the feed: every (a duration) or cron (a
// standard five-field expression, UTC unless it starts with CRON_TZ=).
type Schedule struct {
	Every time.Duration `yaml:"every"`
	Cron  string        `yaml:"cron"`
}

// Enabled reports whether the feed is imported on a schedule.
func (s Schedule) Enabled() bool { return s.Every > 0 || s.Cron != "" }

// CronSchedule parses the cron expression.
func (s Schedule) CronSchedule() (cron.Schedule, error) {
	return cron.ParseStandard(s.Cron)
}

// Guardrails stop a suspicious import from being applied: it is stored
// and quarantined until an operator approves or discards it.
type Guardrails struct {
	// MaxZeroedShare (0–1, default 0.5): quarantine when more than this
	// share of the previous snapshot's SKUs would drop to zero stock
	// (zeroed or missing). 1 disables the check.
	MaxZeroedShare *decimal.Decimal `yaml:"max_zeroed_share"`
	// MaxPriceChange (percent): a price (cost, MAP or MSRP) moving by
	// more than this counts as a suspicious move. Unset: no price check.
	MaxPriceChange *decimal.Decimal `yaml:"max_price_change"`
	// MaxPriceChangeShare (0–1, default 0): quarantine when more than
	// this share of SKUs priced in both snapshots moved suspiciously; 0
	// means any one move quarantines.
	MaxPriceChangeShare *decimal.Decimal `yaml:"max_price_change_share"`
}

// Defaults for unset keys.
var (
	defaultMaxErrorShare  = decimal.New(5, 2)
	defaultMaxZeroedShare = decimal.New(5, 1)
)

// DefaultTimeout bounds a download when source.timeout is unset.
const DefaultTimeout = 10 * time.Minute

// ZeroedShare is the effective max_zeroed_share.
func (g Guardrails) ZeroedShare() decimal.Decimal {
	if g.MaxZeroedShare != nil {
		return *g.MaxZeroedShare
	}
	return defaultMaxZeroedShare
}

// ErrorShare is the effective max_error_share.
func (c *Config) ErrorShare() decimal.Decimal {
	if c.MaxErrorShare != nil {
		return *c.MaxErrorShare
	}
	return defaultMaxErrorShare
}

// EffectiveFormat is the configured format or the one the source's file
// name suggests (.xml, .json), CSV otherwise.
func (c *Config) EffectiveFormat() string {
	if c.Format != "" {
		return c.Format
	}
	name := c.Source.File
	if c.Source.URL != "" {
		if u, err := url.Parse(c.Source.URL); err == nil {
			name = u.Path
		}
	}
	if c.Source.SFTP != nil {
		name = c.Source.Path
	}
	switch strings.ToLower(path.Ext(strings.TrimSuffix(name, ".gz"))) {
	case ".xml":
		return FormatXML
	case ".json":
		return FormatJSON
	}
	return FormatCSV
}

// Numbers returns the number conventions of the effective format.
func (c *Config) Numbers() Numbers {
	switch c.EffectiveFormat() {
	case FormatXML:
		return c.XML.Numbers
	case FormatJSON:
		return c.JSON.Numbers
	}
	return c.CSV.Numbers
}

// Check validates the block without I/O; paths are relative to it.
func (c *Config) Check() []connector.Problem {
	var ps []connector.Problem
	add := func(p, format string, args ...any) {
		ps = append(ps, connector.Problem{Path: p, Message: fmt.Sprintf(format, args...)})
	}
	ps = append(ps, c.Source.check()...)
	switch c.Format {
	case "", FormatCSV, FormatXML, FormatJSON:
	default:
		add("format", "unknown format %q (known: csv, xml, json)", c.Format)
	}
	if c.EffectiveFormat() == FormatCSV {
		if _, err := delimiterByte(c.CSV.Delimiter); err != nil {
			add("csv.delimiter", "%v", err)
		}
		if _, err := encodingOf(c.CSV.Encoding); err != nil {
			add("csv.encoding", "%v", err)
		}
	}
	if c.EffectiveFormat() == FormatXML {
		if c.XML.Record == "" {
			add("xml.record", "missing required key: the name of the element holding one offer")
		}
		if _, err := encodingOf(c.XML.Encoding); err != nil {
			add("xml.encoding", "%v", err)
		}
	}
	for _, n := range []struct {
		key string
		v   Numbers
	}{{"csv", c.CSV.Numbers}, {"xml", c.XML.Numbers}, {"json", c.JSON.Numbers}} {
		if err := n.v.check(); err != nil {
			add(n.key+".thousands", "%v", err)
		}
	}
	ps = append(ps, c.checkColumns()...)
	if c.Schedule.Every < 0 {
		add("schedule.every", "must not be negative")
	}
	if c.Schedule.Every > 0 && c.Schedule.Cron != "" {
		add("schedule", "set every or cron, not both")
	}
	if c.Schedule.Cron != "" {
		if _, err := c.Schedule.CronSchedule(); err != nil {
			add("schedule.cron", "%v", err)
		}
	}
	if c.Freshness < 0 {
		add("freshness", "must not be negative")
	}
	shares := []struct {
		key string
		v   *decimal.Decimal
	}{{"max_error_share", c.MaxErrorShare}, {"guardrails.max_zeroed_share", c.Guardrails.MaxZeroedShare},
		{"guardrails.max_price_change_share", c.Guardrails.MaxPriceChangeShare}}
	for _, s := range shares {
		if s.v != nil && (s.v.Sign() < 0 || s.v.Cmp(decimal.FromInt(1)) > 0) {
			add(s.key, "%s is not a share between 0 and 1", s.v)
		}
	}
	if p := c.Guardrails.MaxPriceChange; p != nil && p.Sign() < 0 {
		add("guardrails.max_price_change", "must not be negative")
	}
	return ps
}

func (c *Config) checkColumns() []connector.Problem {
	var ps []connector.Problem
	cols := c.Columns
	if cols.Quantity == "" && cols.Cost == "" && cols.MAP == "" && cols.MSRP == "" {
		ps = append(ps, connector.Problem{Path: "columns", Message: "map at least one of quantity, cost, map, msrp"})
	}
	if c.EffectiveFormat() == FormatCSV && c.CSV.NoHeader {
		for i, col := range cols.list() {
			if col == "" {
				continue
			}
			if n, ok := columnNumber(col); !ok || n < 1 {
				ps = append(ps, connector.Problem{Path: "columns." + fieldNames[i],
					Message: fmt.Sprintf("%q: with csv.no_header columns are numbers from 1", col)})
			}
		}
	}
	return ps
}

func (s *Source) check() []connector.Problem {
	var ps []connector.Problem
	add := func(p, format string, args ...any) {
		ps = append(ps, connector.Problem{Path: "source." + p, Message: fmt.Sprintf(format, args...)})
	}
	n := 0
	for _, set := range []bool{s.File != "", s.URL != "", s.SFTP != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		add("file", "set exactly one of file, url and sftp")
	}
	if s.URL != "" {
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("url", "%q is not an http(s) URL", s.URL)
		}
	}
	if len(s.Headers) > 0 && s.URL == "" {
		add("headers", "only an url source sends headers")
	}
	if s.SFTP != nil {
		if s.Path == "" {
			add("path", "missing required key: the feed's file on the SFTP server")
		} else if strings.HasSuffix(s.Path, "/") {
			add("path", "%q names a directory, not a file", s.Path)
		}
		tc := s.SFTP.Transport(path.Dir(s.Path))
		for _, p := range tc.Check("sftp") {
			ps = append(ps, connector.Problem{Path: "source." + p.Path, Message: p.Message})
		}
	} else if s.Path != "" {
		add("path", "only an sftp source has a path (use file for a local one)")
	}
	if s.Timeout < 0 {
		add("timeout", "must not be negative")
	}
	return ps
}

func (n Numbers) check() error {
	switch n.Thousands {
	case "", ".", ",", " ", "'":
	default:
		return fmt.Errorf("%q: use one of \".\", \",\", \" \", \"'\"", n.Thousands)
	}
	if (n.DecimalComma && n.Thousands == ",") || (!n.DecimalComma && n.Thousands == ".") {
		return fmt.Errorf("%q is also the decimal separator", n.Thousands)
	}
	return nil
}
