package shopifyfake

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// NewLocation seeds a location.
type NewLocation struct {
	Name                      string
	Address1, City, Province  string
	Country, CountryCode, Zip string
	Phone                     string
}

// AddLocation adds an active location.
func (s *Shop) AddLocation(nl NewLocation) Location {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.addLocationLocked(nl)
}

func (s *Shop) addLocationLocked(nl NewLocation) *Location {
	now := s.fake.now()
	l := &Location{
		ID: s.fake.nextID(), Name: nl.Name, Address1: nl.Address1, City: nl.City,
		Province: nl.Province, Country: nl.Country, CountryCode: nl.CountryCode,
		Zip: nl.Zip, Phone: nl.Phone, Active: true, CreatedAt: now, UpdatedAt: now,
	}
	s.locations[l.ID] = l
	return l
}

// Locations returns the shop's locations, oldest first; the first is the
// one created with the shop.
func (s *Shop) Locations() []Location {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Location
	for _, id := range sortedKeys(s.locations) {
		out = append(out, *s.locations[id])
	}
	return out
}

func (s *Shop) defaultLocationLocked() uint64 { return sortedKeys(s.locations)[0] }

// SetInventory seeds the available quantity of an inventory item (see
// Variant.InventoryItemID) at a location, without recording history.
func (s *Shop) SetInventory(inventoryItemID, locationID uint64, available int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.locations[locationID]; !ok {
		return fmt.Errorf("shopifyfake: set inventory: unknown location %d", locationID)
	}
	if _, ok := s.invItems[inventoryItemID]; !ok {
		return fmt.Errorf("shopifyfake: set inventory: unknown inventory item %d", inventoryItemID)
	}
	s.levels[levelKey{inventoryItemID, locationID}] = &InventoryLevel{
		InventoryItemID: inventoryItemID, LocationID: locationID, Available: available, UpdatedAt: s.fake.now(),
	}
	return nil
}

// InventoryLevel returns the level of an item at a location, if stocked.
func (s *Shop) InventoryLevel(inventoryItemID, locationID uint64) (InventoryLevel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.levels[levelKey{inventoryItemID, locationID}]
	if !ok {
		return InventoryLevel{}, false
	}
	return *l, true
}

// InventoryHistory returns every set and adjust call received, in order.
func (s *Shop) InventoryHistory() []InventoryChange {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.invHistory)
}

// availableLocked sums an item's available units over all locations.
func (s *Shop) availableLocked(item uint64) int {
	n := 0
	for k, l := range s.levels {
		if k.item == item {
			n += l.Available
		}
	}
	return n
}

func (s *Shop) httpListLocations(q *apiRequest) *response {
	var out []wireLocation
	for _, id := range sortedKeys(s.locations) {
		out = append(out, renderLocation(s.locations[id]))
	}
	return respOK(map[string]any{"locations": nonNil(out)})
}

func (s *Shop) httpGetLocation(q *apiRequest) *response {
	l, found := s.locations[q.ids[0]]
	if !found {
		return errNotFound()
	}
	return respOK(map[string]any{"location": renderLocation(l)})
}

// maxLevelIDs is the documented cap on inventory_item_ids per request.
// https://shopify.dev/docs/api/admin-rest/latest/resources/inventorylevel
const maxLevelIDs = 50

func (s *Shop) httpListInventoryLevels(q *apiRequest) *response {
	pr, resp := parsePage(q.query())
	if resp != nil {
		return resp
	}
	items, err := parseIDList(pr.filters.Get("inventory_item_ids"))
	if err != nil {
		return errField(http.StatusBadRequest, "inventory_item_ids", "Invalid value.")
	}
	locs, err := parseIDList(pr.filters.Get("location_ids"))
	if err != nil {
		return errField(http.StatusBadRequest, "location_ids", "Invalid value.")
	}
	if len(items) == 0 && len(locs) == 0 {
		return errString(http.StatusUnprocessableEntity, "inventory_item_ids, location_ids, or both must be specified")
	}
	if len(items) > maxLevelIDs {
		return errString(http.StatusUnprocessableEntity, fmt.Sprintf("inventory_item_ids may list at most %d ids", maxLevelIDs))
	}
	since, resp := parseTimeFilter(pr.filters, "updated_at_min")
	if resp != nil {
		return resp
	}
	var match []*InventoryLevel
	for k, l := range s.levels {
		if (len(items) > 0 && !slices.Contains(items, k.item)) ||
			(len(locs) > 0 && !slices.Contains(locs, k.location)) ||
			(since != nil && l.UpdatedAt.Before(*since)) {
			continue
		}
		match = append(match, l)
	}
	page, link := paginate(q, pr, match, func(l *InventoryLevel) pageKey {
		return pageKey{l.InventoryItemID, l.LocationID}
	})
	out := make([]wireInventoryLevel, len(page))
	for i, l := range page {
		out[i] = renderLevel(l)
	}
	return listResponse("inventory_levels", pr, out, link)
}

