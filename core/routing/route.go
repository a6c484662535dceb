package routing

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// Offer is one supplier's terms for one merchant SKU.
type Offer struct {
	Supplier    string      `json:"supplier"`
	SKU         string      `json:"sku"` // merchant SKU
	SupplierSKU string      `json:"supplier_sku"`
	Cost        money.Money `json:"cost"`
	Stock       int64       `json:"stock"`
	PackSize    int64       `json:"pack_size,omitempty"` // order quantities must be multiples
	MinQty      int64       `json:"min_qty,omitempty"`
	GTIN        string      `json:"gtin,omitempty"`
	Title       string      `json:"title,omitempty"`
}

// Catalog answers which suppliers carry a merchant SKU.
type Catalog interface {
	Offers(sku string) []Offer
}

// Line is one order line to route.
type Line struct {
	ID   string
	SKU  string
	Qty  int64
	Tags []string
}

// Request is an order (or its re-routable remainder) to route.
type Request struct {
	Order *model.Order
	Lines []Line
	// Exclude lists, per line id, suppliers that must not get it again
	// (they rejected it, or missed their SLA).
	Exclude map[string][]string
}

// Candidate is one offer considered for a line, with the verdict.
type Candidate struct {
	Offer    Offer       `json:"offer"`
	Eligible bool        `json:"eligible"`
	Reason   string      `json:"reason,omitempty"` // why it was filtered out
	Landed   money.Money `json:"landed_cost"`      // cost × qty + fees
	Priority int         `json:"priority"`
}

// LineResult is the decision for one line.
type LineResult struct {
	LineID     string      `json:"line_id"`
	SKU        string      `json:"sku"`
	Qty        int64       `json:"quantity"`
	Candidates []Candidate `json:"candidates"`
	Winner     *Offer      `json:"winner,omitempty"`
	Why        string      `json:"why"` // why the winner won, or why nobody did
}

// Result is the routing of a whole request.
type Result struct {
	Strategy string       `json:"strategy"`
	Lines    []LineResult `json:"lines"`
}

// Unroutable returns the lines nobody can take.
func (r Result) Unroutable() []LineResult {
	var out []LineResult
	for _, l := range r.Lines {
		if l.Winner == nil {
			out = append(out, l)
		}
	}
	return out
}

// Router routes with a config, the suppliers' profiles and a catalog.
type Router struct {
	Config    Config
	Suppliers map[string]SupplierProfile
	Catalog   Catalog
}

// Route decides a supplier for every line. It has no side effects, so it
// also serves `dropgate route --explain`.
func (r *Router) Route(req Request) Result {
	res := Result{Strategy: r.Config.Strategy}
	if res.Strategy == "" {
		res.Strategy = StrategyCheapest
	}
	for _, l := range req.Lines {
		res.Lines = append(res.Lines, r.routeLine(req, l, res.Strategy))
	}
	return res
}

func (r *Router) routeLine(req Request, l Line, strategy string) LineResult {
	lr := LineResult{LineID: l.ID, SKU: l.SKU, Qty: l.Qty}
	if l.SKU == "" {
		lr.Why = "the line has no SKU, so no supplier can be matched"
		return lr
	}
	offers := r.Catalog.Offers(l.SKU)
	if len(offers) == 0 {
		lr.Why = fmt.Sprintf("SKU %s is carried by no supplier", l.SKU)
		return lr
	}
	for _, o := range offers {
		lr.Candidates = append(lr.Candidates, r.judge(req, l, o))
	}
	var eligible []Candidate
	for _, c := range lr.Candidates {
		if c.Eligible {
			eligible = append(eligible, c)
		}
	}
	if len(eligible) == 0 {
		reasons := make([]string, 0, len(lr.Candidates))
		for _, c := range lr.Candidates {
			reasons = append(reasons, c.Offer.Supplier+": "+c.Reason)
		}
		lr.Why = fmt.Sprintf("no eligible supplier for SKU %s (%s)", l.SKU, strings.Join(reasons, "; "))
		return lr
	}
	slices.SortStableFunc(eligible, func(a, b Candidate) int { return compare(strategy, a, b) })
	w := eligible[0].Offer
	lr.Winner = &w
	lr.Why = explainWin(strategy, eligible)
	return lr
}

