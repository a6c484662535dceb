package shopifyfake

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/dropgate/dropgate/core/money"
)

// NewProduct seeds a product and its variants.
type NewProduct struct {
	Title       string
	Vendor      string
	ProductType string
	Status      string // "active" (default), "draft" or "archived"
	Variants    []NewVariant
}

// NewVariant seeds a variant. Each variant gets its own inventory item.
type NewVariant struct {
	Title          string // default "Default Title", as Shopify names a lone variant
	SKU            string
	Barcode        string
	Grams          int
	Price          money.Money
	CompareAtPrice *money.Money
}

// AddProduct adds a product with its variants (at least one, with a
// price), assigning IDs and inventory item IDs.
func (s *Shop) AddProduct(np NewProduct) (Product, error) {
	if len(np.Variants) == 0 {
		return Product{}, errors.New("shopifyfake: add product: at least one variant is required")
	}
	for i, nv := range np.Variants {
		if _, ok := money.Exponent(nv.Price.Currency); !ok {
			return Product{}, fmt.Errorf("shopifyfake: add product: variant %d: price needs a currency", i)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.fake.now()
	p := &Product{
		ID: s.fake.nextID(), Title: np.Title, Vendor: np.Vendor, ProductType: np.ProductType,
		Handle: handleize(np.Title), Status: cmp.Or(np.Status, "active"), CreatedAt: now, UpdatedAt: now,
		optionID: s.fake.nextID(),
	}
	s.products[p.ID] = p
	for i, nv := range np.Variants {
		v := &Variant{
			ID: s.fake.nextID(), ProductID: p.ID, InventoryItemID: s.fake.nextID(),
			Title: cmp.Or(nv.Title, "Default Title"), SKU: nv.SKU, Barcode: nv.Barcode, Position: i + 1,
			Grams: nv.Grams, Price: nv.Price, CompareAtPrice: clonePtr(nv.CompareAtPrice),
			CreatedAt: now, UpdatedAt: now,
		}
		s.variants[v.ID] = v
		s.variantIDs[p.ID] = append(s.variantIDs[p.ID], v.ID)
		s.invItems[v.InventoryItemID] = v.ID
	}
	return s.productLocked(p), nil
}

func (s *Shop) productLocked(p *Product) Product {
	c := *p
	c.Variants = nil
	for _, id := range s.variantIDs[p.ID] {
		c.Variants = append(c.Variants, s.variants[id].clone())
	}
	return c
}

// Product returns a product with its variants.
func (s *Shop) Product(id uint64) (Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.products[id]
	if !ok {
		return Product{}, false
	}
	return s.productLocked(p), true
}

// Variant returns a variant.
func (s *Shop) Variant(id uint64) (Variant, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.variants[id]
	if !ok {
		return Variant{}, false
	}
	return v.clone(), true
}

// PriceHistory returns every variant update that carried price or
// compare_at_price, in order.
func (s *Shop) PriceHistory() []PriceChange {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]PriceChange, len(s.priceHistory))
	for i, pc := range s.priceHistory {
		out[i] = pc.clone()
	}
	return out
}

func (s *Shop) httpListProducts(q *apiRequest) *response {
	pr, resp := parsePage(q.query())
	if resp != nil {
		return resp
	}
	f := pr.filters
	ids, err := parseIDList(f.Get("ids"))
	if err != nil {
		return errField(http.StatusBadRequest, "ids", "Invalid value.")
	}
	sinceID, resp := parseSinceID(f)
	if resp != nil {
		return resp
	}
	updatedMin, resp := parseTimeFilter(f, "updated_at_min")
	if resp != nil {
		return resp
	}
	var statuses []string
	if st := f.Get("status"); st != "" {
		statuses = strings.Split(st, ",")
	}
	var match []*Product
	for _, p := range s.products {
		if (len(ids) > 0 && !slices.Contains(ids, p.ID)) || p.ID <= sinceID ||
			(len(statuses) > 0 && !slices.Contains(statuses, p.Status)) ||
			(f.Get("vendor") != "" && f.Get("vendor") != p.Vendor) ||
			(f.Get("product_type") != "" && f.Get("product_type") != p.ProductType) ||
			(updatedMin != nil && p.UpdatedAt.Before(*updatedMin)) {
			continue
		}
		match = append(match, p)
	}
	page, link := paginate(q, pr, match, func(p *Product) pageKey { return pageKey{p.ID} })
	out := make([]wireProduct, len(page))
	for i, p := range page {
		out[i] = s.renderProduct(p)
	}
	return listResponse("products", pr, out, link)
}

