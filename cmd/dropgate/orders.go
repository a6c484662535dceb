package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dropgate/dropgate/core/margin"
	"github.com/dropgate/dropgate/core/model"
)

// runOrdersList is `dropgate orders list`.
func runOrdersList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var status, channel, supplier, since string
	var limit int
	_, af, c, help, err := adminCommand("orders list", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&status, "status", "", "only orders in this `status` ("+strings.Join(orderStatuses(), ", ")+")")
		fs.StringVar(&channel, "channel", "", "only orders from this `channel`")
		fs.StringVar(&supplier, "supplier", "", "only orders with a PO to this `supplier`")
		fs.StringVar(&since, "since", "", "only orders created since `DATE` (2006-01-02 or RFC 3339)")
		fs.IntVar(&limit, "limit", 50, "at most `N` orders (1-500)")
	}, func() error {
		if limit < 1 || limit > 500 {
			return userErrorf("--limit %d: want 1 to 500", limit)
		}
		return oneOf("status", status, orderStatuses())
	})
	if help || err != nil {
		return err
	}
	q := url.Values{}
	for k, v := range map[string]string{"status": status, "channel": channel, "supplier": supplier, "since": since} {
		if v != "" {
			q.Set(k, v)
		}
	}
	q.Set("limit", fmt.Sprint(limit))
	var res struct {
		Orders []struct {
			ID, Channel, Number, Total string
			Status                     string
			PlacedAt                   time.Time `json:"placed_at"`
			Suppliers, Holds           []string
		}
		Next string
	}
	return show(ctx, c, af, stdout, "GET", "/orders?"+q.Encode(), nil, &res, func() error {
		var rows [][]string
		for _, o := range res.Orders {
			rows = append(rows, []string{o.ID, o.Channel, dash(o.Number), o.Status, o.Total,
				dash(strings.Join(o.Suppliers, ",")), when(o.PlacedAt), strings.Join(o.Holds, "; ")})
		}
		if err := printTable(stdout, []string{"ORDER", "CHANNEL", "NUMBER", "STATUS", "TOTAL", "SUPPLIERS", "PLACED", "HOLD"}, rows); err != nil {
			return err
		}
		if res.Next != "" {
			fmt.Fprintf(stdout, "(more: --limit or the API's cursor %s)\n", res.Next)
		}
		return nil
	})
}

func orderStatuses() []string {
	out := make([]string, len(model.OrderStatuses))
	for i, s := range model.OrderStatuses {
		out[i] = string(s)
	}
	return out
}

// runOrdersShow is `dropgate orders show ID`.
func runOrdersShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, af, c, help, err := adminCommand("orders show", args, stderr, nil)
	if help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return userErrorf("usage: dropgate orders show ID")
	}
	var a model.Aggregate
	return show(ctx, c, af, stdout, "GET", "/orders/"+url.PathEscape(fs.Arg(0)), nil, &a, func() error {
		printOrder(stdout, &a)
		// The margin is a second request; a server without it (501) just
		// leaves the section out.
		var m margin.Report
		if _, err := call(ctx, c, "GET", "/orders/"+url.PathEscape(fs.Arg(0))+"/margin", &m); err == nil {
			printMargin(stdout, m)
		}
		return nil
	})
}

func runOrdersRelease(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, af, c, help, err := adminCommand("orders release", args, stderr, nil)
	if help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return userErrorf("usage: dropgate orders release ID")
	}
	var a model.Aggregate
	return show(ctx, c, af, stdout, "POST", "/orders/"+url.PathEscape(fs.Arg(0))+"/release", nil, &a, func() error {
		fmt.Fprintf(stdout, "order %s released: %s\n", a.Order.ID, a.Order.Status)
		return nil
	})
}

func runOrdersCancel(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var reason string
	fs, af, c, help, err := adminCommand("orders cancel", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&reason, "reason", "", "why, for the timeline and the channel")
	})
	if help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return userErrorf("usage: dropgate orders cancel ID [--reason TEXT]")
	}
	var a model.Aggregate
	body := map[string]string{"reason": reason}
	return show(ctx, c, af, stdout, "POST", "/orders/"+url.PathEscape(fs.Arg(0))+"/cancel", body, &a, func() error {
		fmt.Fprintf(stdout, "order %s cancelled: its suppliers are asked to cancel, then %s\n", a.Order.ID, a.Order.Channel)
		return nil
	})
}

// printOrder renders an order for a person: header, lines, POs,
// shipments, timeline.
func printOrder(w io.Writer, a *model.Aggregate) {
	o := &a.Order
	fmt.Fprintf(w, "Order %s  %s %s  %s\n", o.ID, o.Channel, o.ChannelOrderNumber, strings.ToUpper(string(o.Status)))
	fmt.Fprintf(w, "  placed %s, total %s, payment %s\n", when(o.PlacedAt), o.Totals.Total, firstNonEmptyStr(string(o.PaymentStatus), "-"))
	if ad := o.ShippingAddress; ad != nil {
		fmt.Fprintf(w, "  ship to %s, %s, %s %s %s %s\n", ad.Name, ad.Line1, ad.City, ad.Region, ad.PostalCode, ad.Country)
	}
	for _, h := range o.Holds {
		fmt.Fprintf(w, "  HOLD %s: %s\n", h.Code, h.Reason)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nLINE\tSKU\tQTY\tSTATE\tROUTED\tSENT\tACKED\tBACKORD\tSHIPPED\tCANCELLED")
	for _, l := range o.Lines {
		q := l.Qty
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", l.ID, l.SKU, l.Quantity, l.State, q.Routed, q.Sent, q.Acknowledged, q.Backordered, q.Shipped, q.Cancelled)
	}
	tw.Flush()
	for _, p := range a.POs {
		fmt.Fprintf(w, "\nPO %s → %s  %s", p.Number, p.Supplier, strings.ToUpper(string(p.Status)))
		if p.Document != "" {
			fmt.Fprintf(w, "  (%s)", p.Document)
		}
		fmt.Fprintln(w)
		for _, l := range p.Lines {
			fmt.Fprintf(w, "  %d. %d × %s (%s) @ %s", l.LineNo, l.Quantity, l.SKU, l.SupplierSKU, l.UnitCost)
			if l.Rejected > 0 {
				fmt.Fprintf(w, "  rejected %d: %s", l.Rejected, l.RejectReason)
			}
			if l.Shipped > 0 {
				fmt.Fprintf(w, "  shipped %d", l.Shipped)
			}
			fmt.Fprintln(w)
		}
	}
	for _, s := range a.Shipments {
		fmt.Fprintf(w, "\nShipment %s from %s (%s) via %s, tracking %s", s.ID, s.Supplier, s.PONumber, firstNonEmptyStr(s.Carrier, "-"), strings.Join(s.TrackingNumbers(), ", "))
		if s.ChannelFulfillmentID != "" {
			fmt.Fprintf(w, ", %s fulfillment %s", o.Channel, s.ChannelFulfillmentID)
		}
		fmt.Fprintln(w)
	}
	for _, r := range a.Returns {
		fmt.Fprintf(w, "\nReturn %s to %s (%s) %s, RMA %s: %s; refund %s, supplier credit %s\n", r.ID, r.Supplier, r.PONumber,
			strings.ToUpper(string(r.Status)), dash(r.RMA), returnLines(r.Lines), r.Refund, r.Credit)
	}
	fmt.Fprintln(w, "\nTimeline")
	for _, e := range a.Timeline {
		fmt.Fprintf(w, "  %s  %-24s %s  [%s %s]\n", when(e.At), e.Event, e.Message, e.Cause.Kind, e.Cause.Ref)
	}
}
