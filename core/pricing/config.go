// Package pricing turns a supplier's cost into the selling price a channel
// shows, in exact money (core/money, core/decimal; never a float). It is
// pure: the engine feeds it the offer's cost, MAP and MSRP and pushes the
// result.
//
// For one merchant SKU (Config.Price):
//
//  1. The band: the first tier whose up_to is at least the cost (tiers
//     are tried in the order written; a tier without up_to takes every
//     cost), else the top-level markup and fixed. A tier's missing markup
//     or fixed is the top-level one.
//  2. price = cost × markup + fixed, rounded up to the currency's minor
//     unit.
//  3. MAP floor (map_floor): never below the supplier's MAP.
//  4. Endings: rounded up to the nearest price ending in one of endings
//     (".99": 12.34 → 12.99, 12.99 stays, 13.00 → 13.99; "whole": 12.01
//     → 13.00). Several endings: the lowest candidate. An ending needs
//     as many decimals as the currency has (".99" cannot price JPY).
//  5. MSRP ceiling (msrp_ceiling): a price above MSRP comes down to the
//     highest price with an ending that is at most MSRP and not below
//     MAP; when there is none, MSRP itself. When MAP is above MSRP the
//     floor wins (MAP is a contract, MSRP a suggestion): the price is MAP
//     rounded up to an ending.
//  6. Minimum margin: a price below cost + max(cost × percent / 100,
//     amount) is refused, never raised: the caller gets a *Refusal with
//     the reason instead of a price. Without min_margin the guard still
//     refuses a price below cost. The percent is of the cost (a markup
//     floor): 15 % of cost is a 13 % margin on the price.
//
// The cost must be in the channel's currency (Input.Currency); there is
// no conversion, a mismatch is refused.
package pricing

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/money"
)

// EndingWhole is the ending of whole prices (.00).
const EndingWhole = "whole"

// maxDecimals bounds the decimals of markups and amounts in the config, so
// cost × markup stays far inside decimal's range.
const maxDecimals = 6

// Config is the `pricing:` block.
type Config struct {
	// Channels receive prices; empty means every channel that can.
	Channels []string `yaml:"channels"`
	// Currency is the channels' selling currency. When set, a cost in
	// another currency is refused before anything is pushed; when empty,
	// prices are in the cost's currency and the channel refuses one it
	// does not sell in.
	Currency string `yaml:"currency"`
	// Markup multiplies the cost ("1.8").
	Markup decimal.Decimal `yaml:"markup"`
	// Fixed is added after the markup, in the cost's currency ("1.00").
	Fixed decimal.Decimal `yaml:"fixed"`
	// Tiers replace markup and fixed by cost band; the first match wins.
	Tiers []Tier `yaml:"tiers"`
	// MAPFloor keeps prices at or above the supplier's MAP.
	MAPFloor bool `yaml:"map_floor"`
	// MSRPCeiling keeps prices at or below the supplier's MSRP.
	MSRPCeiling bool `yaml:"msrp_ceiling"`
	// Endings are the allowed price endings: ".99", ".95", "whole", or any
	// "." followed by up to 4 digits. Empty: any minor unit.
	Endings []string `yaml:"endings"`
	// MinMargin refuses prices below cost + max(percent of cost, amount).
	MinMargin MinMargin `yaml:"min_margin"`
}

// Tier is one cost band of pricing.tiers.
type Tier struct {
	// UpTo is the highest cost (inclusive) of the band; nil takes all.
	UpTo   *decimal.Decimal `yaml:"up_to"`
	Markup *decimal.Decimal `yaml:"markup"`
	Fixed  *decimal.Decimal `yaml:"fixed"`
}

// MinMargin is pricing.min_margin.
type MinMargin struct {
	Percent decimal.Decimal `yaml:"percent"` // of the cost
	Amount  decimal.Decimal `yaml:"amount"`  // in the cost's currency
}

// Problem is a config finding at a key path relative to the block.
type Problem struct {
	Path    string
	Message string
	Warning bool // the config works, but probably not as meant
}

