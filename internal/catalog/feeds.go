package catalog

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sort"
	"time"

	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/feed"
)

// FeedInfo is what the catalog holds of a supplier's feed.
type FeedInfo struct {
	SnapshotID string
	// Version is the store version of the feed's state record this
	// reflects: SyncFeed reloads when the record moves on.
	Version int64
	// AsOf is when the data was current; with Freshness > 0, data older
	// than Freshness counts as no stock.
	AsOf      time.Time
	Freshness time.Duration
	Offers    int
}

// Stale reports whether the feed's data is too old to trust at now.
func (f FeedInfo) Stale(now time.Time) bool {
	return f.Freshness > 0 && now.Sub(f.AsOf) > f.Freshness
}

// feedLayer is a supplier's applied feed snapshot with an index by
// merchant SKU: 4 bytes an offer on top of the snapshot itself.
type feedLayer struct {
	supplier string
	info     FeedInfo
	snap     *feed.Snapshot
	bySKU    []uint32          // snapshot indices sorted by merchant SKU
	mapped   map[uint32][]byte // merchant SKU of rows without one, from the file
	stock    map[string]int64  // stock reports (846) since the snapshot
}

// index (re)builds the merchant SKU index; rows without a merchant SKU
// take the file's mapping, and rows with neither are left out.
func (l *feedLayer) index(base map[string]routing.Offer) {
	l.mapBase(base)
	l.sortSKUs()
}

// mapBase records the file's merchant SKU of the rows without one.
func (l *feedLayer) mapBase(base map[string]routing.Offer) {
	l.mapped = map[uint32][]byte{}
	for i := range l.snap.Len() {
		if len(l.snap.MerchantSKU(i)) > 0 {
			continue
		}
		if o, ok := base[string(l.snap.SupplierSKU(i))]; ok && o.SKU != "" {
			l.mapped[uint32(i)] = []byte(o.SKU)
		}
	}
}

// sortSKUs sorts the rows that have a merchant SKU by it.
func (l *feedLayer) sortSKUs() {
	l.bySKU = make([]uint32, 0, l.snap.Len())
	for i := range l.snap.Len() {
		if len(l.key(uint32(i))) > 0 {
			l.bySKU = append(l.bySKU, uint32(i))
		}
	}
	slices.SortFunc(l.bySKU, func(a, b uint32) int { return bytes.Compare(l.key(a), l.key(b)) })
}

func (l *feedLayer) key(i uint32) []byte {
	if b := l.snap.MerchantSKU(int(i)); len(b) > 0 {
		return b
	}
	return l.mapped[i]
}

// feedSKUsLocked adds the merchant SKUs only feeds offer to skus (sorted)
// and returns them sorted; c.mu must be held.
func (c *Catalog) feedSKUsLocked(skus []string) []string {
	n := len(skus)
	for _, l := range c.feeds {
		var last []byte
		for _, i := range l.bySKU {
			k := l.key(i)
			if bytes.Equal(k, last) {
				continue
			}
			last = k
			if _, ok := c.bySKU[string(k)]; !ok {
				skus = append(skus, string(k))
			}
		}
	}
	if len(skus) == n {
		return skus
	}
	slices.Sort(skus)
	return slices.Compact(skus)
}

// eachSKU calls fn with the snapshot index of every row offering sku.
func (l *feedLayer) eachSKU(sku string, fn func(i int)) {
	at := sort.Search(len(l.bySKU), func(k int) bool { return string(l.key(l.bySKU[k])) >= sku })
	for ; at < len(l.bySKU) && string(l.key(l.bySKU[at])) == sku; at++ {
		fn(int(l.bySKU[at]))
	}
}

// offer merges row i with the file's offer for the same supplier SKU:
// the feed's figures win, the file fills the rest (pack size, minimum
// quantity, and whatever the feed does not carry). A row with no merchant
// SKU or no known cost cannot be routed and is left out.
func (l *feedLayer) offer(i int, base map[string]routing.Offer, now time.Time) (routing.Offer, bool) {
	r := l.snap.At(i)
	o, ok := base[r.SupplierSKU]
	if !ok {
		o = routing.Offer{SupplierSKU: r.SupplierSKU}
	}
	o.Supplier = l.supplier
	if sku := l.key(uint32(i)); len(sku) > 0 {
		o.SKU = string(sku)
	}
	if r.HasStock {
		o.Stock = r.Stock
	}
	if n, ok := l.stock[r.SupplierSKU]; ok {
		o.Stock = n
	}
	if r.HasCost {
		o.Cost = money.Money{Amount: r.Cost, Currency: l.snap.Currency}
	}
	if r.HasMAP {
		o.MAP = &money.Money{Amount: r.MAP, Currency: l.snap.Currency}
	}
	if r.HasMSRP {
		o.MSRP = &money.Money{Amount: r.MSRP, Currency: l.snap.Currency}
	}
	if r.GTIN != "" {
		o.GTIN = r.GTIN
	}
	if r.Title != "" {
		o.Title = r.Title
	}
	if o.SKU == "" || o.Cost.Currency == "" {
		return routing.Offer{}, false
	}
	l.age(&o, now)
	return o, true
}