// judge applies the filters to one offer.
func (r *Router) judge(req Request, l Line, o Offer) Candidate {
	p, known := r.Suppliers[o.Supplier]
	c := Candidate{Offer: o, Priority: effectivePriority(p.Priority)}
	c.Landed = landed(o, l.Qty, p)
	switch {
	case !known:
		c.Reason = "supplier is not configured"
	case slices.Contains(req.Exclude[l.ID], o.Supplier):
		c.Reason = "excluded for this line (rejected it or missed its SLA)"
	case !shipsTo(p, req.Order):
		c.Reason = fmt.Sprintf("does not ship to %s", country(req.Order))
	case o.PackSize > 1 && l.Qty%o.PackSize != 0:
		c.Reason = fmt.Sprintf("quantity %d is not a multiple of pack size %d", l.Qty, o.PackSize)
	case o.MinQty > 0 && l.Qty < o.MinQty:
		c.Reason = fmt.Sprintf("quantity %d is below the minimum order quantity %d", l.Qty, o.MinQty)
	case r.Config.UsesStock() && o.Stock-r.Config.SafetyBuffer < l.Qty:
		c.Reason = fmt.Sprintf("stock %d (minus safety buffer %d) is below quantity %d", o.Stock, r.Config.SafetyBuffer, l.Qty)
	default:
		c.Eligible = true
	}
	return c
}

func effectivePriority(p int) int {
	if p == 0 {
		return 100
	}
	return p
}

// landed is cost × qty plus the supplier's per-PO fees, in the supplier's
// currency. Fees that cannot be expressed in it are left out rather than
// guessed.
func landed(o Offer, qty int64, p SupplierProfile) money.Money {
	total, err := o.Cost.Mul(qty)
	if err != nil {
		return o.Cost
	}
	for _, fee := range []decimal.Decimal{p.Fees.Dropship, p.Fees.ShippingEstimate} {
		if fee.IsZero() || total.Currency == "" {
			continue
		}
		m, err := money.FromDecimalIn(fee, total.Currency)
		if err != nil {
			continue
		}
		if sum, err := total.Add(m); err == nil {
			total = sum
		}
	}
	return total
}

func shipsTo(p SupplierProfile, o *model.Order) bool {
	if len(p.ShipTo) == 0 {
		return true
	}
	c := country(o)
	for _, cc := range p.ShipTo {
		if strings.EqualFold(cc, c) {
			return true
		}
	}
	return false
}

func country(o *model.Order) string {
	if o == nil || o.ShippingAddress == nil {
		return ""
	}
	return o.ShippingAddress.Country
}

// compare orders eligible candidates: best first.
func compare(strategy string, a, b Candidate) int {
	byCost := func() int {
		if a.Landed.Currency == b.Landed.Currency {
			switch {
			case a.Landed.Amount < b.Landed.Amount:
				return -1
			case a.Landed.Amount > b.Landed.Amount:
				return 1
			}
		}
		return 0
	}
	byPriority := func() int { return a.Priority - b.Priority }
	var order []func() int
	if strategy == StrategyPriority {
		order = []func() int{byPriority, byCost}
	} else {
		order = []func() int{byCost, byPriority}
	}
	for _, f := range order {
		if c := f(); c != 0 {
			return c
		}
	}
	return strings.Compare(a.Offer.Supplier, b.Offer.Supplier)
}

func explainWin(strategy string, eligible []Candidate) string {
	w := eligible[0]
	if len(eligible) == 1 {
		return fmt.Sprintf("%s is the only eligible supplier", w.Offer.Supplier)
	}
	r := eligible[1]
	if strategy == StrategyPriority {
		return fmt.Sprintf("%s has priority %d (next: %s with %d)", w.Offer.Supplier, w.Priority, r.Offer.Supplier, r.Priority)
	}
	return fmt.Sprintf("%s has the lowest landed cost %s (next: %s at %s)", w.Offer.Supplier, w.Landed, r.Offer.Supplier, r.Landed)
}