var endingRE = regexp.MustCompile(`^\.[0-9]{1,4}$`)

// parseEnding reads an ending as the fraction of a major unit it stands
// for: ".99" is 0.99, "whole" 0.
func parseEnding(s string) (decimal.Decimal, error) {
	if s == EndingWhole {
		return decimal.Decimal{}, nil
	}
	if !endingRE.MatchString(s) {
		return decimal.Decimal{}, fmt.Errorf("%q is not an ending (\".99\", \".95\", \"whole\")", s)
	}
	return decimal.Parse("0" + s)
}

// Check validates the block; channels are the configured channel names.
// It does no I/O.
func (c Config) Check(channels []string) []Problem {
	var ps []Problem
	add := func(warn bool, path, format string, args ...any) {
		ps = append(ps, Problem{Path: path, Message: fmt.Sprintf(format, args...), Warning: warn})
	}
	amount := func(path string, d decimal.Decimal, positive bool) {
		switch {
		case positive && d.Sign() <= 0:
			add(false, path, "must be positive")
		case d.Sign() < 0:
			add(false, path, "must not be negative")
		case d.Normalize().Scale > maxDecimals:
			add(false, path, "%s has more than %d decimals", d, maxDecimals)
		}
	}
	if c.Markup.IsZero() {
		add(false, "markup", "required: the multiplier of the cost, such as \"1.8\"")
	} else {
		amount("markup", c.Markup, true)
	}
	if c.Markup.Sign() > 0 && c.Markup.Cmp(decimal.FromInt(1)) < 0 {
		add(true, "markup", "%s is below 1: prices under cost are refused by the margin guard", c.Markup)
	}
	amount("fixed", c.Fixed, false)
	if c.Currency != "" && !money.KnownCurrency(c.Currency) {
		add(false, "currency", "unknown ISO 4217 currency %q", c.Currency)
	}
	covered := -1 // index of the tier taking every cost so far, if any
	for i, t := range c.Tiers {
		path := fmt.Sprintf("tiers[%d]", i)
		if t.UpTo != nil {
			amount(path+".up_to", *t.UpTo, true)
		}
		if t.Markup != nil {
			amount(path+".markup", *t.Markup, true)
		}
		if t.Fixed != nil {
			amount(path+".fixed", *t.Fixed, false)
		}
		if covered >= 0 {
			add(true, path, "never applies: tiers[%d] already takes every cost", covered)
			continue
		}
		if t.UpTo == nil {
			covered = i
			continue
		}
		for j := range i {
			if u := c.Tiers[j].UpTo; u != nil && t.UpTo.Cmp(*u) <= 0 {
				add(true, path+".up_to", "never applies: tiers[%d] (up_to %s) comes first and takes every cost up to %s", j, u, t.UpTo)
				break
			}
		}
	}
	for i, e := range c.Endings {
		if _, err := parseEnding(e); err != nil {
			add(false, fmt.Sprintf("endings[%d]", i), "%v", err)
		}
	}
	amount("min_margin.percent", c.MinMargin.Percent, false)
	amount("min_margin.amount", c.MinMargin.Amount, false)
	for i, name := range c.Channels {
		path := fmt.Sprintf("channels[%d]", i)
		switch {
		case !slices.Contains(channels, name):
			add(false, path, "unknown channel %q (configured: %s)", name, strings.Join(channels, ", "))
		case slices.Index(c.Channels, name) < i:
			add(false, path, "channel %q is listed twice", name)
		}
	}
	return ps
}

// band returns the markup and fixed amount that apply to cost.
func (c Config) band(cost decimal.Decimal) (markup, fixed decimal.Decimal) {
	markup, fixed = c.Markup, c.Fixed
	for _, t := range c.Tiers {
		if t.UpTo != nil && cost.Cmp(*t.UpTo) > 0 {
			continue
		}
		if t.Markup != nil {
			markup = *t.Markup
		}
		if t.Fixed != nil {
			fixed = *t.Fixed
		}
		break
	}
	return markup, fixed
}
