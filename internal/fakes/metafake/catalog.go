package metafake

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// CatalogID is the product catalog of the fake's commerce account.
const CatalogID = "555000111222"

// catalogItem is a product of the catalog, by retailer id.
type catalogItem struct {
	Quantity     int64
	Availability string
	Price        string // "12.34 USD"
	SalePrice    string
}

// CatalogWrite is one UPDATE applied.
type CatalogWrite struct {
	RetailerID string
	Quantity   *int64
	Price      string
}

var priceRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+)? [A-Z]{3}$`)

// AddCatalogItem puts a product in the catalog (quantity 0, no price).
func (f *Fake) AddCatalogItem(retailerID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.catalog == nil {
		f.catalog = map[string]*catalogItem{}
	}
	f.catalog[retailerID] = &catalogItem{Availability: "out of stock"}
}

// Quantity is a product's quantity_to_sell_on_facebook.
func (f *Fake) Quantity(retailerID string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if it := f.catalog[retailerID]; it != nil {
		return it.Quantity
	}
	return -1
}

// Price is a product's price in minor units of a two-decimal currency
// (-1 when unset or not such a price).
func (f *Fake) Price(retailerID string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	it := f.catalog[retailerID]
	if it == nil {
		return -1
	}
	return cents(it.Price)
}

func cents(p string) int64 {
	amount, _, ok := strings.Cut(p, " ")
	whole, frac, _ := strings.Cut(amount, ".")
	if !ok || len(frac) > 2 {
		return -1
	}
	for len(frac) < 2 {
		frac += "0"
	}
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return -1
	}
	return v
}

// QuantityChanges counts the writes that changed a product's quantity.
func (f *Fake) QuantityChanges(retailerID string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, last, seen := 0, int64(0), false
	for _, w := range f.catalogWrites {
		if w.RetailerID == retailerID && w.Quantity != nil && (!seen || *w.Quantity != last) {
			n++
			last, seen = *w.Quantity, true
		}
	}
	return n
}

// PriceChanges counts the writes that changed a product's price.
func (f *Fake) PriceChanges(retailerID string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, last := 0, ""
	for _, w := range f.catalogWrites {
		if w.RetailerID == retailerID && w.Price != "" && w.Price != last {
			n++
			last = w.Price
		}
	}
	return n
}

// itemsBatch answers POST /{catalog_id}/items_batch: item_type
// PRODUCT_ITEM, requests of method UPDATE keyed by data.id (the retailer
// id). Each request is validated now (validation_status names the
// refused ones) and, unlike Meta, which applies a batch asynchronously
// behind its handle, applied at once.
func (f *Fake) itemsBatch(r *http.Request) *kit.Response {
	if r.PathValue("id") != CatalogID {
		return noObject(r.PathValue("id"))
	}
	var b struct {
		ItemType string `json:"item_type"`
		Requests []struct {
			Method string         `json:"method"`
			Data   map[string]any `json:"data"`
		} `json:"requests"`
	}
	if !readJSON(r, &b) || b.ItemType != "PRODUCT_ITEM" || len(b.Requests) == 0 || len(b.Requests) > 5000 {
		return fail(http.StatusBadRequest, 100, "(#100) item_type must be PRODUCT_ITEM and requests 1 to 5000 entries")
	}
	var status []map[string]any
	refuse := func(id, msg string) {
		status = append(status, map[string]any{"retailer_id": id, "errors": []map[string]string{{"message": msg}}})
	}
	for _, q := range b.Requests {
		id, _ := q.Data["id"].(string)
		it := f.catalog[id]
		switch {
		case q.Method != "UPDATE":
			refuse(id, "the fake supports UPDATE only")
			continue
		case it == nil:
			refuse(id, "no product with this retailer id in the catalog")
			continue
		}
		w := CatalogWrite{RetailerID: id}
		if v, ok := q.Data["quantity_to_sell_on_facebook"]; ok {
			n, ok := v.(float64)
			if !ok || n < 0 || n != float64(int64(n)) {
				refuse(id, "quantity_to_sell_on_facebook must be a whole number")
				continue
			}
			q := int64(n)
			w.Quantity = &q
		}
		if v, ok := q.Data["price"]; ok {
			p, _ := v.(string)
			if !priceRE.MatchString(p) {
				refuse(id, `price must be "<amount> <ISO 4217 code>"`)
				continue
			}
			w.Price = p
		}
		if w.Quantity != nil {
			it.Quantity = *w.Quantity
		}
		if a, ok := q.Data["availability"].(string); ok {
			it.Availability = a
		}
		if w.Price != "" {
			it.Price = w.Price
		}
		if s, ok := q.Data["sale_price"].(string); ok {
			it.SalePrice = s
		}
		f.catalogWrites = append(f.catalogWrites, w)
	}
	f.seq++
	ans := map[string]any{"handles": []string{"handle-" + strconv.FormatInt(f.seq, 10)}}
	if status != nil {
		ans["validation_status"] = status
	}
	b2, _ := json.Marshal(ans)
	return kit.JSON(http.StatusOK, json.RawMessage(b2))
}
