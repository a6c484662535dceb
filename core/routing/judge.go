package routing

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/money"
)

// cand is one offer for one line with everything the criteria compare.
type cand struct {
	offer    Offer
	items    money.Money // cost × the line's quantity
	fees     money.Money // the supplier's per-PO fees, in the offer's currency
	priority int
	score    int
	avail    int64 // units it may take: stock minus safety buffer
	eligible bool
	reason   string
	// qtyOnly marks an offer filtered only by quantity (pack size,
	// minimum, stock): a part of the line may still fit it.
	qtyOnly bool
}

// lineState is one request line being routed; read-only once prepared, so
// several plans can be drawn from the same lines.
type lineState struct {
	line    Line
	rule    *rule
	skipped []string
	cands   []cand
	elig    []int  // indices of eligible cands, catalog order
	why     string // set when the line cannot be routed before any plan
	// costOK is false when the eligible offers are priced in different
	// currencies: routing has no exchange rates, so cheapest then has no
	// say for this line rather than comparing 10 EUR with 10 USD.
	costOK bool
}

func (ls *lineState) fewest() bool { return slices.Contains(ls.rule.prefer, StrategyFewestShipments) }

// prepare matches rules and filters every line's offers.
func (r *Router) prepare(req Request, f orderFacts) []*lineState {
	out := make([]*lineState, 0, len(req.Lines))
	for _, l := range req.Lines {
		ls := &lineState{line: l}
		ls.rule, ls.skipped = r.ruleFor(l, f)
		out = append(out, ls)
		switch {
		case l.SKU == "":
			ls.why = "the line has no SKU, so no supplier can be matched"
			continue
		case l.Qty <= 0:
			ls.why = fmt.Sprintf("quantity %d is not positive", l.Qty)
			continue
		}
		var offers []Offer
		if r.Catalog != nil {
			offers = r.Catalog.Offers(l.SKU)
		}
		if len(offers) == 0 {
			ls.why = fmt.Sprintf("SKU %s is carried by no supplier", l.SKU)
			continue
		}
		ls.cands = make([]cand, 0, len(offers))
		currencies := map[string]bool{}
		for _, o := range offers {
			c := r.judge(req, f, l, ls.rule, o)
			if c.eligible {
				ls.elig = append(ls.elig, len(ls.cands))
				currencies[c.items.Currency] = true
			}
			ls.cands = append(ls.cands, c)
		}
		ls.costOK = len(currencies) <= 1
		if len(ls.elig) == 0 {
			ls.why = ls.noneEligible()
		}
	}
	return out
}

// noneEligible says why every offer was filtered out.
func (ls *lineState) noneEligible() string {
	reasons := make([]string, 0, len(ls.cands))
	for _, c := range ls.cands {
		reasons = append(reasons, c.offer.Supplier+": "+c.reason)
	}
	return ls.prefix() + fmt.Sprintf("no eligible supplier for SKU %s (%s)", ls.line.SKU, strings.Join(reasons, "; "))
}

// prefix names the rule in a line's explanation, except the default one,
// so a config without rules explains itself as it always did.
func (ls *lineState) prefix() string {
	if ls.rule == nil || ls.rule.name == DefaultRule {
		return ""
	}
	return "rule " + ls.rule.name + ": "
}

// judge applies the filters to one offer, in a fixed order so the reason
// given is the most fundamental one.
func (r *Router) judge(req Request, f orderFacts, l Line, ru *rule, o Offer) cand {
	p, known := r.Suppliers[o.Supplier]
	c := cand{offer: o, priority: effectivePriority(p.Priority), score: scoreOf(f, o.Supplier, p), avail: math.MaxInt64}
	items, err := o.Cost.Mul(l.Qty)
	c.items, c.fees = items, fees(p, o.Cost.Currency)
	buffer := p.Buffer(r.Config.SafetyBuffer)
	if r.Config.UsesStock() {
		c.avail = max(0, o.Stock-buffer)
	}
	switch {
	case !known:
		c.reason = "supplier is not configured"
	case err != nil:
		c.reason = fmt.Sprintf("cost × quantity overflows: %v", err)
	case slices.Contains(req.Exclude[l.ID], o.Supplier):
		c.reason = "excluded for this line (rejected it or missed its SLA)"
	case ru.only != nil && !slices.Contains(ru.only, o.Supplier):
		c.reason = fmt.Sprintf("not among rule %s's suppliers (%s)", ru.name, strings.Join(ru.only, ", "))
	case !shipsTo(p, f.country) && f.country == "":
		c.reason = "the order has no ship-to country and it ships only to " + strings.Join(p.ShipTo, ", ")
	case !shipsTo(p, f.country):
		c.reason = fmt.Sprintf("does not ship to %s", f.country)
	default:
		c.reason = r.fits(o, l.Qty, buffer)
		c.eligible = c.reason == ""
		c.qtyOnly = !c.eligible
	}
	return c
}

// fits checks a quantity against an offer's pack size, minimum and stock;
// it returns why not, or "".
func (r *Router) fits(o Offer, qty, buffer int64) string {
	switch {
	case o.PackSize > 1 && qty%o.PackSize != 0:
		return fmt.Sprintf("quantity %d is not a multiple of pack size %d", qty, o.PackSize)
	case o.MinQty > 0 && qty < o.MinQty:
		return fmt.Sprintf("quantity %d is below the minimum order quantity %d", qty, o.MinQty)
	case r.Config.UsesStock() && o.Stock-buffer < qty:
		return fmt.Sprintf("stock %d (minus safety buffer %d) is below quantity %d", o.Stock, buffer, qty)
	}
	return ""
}

func effectivePriority(p int) int {
	if p == 0 {
		return 100
	}
	return p
}

// fees returns a supplier's per-PO fees in currency. A fee that cannot be
// expressed in it (more decimals than the currency has) is left out
// rather than guessed; SupplierProfile.Check reports it at load time.
func fees(p SupplierProfile, currency string) money.Money {
	total := money.Money{Currency: currency}
	if currency == "" {
		return total
	}
	for _, fee := range []decimal.Decimal{p.Fees.Dropship, p.Fees.ShippingEstimate} {
		if fee.IsZero() {
			continue
		}
		m, err := money.FromDecimalIn(fee, currency)
		if err != nil {
			continue
		}
		if sum, err := total.Add(m); err == nil {
			total = sum
		}
	}
	return total
}

func shipsTo(p SupplierProfile, country string) bool {
	if len(p.ShipTo) == 0 {
		return true
	}
	return slices.ContainsFunc(p.ShipTo, func(cc string) bool { return strings.EqualFold(cc, country) })
}
