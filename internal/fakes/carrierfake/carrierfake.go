// Package carrierfake is what the carrier tracking fakes (upsfake,
// fedexfake, uspsfake, dhlfake) share beyond the kit: OAuth
// client-credentials tokens that expire on the fake's clock, and scripted
// scan histories per tracking number. A fake embeds them, so its tests
// script scans with AddScan and observe Minted, Tracked and ExpireTokens.
package carrierfake

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/clock"
)

// Tokens issues bearer tokens that live TTL on Clock.
type Tokens struct {
	Clock  clock.Clock
	TTL    time.Duration
	Prefix string // "ups-": tokens are told apart in logs

	mu     sync.Mutex
	tokens map[string]time.Time
	minted int
}

// Mint issues a token.
func (t *Tokens) Mint() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	tok := t.Prefix + hex.EncodeToString(b[:])
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tokens == nil {
		t.tokens = map[string]time.Time{}
	}
	t.tokens[tok] = t.Clock.Now().Add(t.TTL)
	t.minted++
	return tok
}

// LiveBearer reports whether an Authorization header carries a token
// issued here and not yet expired.
func (t *Tokens) LiveBearer(authorization string) bool {
	tok, ok := strings.CutPrefix(authorization, "Bearer ")
	if !ok || tok == "" {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	exp, ok := t.tokens[tok]
	return ok && t.Clock.Now().Before(exp)
}

// Minted is how many tokens were issued.
func (t *Tokens) Minted() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.minted
}

// ExpireTokens ends every issued token (revoked, or its life over).
func (t *Tokens) ExpireTokens() {
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.tokens)
}

// Histories are scripted scans per tracking number, kept oldest first.
type Histories[E any] struct {
	mu      sync.Mutex
	scans   map[string][]E
	tracked map[string]int
}

// AddScan appends a scan to a number's history (the number becomes known).
func (h *Histories[E]) AddScan(number string, e E) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.scans == nil {
		h.scans = map[string][]E{}
	}
	h.scans[number] = append(h.scans[number], e)
}

// Answer returns a known number's scans most recent first, as carriers
// list them, and counts the answer; false for an unknown number.
func (h *Histories[E]) Answer(number string) ([]E, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	hist, ok := h.scans[number]
	if !ok {
		return nil, false
	}
	if h.tracked == nil {
		h.tracked = map[string]int{}
	}
	h.tracked[number]++
	out := make([]E, len(hist))
	for i, e := range hist {
		out[len(hist)-1-i] = e
	}
	return out, true
}

// Tracked is how many answers a number got.
func (h *Histories[E]) Tracked(number string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.tracked[number]
}
