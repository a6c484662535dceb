package config

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/money"
)

// nameRE keeps connector names usable in URLs (/webhooks/{name}), file
// names and Redis keys.
var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// validate checks what types alone cannot: unique names, references,
// files that must exist, values in range.
func (d *decoder) validate(cfg *Config, root *yaml.Node) {
	switch cfg.Store.Driver {
	case "embedded":
		if len(cfg.Store.Partitions) > 0 {
			d.warnf(nodeAt(root, "store.partitions"), "store.partitions", "ignored by the embedded store (it is one file on one machine); partitions spread a redis cluster")
		}
	case "redis":
		d.validateRedis(cfg, root)
	default:
		d.errorf(nodeAt(root, "store.driver"), "store.driver", "unknown driver %q (known: embedded, redis)", cfg.Store.Driver)
	}
	if cfg.Server.MaxBodyBytes < 0 {
		d.errorf(nodeAt(root, "server.max_body_bytes"), "server.max_body_bytes", "must be positive")
	}
	d.validateRouting(cfg, root)
	d.validateOrders(cfg.Orders, root, "orders")
	d.validateSync(cfg, root)
	d.validateNotifications(cfg, root)

	first := map[string]*Connector{}
	lists := []struct {
		name string
		cs   []*Connector
	}{{"channels", cfg.Channels}, {"suppliers", cfg.Suppliers}, {"carriers", cfg.Carriers}, {"payments", cfg.Payments}}
	for _, l := range lists {
		for i, c := range l.cs {
			path := fmt.Sprintf("%s[%d]", l.name, i)
			item := nodeAt(root, path)
			if c.Name != "" && !nameRE.MatchString(c.Name) {
				d.errorf(nodeAt(item, "name"), path+".name", "%q: use lower-case letters, digits, - and _ (it appears in URLs)", c.Name)
			}
			if prev, dup := first[c.Name]; dup && c.Name != "" {
				d.errorf(nodeAt(item, "name"), path+".name", "duplicate connector name %q (first defined at line %d)", c.Name, prev.Line)
			} else if c.Name != "" {
				first[c.Name] = c
			}
			if c.RateLimit != nil && (c.RateLimit.Rate <= 0 || c.RateLimit.Burst <= 0) {
				d.errorf(nodeAt(item, "rate_limit"), path+".rate_limit", "per_second and burst must both be positive")
			}
			if r := c.Reconcile; r != nil {
				switch {
				case l.name != "channels":
					d.errorf(nodeAt(item, "reconcile"), path+".reconcile", "only channels are swept")
				case r.Every < 0 || r.Lookback < 0 || r.DeepEvery < 0:
					d.errorf(nodeAt(item, "reconcile"), path+".reconcile", "every, lookback and deep_every must not be negative")
				}
			}
			if c.Orders != nil {
				if l.name != "channels" {
					d.errorf(nodeAt(item, "orders"), path+".orders", "only a channel's orders have a release policy")
				}
				d.validateOrders(*c.Orders, item, path+".orders")
			}
			if c.Supplier != nil {
				d.validateSupplier(cfg, c, item, path)
				d.validatePortal(cfg, c, item, path)
			}
		}
	}
}

func (d *decoder) validateSupplier(cfg *Config, c *Connector, item *yaml.Node, path string) {
	s := c.Supplier
	if s.Currency == "" {
		s.Currency = "USD"
	} else if !money.KnownCurrency(s.Currency) {
		d.errorf(nodeAt(item, "currency"), path+".currency", "unknown ISO 4217 currency %q", s.Currency)
	}
	if s.Catalog.File != "" {
		p := cfg.Resolve(s.Catalog.File)
		if _, err := os.Stat(p); err != nil {
			d.errorf(nodeAt(item, "catalog.file"), path+".catalog.file", "cannot read %s: %v", p, unwrapPathError(err))
		}
	}
	for _, p := range s.Check() {
		d.errorf(nodeAt(item, p.Path), path+"."+p.Path, "%s", p.Message)
	}
	switch s.SLA.OnBreach {
	case "", "exception", "reroute":
	default:
		d.errorf(nodeAt(item, "sla.on_breach"), path+".sla.on_breach", "unknown action %q (known: exception, reroute)", s.SLA.OnBreach)
	}
	for i, cc := range s.ShipTo {
		if len(cc) != 2 {
			d.errorf(nodeAt(item, fmt.Sprintf("ship_to[%d]", i)), fmt.Sprintf("%s.ship_to[%d]", path, i), "%q is not an ISO 3166-1 alpha-2 country code", cc)
		}
	}
}

// validateRouting reports the routing block's own findings
// (routing.Config.Check), pinned to their lines; rules may only name
// configured suppliers.
func (d *decoder) validateRouting(cfg *Config, root *yaml.Node) {
	names := make([]string, 0, len(cfg.Suppliers))
	for _, s := range cfg.Suppliers {
		names = append(names, s.Name)
	}
	for _, p := range cfg.Routing.Check(names) {
		path := join("routing", p.Path)
		if p.Warning {
			d.warnf(nodeAt(root, path), path, "%s", p.Message)
		} else {
			d.errorf(nodeAt(root, path), path, "%s", p.Message)
		}
	}
}

// validateSync reports the inventory and pricing blocks' own findings
// (inventory.Config.Check, pricing.Config.Check), pinned to their lines.
func (d *decoder) validateSync(cfg *Config, root *yaml.Node) {
	names := make([]string, 0, len(cfg.Channels))
	for _, c := range cfg.Channels {
		names = append(names, c.Name)
	}
	report := func(block, path, msg string, warn bool) {
		path = join(block, path)
		if warn {
			d.warnf(nodeAt(root, path), path, "%s", msg)
		} else {
			d.errorf(nodeAt(root, path), path, "%s", msg)
		}
	}
	if cfg.Inventory != nil {
		for _, p := range cfg.Inventory.Check(names) {
			report("inventory", p.Path, p.Message, false)
		}
	}
	if cfg.Pricing != nil {
		for _, p := range cfg.Pricing.Check(names) {
			report("pricing", p.Path, p.Message, p.Warning)
		}
	}
}

// Resolve cleans a path from the config. Relative paths are relative to
// the directory dropgate runs in, as in DESIGN's examples
// (./configs/acme-catalog.csv, ./var/outbox/acme/).
func (c *Config) Resolve(p string) string {
	if p == "" {
		return p
	}
	return filepath.Clean(p)
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// validateOrders checks an orders: block (at path, under node n).
func (d *decoder) validateOrders(o Orders, n *yaml.Node, path string) {
	block := nodeAt(n, "orders")
	if o.Release != "" && !slices.Contains(lifecycle.ReleaseModes, o.Release) {
		d.errorf(nodeAt(block, "release"), path+".release", "%q: want %s", o.Release, strings.Join(lifecycle.ReleaseModes, ", "))
	}
	if o.RequireCapture && o.Release != "" && o.Release != lifecycle.ReleaseOnPayment {
		d.errorf(nodeAt(block, "require_capture"), path+".require_capture", "applies to release: on_payment only (release is %s)", o.Release)
	}
	if o.HoldAfter < 0 || o.HoldAfter > 30*24*time.Hour {
		d.errorf(nodeAt(block, "hold_after"), path+".hold_after", "%s: want 0 to 30d", o.HoldAfter)
	}
	for i, r := range o.HoldRisk {
		if r != "low" && r != "medium" && r != "high" {
			d.errorf(nodeAt(block, "hold_risk"), fmt.Sprintf("%s.hold_risk[%d]", path, i), "%q: want low, medium or high", r)
		}
	}
}