func (s *Shop) httpGetProduct(q *apiRequest) *response {
	p, found := s.products[q.ids[0]]
	if !found {
		return errNotFound()
	}
	return respOK(map[string]any{"product": selectFields(s.renderProduct(p), fieldsOf(q))})
}

func (s *Shop) httpListProductVariants(q *apiRequest) *response {
	p, found := s.products[q.ids[0]]
	if !found {
		return errNotFound()
	}
	out := []wireVariant{}
	for _, id := range s.variantIDs[p.ID] {
		out = append(out, s.renderVariant(s.variants[id]))
	}
	return respOK(map[string]any{"variants": selectFieldsAll(out, fieldsOf(q))})
}

func (s *Shop) httpGetVariant(q *apiRequest) *response {
	v, found := s.variants[q.ids[0]]
	if !found {
		return errNotFound()
	}
	return respOK(map[string]any{"variant": selectFields(s.renderVariant(v), fieldsOf(q))})
}

type variantBody struct {
	Price          json.RawMessage `json:"price"`
	CompareAtPrice json.RawMessage `json:"compare_at_price"`
}

// httpUpdateVariant applies price and compare_at_price; other attributes
// in the body are accepted and ignored. An absent key leaves the value
// alone, null (or "") clears compare_at_price.
func (s *Shop) httpUpdateVariant(q *apiRequest) *response {
	v, found := s.variants[q.ids[0]]
	if !found {
		return errNotFound()
	}
	var b variantBody
	if resp := decodeRoot(q.r, "variant", &b); resp != nil {
		return resp
	}
	price, compare := v.Price, clonePtr(v.CompareAtPrice)
	if b.Price != nil {
		p, resp := parsePrice("price", b.Price, v.Price.Currency)
		if resp != nil {
			return resp
		}
		if p == nil {
			return errFieldList(http.StatusUnprocessableEntity, "price", "can't be blank")
		}
		price = *p
	}
	if b.CompareAtPrice != nil {
		p, resp := parsePrice("compare_at_price", b.CompareAtPrice, v.Price.Currency)
		if resp != nil {
			return resp
		}
		compare = p
	}
	if b.Price != nil || b.CompareAtPrice != nil {
		now := s.fake.now()
		s.priceHistory = append(s.priceHistory, PriceChange{
			At: now, VariantID: v.ID, PreviousPrice: v.Price, Price: price,
			PreviousCompareAtPrice: clonePtr(v.CompareAtPrice), CompareAtPrice: clonePtr(compare),
		})
		v.Price, v.CompareAtPrice, v.UpdatedAt = price, compare, now
		s.products[v.ProductID].UpdatedAt = now
	}
	return respOK(map[string]any{"variant": s.renderVariant(v)})
}

// parsePrice reads a price sent as a JSON string ("19.99", Shopify's own
// form) or number (19.99). null or "" is nil. More decimals than the
// currency has is refused rather than rounded, so a client never depends
// on rounding it did not do itself.
func parsePrice(field string, raw json.RawMessage, currency string) (*money.Money, *response) {
	raw = bytes.TrimSpace(raw)
	if bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var str string
	if err := json.Unmarshal(raw, &str); err != nil {
		str = string(raw) // a bare JSON number
	}
	if strings.TrimSpace(str) == "" {
		return nil, nil
	}
	m, err := money.Parse(str, currency)
	if err != nil {
		return nil, errFieldList(http.StatusUnprocessableEntity, field, "is invalid")
	}
	if m.Amount < 0 {
		return nil, errFieldList(http.StatusUnprocessableEntity, field, "must be greater than or equal to 0")
	}
	return &m, nil
}

func fieldsOf(q *apiRequest) []string {
	if f := q.query().Get("fields"); f != "" {
		return strings.Split(f, ",")
	}
	return nil
}

func handleize(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
