// Package config loads dropgate's YAML: ${VAR} expansion, strict decoding
// into the core's and each connector's config structs, and validation
// that reports every problem as FILE:LINE: key.path: what is wrong. It
// never touches the network.
package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/internal/feed"
)

// Problem is one finding, pinned to a line and key path.
type Problem struct {
	File    string
	Line    int
	Path    string
	Message string
	Warning bool
}

// String formats FILE:LINE: key.path: message.
func (p Problem) String() string {
	msg := p.Message
	if p.Warning {
		msg = "warning: " + msg
	}
	path := p.Path
	if path == "" {
		path = "(root)"
	}
	return fmt.Sprintf("%s:%d: %s: %s", p.File, p.Line, path, msg)
}

// Problems is a list of findings.
type Problems []Problem

// Errors returns the problems that are not warnings.
func (ps Problems) Errors() Problems {
	var out Problems
	for _, p := range ps {
		if !p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// Warnings returns only the warnings.
func (ps Problems) Warnings() Problems {
	var out Problems
	for _, p := range ps {
		if p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// Error joins the errors, one per line, so Problems can be returned as an
// error.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Options tune Load.
type Options struct {
	// Lookup reads environment variables (default os.LookupEnv).
	Lookup func(string) (string, bool)
	// Registry holds the connector types (default connector.Default()).
	Registry *connector.Registry
}

// Load reads and validates the file at path. The returned problems include
// warnings; the config is usable only when Problems.Errors() is empty. The
// error is for the file being unreadable.
func Load(path string, opts Options) (*Config, Problems, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("config: %w", err)
	}
	cfg, probs := Parse(path, data, opts)
	return cfg, probs, nil
}

var connectorLists = map[string]connector.Kind{
	"channels":  connector.KindChannel,
	"suppliers": connector.KindSupplier,
	"carriers":  connector.KindCarrier,
	"payments":  connector.KindPayment,
}

// Parse decodes and validates config bytes; file names the source in
// messages and anchors relative paths.
func Parse(file string, data []byte, opts Options) (*Config, Problems) {
	if opts.Lookup == nil {
		opts.Lookup = os.LookupEnv
	}
	if opts.Registry == nil {
		opts.Registry = connector.Default()
	}
	d := &decoder{file: file, fromEnv: map[*yaml.Node]bool{}, lookup: opts.Lookup}
	cfg := &Config{File: file, Dir: filepath.Dir(file)}

	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlErrorLine(err)
		d.problems = append(d.problems, Problem{File: file, Line: line, Message: msg})
		return cfg, d.problems
	}
	if len(doc.Content) == 0 {
		d.errorf(&doc, "", "the file is empty")
		return cfg, d.problems
	}
	root := doc.Content[0]
	d.checkDuplicateKeys(root, "")
	d.expandAll(root, "")
	if root.Kind != yaml.MappingNode {
		d.errorf(root, "", "expected a mapping at the top level")
		return cfg, d.problems
	}

	skip := map[string]bool{}
	for k := range connectorLists {
		skip[k] = true
	}
	d.decodeStruct(root, reflect.ValueOf(cfg).Elem(), "", skip)
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		kind, ok := connectorLists[key.Value]
		if !ok {
			continue
		}
		list := d.decodeConnectors(val, key.Value, kind, opts.Registry)
		switch kind {
		case connector.KindChannel:
			cfg.Channels = list
		case connector.KindSupplier:
			cfg.Suppliers = list
		case connector.KindCarrier:
			cfg.Carriers = list
		case connector.KindPayment:
			cfg.Payments = list
		}
	}
	cfg.applyDefaults()
	d.validate(cfg, root)
	sort.SliceStable(d.problems, func(i, j int) bool { return d.problems[i].Line < d.problems[j].Line })
	return cfg, d.problems
}

var yamlLineRE = regexp.MustCompile(`line (\d+): `)

func yamlErrorLine(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, yamlLineRE.ReplaceAllString(msg, "")
	}
	return 0, msg
}

