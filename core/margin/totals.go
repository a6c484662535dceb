package margin

import (
	"sort"
)

// Row is the margin of a group of orders (a supplier's, a channel's) in
// one currency: amounts are never converted, so a group selling in two
// currencies has two rows.
type Row struct {
	Group string `json:"group"`
	// Orders counts the orders with an amount in this row.
	Orders int `json:"orders"`
	Line
}

// Totals adds up order reports by supplier and by channel. It holds one
// row per (group, currency), never the orders: its memory is bounded by
// the number of suppliers, channels and currencies.
type Totals struct {
	Orders     int
	bySupplier map[[2]string]*Row
	byChannel  map[[2]string]*Row
}

// NewTotals returns empty totals.
func NewTotals() *Totals {
	return &Totals{bySupplier: map[[2]string]*Row{}, byChannel: map[[2]string]*Row{}}
}

// Add counts one order's report, from channel.
func (t *Totals) Add(channel string, r Report) error {
	t.Orders++
	var s sum
	for _, l := range r.Currencies {
		addRow(&s, t.byChannel, channel, l)
	}
	for _, sh := range r.Suppliers {
		addRow(&s, t.bySupplier, sh.Supplier, sh.Line)
	}
	return s.err
}

func addRow(s *sum, rows map[[2]string]*Row, group string, l Line) {
	k := [2]string{group, l.Currency}
	row, ok := rows[k]
	if !ok {
		row = &Row{Group: group, Line: *lines{}.line(l.Currency)}
		rows[k] = row
	}
	row.Orders++
	s.add(&row.Revenue, l.Revenue)
	s.add(&row.Refunds, l.Refunds)
	s.add(&row.Shipping, l.Shipping)
	s.add(&row.SupplierCost, l.SupplierCost)
	s.add(&row.SupplierFees, l.SupplierFees)
	s.add(&row.ShippingCost, l.ShippingCost)
	s.add(&row.PaymentFees, l.PaymentFees)
}

// BySupplier are the rows by supplier, sorted by supplier then currency.
func (t *Totals) BySupplier() ([]Row, error) { return settled(t.bySupplier) }

// ByChannel are the rows by channel, sorted by channel then currency.
func (t *Totals) ByChannel() ([]Row, error) { return settled(t.byChannel) }

func settled(rows map[[2]string]*Row) ([]Row, error) {
	out := make([]Row, 0, len(rows))
	for _, r := range rows {
		if err := r.settle(); err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		return out[i].Currency < out[j].Currency
	})
	return out, nil
}
