// Package routing decides which supplier ships which order line (DESIGN
// §2.1): candidates from the suppliers' catalogs, filtered and scored by
// the merchant's rules, with every decision explained.
package routing

// Strategy names.
const (
	StrategyCheapest = "cheapest" // lowest landed cost
	StrategyPriority = "priority" // lowest supplier priority number
)

// Config is the `routing:` block.
type Config struct {
	Strategy   string `yaml:"strategy"`    // cheapest (default) or priority
	AllowSplit *bool  `yaml:"allow_split"` // default true
	// SafetyBuffer is subtracted from a supplier's stock before a line is
	// routed to it, so a feed that lags reality does not oversell.
	SafetyBuffer int64 `yaml:"safety_buffer"`
	// StockAware skips offers without enough stock (default true).
	StockAware *bool `yaml:"stock_aware"`
}

// Split reports whether an order may be split across suppliers.
func (c Config) Split() bool { return c.AllowSplit == nil || *c.AllowSplit }

// UsesStock reports whether routing checks stock.
func (c Config) UsesStock() bool { return c.StockAware == nil || *c.StockAware }