// expandAll expands ${VAR} in every scalar value (never in keys).
func (d *decoder) expandAll(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.ScalarNode:
		out, used, err := Expand(n.Value, d.lookup)
		if used {
			// Even when the variable is unset: the value is a reference,
			// not a secret written into the file (that error is reported).
			d.fromEnv[n] = true
		}
		if err != nil {
			d.errorf(n, path, "%v", err)
			return
		}
		if used {
			n.Value = out
			if n.Tag != "!!str" {
				n.Tag = "" // let the target type decide, as if written plain
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			d.expandAll(n.Content[i+1], join(path, n.Content[i].Value))
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			d.expandAll(c, fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

// commonKeys are the keys every connector block has, whatever its type.
var commonKeys = KnownKeys(reflect.TypeOf(Connector{}))

func (d *decoder) decodeConnectors(n *yaml.Node, listName string, kind connector.Kind, reg *connector.Registry) []*Connector {
	if n.Kind != yaml.SequenceNode {
		if n.Tag != "!!null" {
			d.errorf(n, listName, "expected a list of connectors, got %s", describe(n))
		}
		return nil
	}
	var out []*Connector
	for i, item := range n.Content {
		path := fmt.Sprintf("%s[%d]", listName, i)
		c := &Connector{Kind: kind, Line: item.Line}
		if item.Kind != yaml.MappingNode {
			d.errorf(item, path, "expected a mapping, got %s", describe(item))
			continue
		}
		skip := map[string]bool{}
		var supplierKeys []string
		if kind == connector.KindSupplier {
			c.Supplier = &routing.SupplierProfile{}
			supplierKeys = KnownKeys(reflect.TypeOf(routing.SupplierProfile{}))
		}
		// Common keys first (name, type, rate_limit, retry, and the
		// supplier's shared keys), then the type's own keys.
		common := &yaml.Node{Kind: yaml.MappingNode, Line: item.Line}
		specific := &yaml.Node{Kind: yaml.MappingNode, Line: item.Line}
		for j := 0; j+1 < len(item.Content); j += 2 {
			k := item.Content[j].Value
			switch {
			case contains(commonKeys, k):
				common.Content = append(common.Content, item.Content[j], item.Content[j+1])
			case kind == connector.KindSupplier && k == feedKey:
				skip[k] = true
				c.Feed = d.decodeFeed(item.Content[j+1], join(path, k))
			case kind == connector.KindSupplier && k == portalKey:
				skip[k] = true
				c.Portal = d.decodePortal(item.Content[j+1], join(path, k))
			case kind == connector.KindPayment && k == paymentFeesKey:
				skip[k] = true
				c.PaymentFees = d.decodePaymentFees(item.Content[j+1], join(path, k))
			case contains(supplierKeys, k):
				skip[k] = true
				d.decode(item.Content[j+1], fieldValue(c.Supplier, k), join(path, k))
			default:
				specific.Content = append(specific.Content, item.Content[j], item.Content[j+1])
			}
		}
		d.decodeStruct(common, reflect.ValueOf(c).Elem(), path, nil)
		if c.Supplier != nil {
			c.Supplier.Name = c.Name
		}
		if c.Type == "" {
			out = append(out, c)
			continue
		}
		spec, ok := reg.Lookup(c.Type)
		if !ok || spec.Kind != kind {
			known := reg.Types(kind)
			d.errorf(valueNode(item, "type"), join(path, "type"), "unknown connector type %q (known %s types: %s)", c.Type, kind, strings.Join(known, ", "))
			out = append(out, c)
			continue
		}
		c.Spec = spec
		c.Settings = spec.NewConfig()
		for _, k := range commonKeys {
			skip[k] = true
		}
		for _, k := range supplierKeys {
			skip[k] = true
		}
		if kind == connector.KindSupplier {
			skip[feedKey] = true
			skip[portalKey] = true
		}
		d.decodeStruct(specific, reflect.ValueOf(c.Settings).Elem(), path, skip)
		if chk, ok := c.Settings.(connector.Checker); ok {
			for _, p := range chk.Check() {
				d.errorf(nodeAt(item, p.Path), join(path, p.Path), "%s", p.Message)
			}
		}
		out = append(out, c)
	}
	return out
}

// feedKey is a supplier's feed block, decoded apart from its connector's
// own keys (internal/feed).
const feedKey = "feed"

// decodeFeed decodes and checks a supplier's feed block.
func (d *decoder) decodeFeed(n *yaml.Node, path string) *feed.Config {
	f := &feed.Config{}
	d.decode(n, reflect.ValueOf(f).Elem(), path)
	for _, p := range f.Check() {
		d.errorf(nodeAt(n, p.Path), join(path, p.Path), "%s", p.Message)
	}
	return f
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fieldValue returns the field of *p tagged key.
func fieldValue(p any, key string) reflect.Value {
	v := reflect.ValueOf(p).Elem()
	for _, f := range fieldsOf(v.Type()) {
		if f.name == key {
			return fieldByIndex(v, f.index)
		}
	}
	panic("config: no field " + key) // callers pass keys from KnownKeys
}

// valueNode returns the value node of key in mapping n, or n itself.
func valueNode(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return n
}

// nodeAt follows a dotted path ("transport.outbox", "lines[2].sku") from n
// and returns the deepest node found, so a problem gets the best line.
func nodeAt(n *yaml.Node, path string) *yaml.Node {
	if path == "" {
		return n
	}
	for _, part := range strings.Split(path, ".") {
		name, idx := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
			name = part[:i]
			idx, _ = strconv.Atoi(part[i+1 : len(part)-1])
		}
		if name != "" {
			if n.Kind != yaml.MappingNode {
				return n
			}
			next := valueNode(n, name)
			if next == n {
				return n
			}
			n = next
		}
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return n
			}
			n = n.Content[idx]
		}
	}
	return n
}