type levelBody struct {
	LocationID          flexID  `json:"location_id"`
	InventoryItemID     flexID  `json:"inventory_item_id"`
	Available           flexInt `json:"available"`
	AvailableAdjustment flexInt `json:"available_adjustment"`
}

// validateLevel checks the IDs common to set and adjust: missing is 400
// (Shopify's "Required parameter missing or invalid"), unknown is 422.
func (s *Shop) validateLevel(b levelBody) *response {
	switch {
	case b.LocationID == 0:
		return errField(http.StatusBadRequest, "location_id", "Required parameter missing or invalid")
	case b.InventoryItemID == 0:
		return errField(http.StatusBadRequest, "inventory_item_id", "Required parameter missing or invalid")
	}
	if _, ok := s.locations[uint64(b.LocationID)]; !ok {
		return errBase(http.StatusUnprocessableEntity, "Location does not exist")
	}
	if _, ok := s.invItems[uint64(b.InventoryItemID)]; !ok {
		return errBase(http.StatusUnprocessableEntity, "Inventory item does not exist")
	}
	return nil
}

// httpSetInventoryLevel sets the available quantity, connecting the item
// to the location first if needed, as the set endpoint documents.
func (s *Shop) httpSetInventoryLevel(q *apiRequest) *response {
	var b levelBody
	if resp := decodeFlat(q.r, &b); resp != nil {
		return resp
	}
	if resp := s.validateLevel(b); resp != nil {
		return resp
	}
	if !b.Available.present {
		return errField(http.StatusBadRequest, "available", "Required parameter missing or invalid")
	}
	return s.applyLevel("set", uint64(b.InventoryItemID), uint64(b.LocationID), func(int) int { return int(b.Available.n) })
}

// httpAdjustInventoryLevel adds available_adjustment to a level that must
// already exist.
func (s *Shop) httpAdjustInventoryLevel(q *apiRequest) *response {
	var b levelBody
	if resp := decodeFlat(q.r, &b); resp != nil {
		return resp
	}
	if resp := s.validateLevel(b); resp != nil {
		return resp
	}
	if !b.AvailableAdjustment.present {
		return errField(http.StatusBadRequest, "available_adjustment", "Required parameter missing or invalid")
	}
	if _, ok := s.levels[levelKey{uint64(b.InventoryItemID), uint64(b.LocationID)}]; !ok {
		return errBase(http.StatusUnprocessableEntity, "Inventory item is not stocked at the location")
	}
	return s.applyLevel("adjust", uint64(b.InventoryItemID), uint64(b.LocationID), func(prev int) int {
		return prev + int(b.AvailableAdjustment.n)
	})
}

func (s *Shop) applyLevel(kind string, item, loc uint64, next func(prev int) int) *response {
	key := levelKey{item, loc}
	l, ok := s.levels[key]
	if !ok {
		l = &InventoryLevel{InventoryItemID: item, LocationID: loc}
		s.levels[key] = l
	}
	now := s.fake.now()
	prev := l.Available
	l.Available = next(prev)
	l.UpdatedAt = now
	s.invHistory = append(s.invHistory, InventoryChange{
		At: now, Kind: kind, InventoryItemID: item, LocationID: loc, Previous: prev, Available: l.Available,
	})
	return respOK(map[string]any{"inventory_level": renderLevel(l)})
}

// parseIDList reads "1,2,3" (go-shopify's comma encoding).
func parseIDList(s string) ([]uint64, error) {
	if s == "" {
		return nil, nil
	}
	var ids []uint64
	for _, part := range strings.Split(s, ",") {
		id, err := strconv.ParseUint(strings.TrimSpace(part), 10, 64)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}
