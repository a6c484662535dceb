package shopifyfake

import (
	"slices"
	"sync"
)

// Shop is one shop's data, apps and counters. All methods are safe for
// concurrent use with each other and with requests being served.
type Shop struct {
	fake   *Fake
	id     uint64 // the shop's numeric ID (shop_id in fulfillment orders)
	domain string
	tokens []string

	mu sync.Mutex // guards everything below

	orderNumber  int
	orders       map[uint64]*Order
	fos          map[uint64]*FulfillmentOrder
	fosByOrder   map[uint64][]uint64
	fulfillments map[uint64]*Fulfillment
	fulfByOrder  map[uint64][]uint64
	refunds      map[uint64][]Refund // by order

	locations    map[uint64]*Location
	products     map[uint64]*Product // Variants kept empty; see variantIDs
	variantIDs   map[uint64][]uint64 // product → its variants, in position order
	variants     map[uint64]*Variant
	invItems     map[uint64]uint64 // inventory item → variant
	levels       map[levelKey]*InventoryLevel
	invHistory   []InventoryChange
	priceHistory []PriceChange
}

type levelKey struct{ item, location uint64 }

func newShop(f *Fake, sc shopConfig) *Shop {
	s := &Shop{
		fake:         f,
		id:           f.nextID(),
		domain:       sc.domain,
		tokens:       slices.Clone(sc.tokens),
		orderNumber:  1000,
		orders:       make(map[uint64]*Order),
		fos:          make(map[uint64]*FulfillmentOrder),
		fosByOrder:   make(map[uint64][]uint64),
		fulfillments: make(map[uint64]*Fulfillment),
		fulfByOrder:  make(map[uint64][]uint64),
		refunds:      make(map[uint64][]Refund),
		locations:    make(map[uint64]*Location),
		products:     make(map[uint64]*Product),
		variantIDs:   make(map[uint64][]uint64),
		variants:     make(map[uint64]*Variant),
		invItems:     make(map[uint64]uint64),
		levels:       make(map[levelKey]*InventoryLevel),
	}
	s.addLocationLocked(NewLocation{Name: "Shop location", CountryCode: "US", Country: "United States"})
	return s
}

// Domain is the shop's myshopify domain.
func (s *Shop) Domain() string { return s.domain }

// Token is the access token of the shop's first app.
func (s *Shop) Token() string { return s.tokens[0] }

// Requests counts every request addressed to the shop, whatever its
// outcome (401s and 429s included).
func (s *Shop) Requests() int { return s.fake.srv.Counters(s.domain).Requests }

// Throttled counts the requests refused with 429 because the bucket was
// full.
func (s *Shop) Throttled() int { return s.fake.srv.Counters(s.domain).QuotaViolations }

// ResetCounters zeroes Requests and Throttled (the buckets are untouched).
func (s *Shop) ResetCounters() { s.fake.srv.ResetCounters(s.domain) }

// sortedKeys returns a map's keys in ascending order; IDs grow with time,
// so this is creation order.
func sortedKeys[V any](m map[uint64]V) []uint64 {
	keys := make([]uint64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
