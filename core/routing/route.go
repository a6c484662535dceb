package routing

import (
	"sync"

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
	// MAP and MSRP are the supplier's minimum advertised and suggested
	// retail prices, in the cost's currency; nil when the supplier gives
	// none. Channel pricing (core/pricing) uses them as floor and ceiling.
	MAP  *money.Money `json:"map,omitempty"`
	MSRP *money.Money `json:"msrp,omitempty"`
	// Stale is set by the feed import when the offer's feed is older than
	// its freshness: its stock is not to be trusted, and channel inventory
	// counts it as zero.
	Stale bool `json:"stale,omitempty"`
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
	Tags []string // product tags, for rules' `tag` filter
}

// Request is an order (or its re-routable remainder) to route.
type Request struct {
	Order *model.Order
	Lines []Line
	// Exclude lists, per line id, suppliers that must not get it again
	// (they rejected it, or missed their SLA).
	Exclude map[string][]string
}

// Candidate is one offer considered for a line, with the verdict and the
// figures the criteria compared.
type Candidate struct {
	Offer    Offer  `json:"offer"`
	Eligible bool   `json:"eligible"`
	Reason   string `json:"reason,omitempty"` // why it was filtered out
	// Items is cost × quantity; Fees the supplier's whole per-PO fees.
	Items money.Money `json:"item_cost"`
	Fees  money.Money `json:"fees"`
	// FeeShare is the part of Fees this line bears: the winner's exact
	// allocation, or for the others what it would bear by joining that
	// supplier's purchase order (rounded up to the minor unit).
	FeeShare money.Money `json:"fee_share"`
	Landed   money.Money `json:"landed_cost"` // Items + FeeShare
	// SharedWith counts the other lines of the order on that supplier's
	// purchase order, among which Fees are shared.
	SharedWith int `json:"shared_with"`
	Priority   int `json:"priority"`
	Score      int `json:"score"`
}

// LineResult is the decision for one line (or one part of a split line).
type LineResult struct {
	LineID string `json:"line_id"`
	SKU    string `json:"sku"`
	Qty    int64  `json:"quantity"`
	// Part is "k/n" when allow_line_split spread the line over n
	// suppliers: each part is its own LineResult with the same LineID,
	// consecutive, and only the first carries the candidates.
	Part string `json:"part,omitempty"`
	// Rule is the rule that decided the line (DefaultRule for
	// routing.strategy); Prefer its criteria, including the implicit
	// tie-breakers; Skipped the earlier rules that did not match, and why.
	Rule       string      `json:"rule"`
	Prefer     []string    `json:"prefer"`
	Skipped    []string    `json:"rules_skipped,omitempty"`
	Candidates []Candidate `json:"candidates"`
	Winner     *Offer      `json:"winner,omitempty"`
	Why        string      `json:"why"` // why the winner won, or why nobody did
}

// Shipment is one supplier's share of the order: the purchase order the
// engine will draft.
type Shipment struct {
	Supplier string      `json:"supplier"`
	Lines    []string    `json:"lines"` // line ids; a part of a split line as "id (k/n)"
	Items    money.Money `json:"item_cost"`
	Fees     money.Money `json:"fees"`
	Landed   money.Money `json:"landed_cost"`
}

// Result is the routing of a whole request.
type Result struct {
	OrderID    string       `json:"order_id,omitempty"`
	ShipTo     string       `json:"ship_to,omitempty"`
	OrderValue *money.Money `json:"order_value,omitempty"`
	Strategy   string       `json:"strategy"` // the default rule's
	AllowSplit bool         `json:"allow_split"`
	// Lines follow the request's order. Candidates are ranked: the
	// winner, the other eligible offers best first, then the filtered
	// ones in catalog order.
	Lines     []LineResult `json:"lines"`
	Shipments []Shipment   `json:"shipments"`
	// Totals is the landed cost of the routed lines, one per currency.
	Totals []money.Money `json:"totals,omitempty"`
	// Notes are order-level remarks: trade-offs fewest_shipments made,
	// rules that could not be used.
	Notes []string `json:"notes,omitempty"`
	// Search says whether the plan is the exact cheapest one or the
	// heuristic's, and why.
	Search *Search `json:"search,omitempty"`
	// Scores says, per candidate supplier, where its score came from
	// (measured or prior); set when routing.score is configured.
	Scores map[string]ScoreBasis `json:"scores,omitempty"`
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

// Router routes with a config, the suppliers' profiles and a catalog. It
// is safe for concurrent use; Config must not change after the first
// Route, which compiles the rules.
type Router struct {
	Config    Config
	Suppliers map[string]SupplierProfile
	Catalog   Catalog
	// Scores serves measured supplier scores (routing.score); nil: every
	// supplier keeps its configured score.
	Scores Scores

	once  sync.Once
	rules []*rule  // Config.Rules compiled, then the default rule
	notes []string // rules that cannot work (an unchecked config)
	// nodeBudget replaces exactNodeBudget when positive (tests).
	nodeBudget int
}

// Route decides a supplier for every line. It has no side effects, so it
// also serves `dropgate route --explain`.
func (r *Router) Route(req Request) Result {
	r.once.Do(r.compile)
	facts := factsOf(req.Order)
	facts.scores = r.scoreSnapshot()
	res := Result{
		ShipTo:     facts.country,
		Strategy:   r.defaultStrategy(),
		AllowSplit: r.Config.Split(),
		Notes:      append([]string(nil), r.notes...),
	}
	if req.Order != nil {
		res.OrderID = req.Order.ID
	}
	if facts.hasValue {
		v := facts.value
		res.OrderValue = &v
	}
	lines := r.prepare(req, facts)
	var p *plan
	if !r.Config.Split() && len(lines) > 1 {
		p = r.single(lines)
	} else {
		p = r.plan(lines, false)
		r.tradeOff(p)
	}
	out := p.result(res)
	out.Scores = scoreBases(out, facts.scores)
	return out
}

func (r *Router) defaultStrategy() string {
	if r.Config.Strategy == "" {
		return StrategyCheapest
	}
	return r.Config.Strategy
}

// OrderRequest is the request for a dry run of a whole order (`dropgate
// route --explain`, POST /api/v1/route/explain): every line with units
// left after the channel's cancellations that needs shipping.
func OrderRequest(o *model.Order) Request {
	req := Request{Order: o}
	for _, l := range o.Lines {
		if q := l.Quantity - l.Cancelled; q > 0 && !l.NoShipping {
			req.Lines = append(req.Lines, Line{ID: l.ID, SKU: l.SKU, Qty: q, Tags: l.ProductTags})
		}
	}
	return req
}
