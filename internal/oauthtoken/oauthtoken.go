// Package oauthtoken keeps a connector's OAuth access token in the
// instance's State, where every replica finds it: a token is minted once
// for all of them and replaced Margin before it expires, one mint at a
// time in the process. The connector supplies the mint (its token
// endpoint and credentials); this package decides when to mint, shares
// the result, and remembers when each token was minted so that a 401 can
// be told apart (a revoked token is worth a retry, a fresh one refused is
// not).
//
// A grant whose refresh token rotates (Etsy: the old one is refused once
// a new one is issued) is kept in the same record, written before the
// new access token is used: losing it would lock every replica out until
// the seller authorised again.
package oauthtoken

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// saveTries bounds the overwrites of a rotated token on write conflicts.
const saveTries = 5

// Response is a token endpoint's answer (RFC 6749 §5.1). ExpiresIn is
// read as a number or a string: UPS writes a string.
type Response struct {
	AccessToken  string          `json:"access_token"`
	RefreshToken string          `json:"refresh_token"`
	ExpiresIn    json.RawMessage `json:"expires_in"`
}

// MintFunc asks the token endpoint for a new access token. refresh is
// the refresh token kept in the shared record for a rotating grant, ""
// when there is none yet (or the grant does not rotate): the connector
// then uses its configured credentials. Its errors are returned as they
// are, so they should carry the connector's name and fault class.
type MintFunc func(ctx context.Context, refresh string) (Response, error)

// Options configure a Cache.
type Options struct {
	// Name prefixes errors and log lines ("etsy").
	Name string
	// State holds the shared record; nil keeps the token in this process
	// only (`dropgate trigger`, tests).
	State connector.State
	// Kind and ID name the State record.
	Kind, ID string
	// Margin is how long before its expiry a token is replaced, so a call
	// never leaves with a token that dies on the way.
	Margin time.Duration
	// Rotating: the grant answers a new refresh token that must replace
	// the old one. It is kept in the record and handed to Mint.
	Rotating bool
	Mint     MintFunc
	Clock    clock.Clock  // nil: the wall clock
	Logger   *slog.Logger // nil: slog.Default()
}

// Cache is one account's access token, safe for concurrent use.
type Cache struct {
	o   Options
	sem chan struct{} // held while reading and minting: one mint at a time

	mu   sync.Mutex
	last Token // the token last handed out here, for Drop's minted time
	mem  Token // the record when there is no State

	waiting func() // test hook: called before waiting for sem
}

// New returns a Cache; it does no I/O.
func New(o Options) *Cache {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Cache{o: o, sem: make(chan struct{}, 1)}
}

// Token returns a live access token: the one this process last used or
// the shared one while it has more than Margin left, else a fresh one
// from Mint, shared before it is returned.
func (c *Cache) Token(ctx context.Context) (string, error) {
	// The process's copy spares a State read per call; a replica replaces
	// the shared token only once it is within the margin or refused, and
	// then this copy is not live either, or is refused here too (Drop).
	if tok, ok := c.lastLive(); ok {
		return tok, nil
	}
	if err := c.lock(ctx); err != nil {
		return "", err
	}
	defer func() { <-c.sem }()
	for attempt := 0; ; attempt++ {
		t, rec, err := c.load(ctx)
		if err != nil {
			return "", err
		}
		if c.live(t) {
			c.remember(t)
			return t.Access, nil
		}
		nt, err := c.mint(ctx, t.Refresh)
		if err != nil {
			// Another replica may have rotated the refresh token under us
			// (ours is then refused): start again from its record, once.
			if attempt == 0 && c.o.Rotating && c.o.State != nil {
				if again, _, lerr := c.load(ctx); lerr == nil && again.Refresh != t.Refresh {
					continue
				}
			}
			return "", err
		}
		if err := c.save(ctx, rec, nt); err != nil {
			return "", err
		}
		c.remember(nt)
		return nt.Access, nil
	}
}

// Drop forgets tok, here and in the shared record, after the platform
// refused it, so the next Token mints another; a rotating grant's
// refresh token is kept. It returns when tok was minted, zero when not
// known here.
func (c *Cache) Drop(ctx context.Context, tok string) time.Time {
	var minted time.Time
	c.mu.Lock()
	if c.last.Access == tok {
		minted = c.last.Minted
		c.last.ExpiresAt = time.Time{} // not live; Minted still answers a second 401
	}
	if c.mem.Access == tok {
		c.mem.Access = ""
	}
	c.mu.Unlock()
	if c.o.State == nil {
		return minted
	}
	t, rec, err := c.load(ctx)
	if err != nil || rec.Version == 0 || t.Access != tok {
		return minted // gone already, or a replica has put a newer one
	}
	if t.Refresh == "" {
		_ = c.o.State.DeleteRecord(ctx, c.o.Kind, c.o.ID)
		return minted
	}
	t.Access = ""
	rec.Data, _ = json.Marshal(t)
	_, _ = c.o.State.PutRecord(ctx, rec) // a conflict is a rotation: newer
	return minted
}

