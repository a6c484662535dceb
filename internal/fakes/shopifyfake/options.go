package shopifyfake

import (
	"log/slog"
	"regexp"

	"github.com/dropgate/dropgate/core/clock"
)

// Defaults used when the corresponding option is not given.
const (
	// DefaultShop is the shop created when no WithShop option is given.
	DefaultShop = "dropgate-demo.myshopify.com"
	// DefaultToken is DefaultShop's access token.
	DefaultToken = "shpat_dropgate_demo_token"
	// DefaultBucketSize and DefaultLeakRate are Shopify's standard REST
	// limits: a bucket of 40 calls leaking 2 per second.
	// https://shopify.dev/docs/api/admin-rest/usage/rate-limits
	DefaultBucketSize = 40
	DefaultLeakRate   = 2.0
	// FirstID is where IDs start by default: 2^53+1, the first integer
	// float64 cannot represent. IDs advance by 2 so each one is odd and,
	// below 2^54, none survives a round trip through float64.
	FirstID uint64 = 1<<53 + 1
)

// defaultVersions are the API versions served when WithVersions is not
// given: the quarterly releases 2024-01 to 2025-10.
func defaultVersions() []string {
	return []string{
		"2024-01", "2024-04", "2024-07", "2024-10",
		"2025-01", "2025-04", "2025-07", "2025-10",
	}
}

var versionRE = regexp.MustCompile(`^[0-9]{4}-(01|04|07|10)$`)

// Option configures a Fake.
type Option func(*config)

type shopConfig struct {
	domain string
	tokens []string
}

type config struct {
	shops    []shopConfig
	clock    clock.Clock
	capacity int
	leak     float64
	versions []string
	firstID  uint64
	log      *slog.Logger
}

func defaultConfig() config {
	return config{
		clock:    clock.Real{},
		capacity: DefaultBucketSize,
		leak:     DefaultLeakRate,
		versions: defaultVersions(),
		firstID:  FirstID,
		log:      slog.New(slog.DiscardHandler),
	}
}

// WithShop adds a shop (its myshopify domain, or just its name) and an
// access token for it. Giving the same shop again with another token adds a
// second app: both see the same data, each has its own leaky bucket, as on
// Shopify where the bucket is per shop and app. The first shop given is the
// default shop.
func WithShop(domain, token string) Option {
	return func(c *config) {
		d := normalizeShop(domain)
		for i := range c.shops {
			if c.shops[i].domain == d {
				c.shops[i].tokens = append(c.shops[i].tokens, token)
				return
			}
		}
		c.shops = append(c.shops, shopConfig{domain: d, tokens: []string{token}})
	}
}

// WithClock sets the clock that drives the leaky bucket and every
// timestamp the fake writes. The default is the wall clock.
func WithClock(clk clock.Clock) Option {
	return func(c *config) { c.clock = clk }
}

// WithBucket sets the leaky bucket's size and leak rate per second, e.g.
// (80, 4) for Advanced plans. Values ≤ 0 keep the defaults.
func WithBucket(size int, leakPerSecond float64) Option {
	return func(c *config) {
		if size > 0 {
			c.capacity = size
		}
		if leakPerSecond > 0 {
			c.leak = leakPerSecond
		}
	}
}

// WithVersions sets the supported API versions (YYYY-MM, quarterly months
// only). Invalid entries are ignored; an empty result keeps the defaults.
func WithVersions(versions ...string) Option {
	return func(c *config) {
		var ok []string
		for _, v := range versions {
			if versionRE.MatchString(v) {
				ok = append(ok, v)
			}
		}
		if len(ok) > 0 {
			c.versions = ok
		}
	}
}

// WithFirstID sets the first ID handed out (all resources share one
// sequence, advancing by 2). Use it for readable IDs in a demo; tests
// should keep the default, which breaks clients that parse IDs as float64.
func WithFirstID(id uint64) Option {
	return func(c *config) {
		if id > 0 {
			c.firstID = id
		}
	}
}

// WithLogger logs one debug line per request.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}