// missing is a file offer the feed no longer lists: no stock.
func (l *feedLayer) missing(o routing.Offer, now time.Time) routing.Offer {
	o.Stock = 0
	l.age(&o, now)
	return o
}

// age zeroes the stock of a stale feed's offer and marks it, so routing
// skips it and the channel sync shows none.
func (l *feedLayer) age(o *routing.Offer, now time.Time) {
	if l.info.Stale(now) {
		o.Stock, o.Stale = 0, true
	}
}

// SetFeed lays a supplier's applied feed snapshot over its file offers.
// The index is built outside the lock (a million offers take a moment),
// so routing goes on with the previous snapshot meanwhile.
func (c *Catalog) SetFeed(supplier string, snap *feed.Snapshot, info FeedInfo) {
	info.SnapshotID, info.Offers = snap.ID, snap.Len()
	l := &feedLayer{supplier: supplier, info: info, snap: snap, stock: map[string]int64{}}
	c.mu.RLock()
	gen := c.gen
	l.mapBase(c.bySupplier[supplier])
	c.mu.RUnlock()
	l.sortSKUs()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen { // a catalog file was reloaded meanwhile
		l.index(c.bySupplier[supplier])
	}
	if _, ok := c.feeds[supplier]; !ok {
		c.feedOrder = append(c.feedOrder, supplier)
		sort.Strings(c.feedOrder)
	}
	c.feeds[supplier] = l
}

// SetFeedAsOf updates the freshness of a supplier's feed (a check found
// it unchanged) and the state version it reflects.
func (c *Catalog) SetFeedAsOf(supplier string, asOf time.Time, freshness time.Duration, version int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l := c.feeds[supplier]; l != nil {
		l.info.AsOf, l.info.Freshness, l.info.Version = asOf, freshness, version
	}
}

// Feed returns what the catalog holds of a supplier's feed.
func (c *Catalog) Feed(supplier string) (FeedInfo, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if l := c.feeds[supplier]; l != nil {
		return l.info, true
	}
	return FeedInfo{}, false
}

// FeedSnapshot returns a supplier's applied snapshot, nil without one.
func (c *Catalog) FeedSnapshot(supplier string) *feed.Snapshot {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if l := c.feeds[supplier]; l != nil {
		return l.snap
	}
	return nil
}

// Stale reports whether a supplier's feed data is too old to trust.
func (c *Catalog) Stale(supplier string) bool {
	info, ok := c.Feed(supplier)
	return ok && info.Stale(c.clock.Now())
}

// Mapped tells a feed import whether the supplier's catalog file maps a
// supplier SKU to a merchant SKU.
func (c *Catalog) Mapped(supplier string) func(supplierSKU []byte) bool {
	return func(ssku []byte) bool {
		c.mu.RLock()
		defer c.mu.RUnlock()
		o, ok := c.bySupplier[supplier][string(ssku)]
		return ok && o.SKU != ""
	}
}

// SyncFeed brings a supplier's feed layer up to date with the store. It
// costs one small record read when nothing changed; a new applied
// snapshot is loaded (chunk by chunk) and swapped in, a new freshness
// time just updated. It reports whether anything changed.
func (c *Catalog) SyncFeed(ctx context.Context, st feed.Reader, supplier string, freshness time.Duration) (bool, error) {
	rec, err := st.GetRecord(ctx, feed.RecState, supplier)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	info, have := c.Feed(supplier)
	if have && info.Version == rec.Version && info.Freshness == freshness {
		return false, nil
	}
	state, version, err := feed.LoadState(ctx, st, supplier)
	if err != nil || state.Applied == nil {
		return false, err
	}
	if have && info.SnapshotID == state.Applied.ID {
		c.SetFeedAsOf(supplier, state.AsOf, freshness, version)
		return true, nil
	}
	snap, err := feed.ReadSnapshot(ctx, st, supplier, state.Applied)
	if err != nil {
		return false, err
	}
	c.SetFeed(supplier, snap, FeedInfo{Version: version, AsOf: state.AsOf, Freshness: freshness})
	return true, nil
}