// Refused drops tok after a 401 answered err, and classifies err: a
// token refused right after it was minted stays permanent, an older one
// (revoked or rotated meanwhile) is worth a retry with a fresh one.
func (c *Cache) Refused(ctx context.Context, tok string, err error) error {
	return httpclient.TokenRefused(err, c.Drop(ctx, tok), c.now())
}

// Stored is the shared record as it stands (zero when there is none).
func (c *Cache) Stored(ctx context.Context) (Token, error) {
	t, _, err := c.load(ctx)
	return t, err
}

// lock takes the mint slot, or gives up with ctx.
func (c *Cache) lock(ctx context.Context) error {
	select {
	case c.sem <- struct{}{}:
		return nil
	default:
	}
	if c.waiting != nil {
		c.waiting()
	}
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: wait for token: %w", c.o.Name, ctx.Err())
	}
}

func (c *Cache) live(t Token) bool {
	return t.Access != "" && c.now().Add(c.o.Margin).Before(t.ExpiresAt)
}

func (c *Cache) lastLive() (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last.Access, c.live(c.last)
}

func (c *Cache) remember(t Token) {
	c.mu.Lock()
	c.last = t
	c.mu.Unlock()
}

func (c *Cache) now() time.Time {
	if c.o.Clock != nil {
		return c.o.Clock.Now()
	}
	return time.Now()
}

// load reads the shared record: a zero Token and a new record when it
// is absent, and a zero Token keeping the record's version when it is
// unreadable, so the next write replaces it.
func (c *Cache) load(ctx context.Context) (Token, store.Record, error) {
	rec := store.Record{Kind: c.o.Kind, ID: c.o.ID}
	if c.o.State == nil {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.mem, rec, nil
	}
	got, err := c.o.State.GetRecord(ctx, c.o.Kind, c.o.ID)
	if errors.Is(err, store.ErrNotFound) {
		return Token{}, rec, nil
	}
	if err != nil {
		return Token{}, rec, fault.Retryable(fmt.Errorf("%s: read cached token: %w", c.o.Name, err))
	}
	var t Token
	if err := json.Unmarshal(got.Data, &t); err != nil {
		c.o.Logger.Warn(c.o.Name+": the cached token record is unreadable; minting a new token", "err", err)
		t = Token{}
	}
	return t, got, nil
}

// mint asks for a new token with the record's refresh token (a rotating
// grant's) and checks the answer.
func (c *Cache) mint(ctx context.Context, refresh string) (Token, error) {
	if !c.o.Rotating {
		refresh = ""
	}
	res, err := c.o.Mint(ctx, refresh)
	if err != nil {
		return Token{}, err
	}
	secs, ok := res.expiresIn()
	if res.AccessToken == "" || !ok {
		return Token{}, fault.Retryable(fmt.Errorf("%s: token: answer has no access_token or expires_in", c.o.Name))
	}
	now := c.now()
	t := Token{Access: res.AccessToken, ExpiresAt: now.Add(time.Duration(secs) * time.Second), Minted: now}
	if c.o.Rotating {
		t.Refresh = res.RefreshToken
		if t.Refresh == "" {
			t.Refresh = refresh // not rotated this time
		}
	}
	c.o.Logger.Debug(c.o.Name+": access token minted", "expires_at", t.ExpiresAt)
	return t, nil
}

// expiresIn is the answer's lifetime in seconds, when positive.
func (r Response) expiresIn() (int64, bool) {
	var n json.Number
	if json.Unmarshal(bytes.Trim(r.ExpiresIn, `"`), &n) != nil {
		return 0, false
	}
	secs, err := n.Int64()
	return secs, err == nil && secs > 0
}

// save shares a freshly minted token.
func (c *Cache) save(ctx context.Context, rec store.Record, t Token) error {
	if c.o.State == nil {
		c.mu.Lock()
		c.mem = t
		c.mu.Unlock()
		return nil
	}
	rec.Data, _ = json.Marshal(t)
	if !c.o.Rotating {
		// A conflict is another replica's token: any live one is as good
		// as another, and ours stays usable.
		if _, err := c.o.State.PutRecord(ctx, rec); err != nil && !errors.Is(err, store.ErrConflict) {
			c.o.Logger.Warn(c.o.Name+": access token not shared", "err", err)
		}
		return nil
	}
	return c.saveRotated(ctx, rec)
}

// saveRotated writes a rotated refresh token. The one just used is dead,
// so ours is the only live one: a conflict (a replica dropping a refused
// access token meanwhile) is overwritten, never settled by dropping ours.
func (c *Cache) saveRotated(ctx context.Context, rec store.Record) error {
	var err error
	for range saveTries {
		if _, err = c.o.State.PutRecord(ctx, rec); err == nil {
			return nil
		}
		if !errors.Is(err, store.ErrConflict) {
			continue
		}
		fresh, gerr := c.o.State.GetRecord(ctx, c.o.Kind, c.o.ID)
		switch {
		case errors.Is(gerr, store.ErrNotFound):
			rec.Version = 0
		case gerr == nil:
			rec.Version = fresh.Version
		}
	}
	c.o.Logger.Error(c.o.Name+": the rotated refresh token could not be saved; re-authorise if calls fail with invalid_grant", "err", err)
	return fault.Retryable(fmt.Errorf("%s: save rotated refresh token: %w", c.o.Name, err))
}
