// Package amazon is the Amazon Selling Partner API channel connector
// (merchant-fulfilled orders). Orders are polled from getOrders on
// LastUpdatedAfter from a persisted cursor, with their items and, for the
// routable ones, the shipping address read with a Restricted Data Token;
// shipments are confirmed per package and stock and prices go out through
// the Listings Items API, or for large pushes the JSON listings feed. The one-hour LWA access token is shared by
// every replica, and each SP-API operation has its own rate limiter, as
// Amazon meters them.
package amazon

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/oauthtoken"
)

// Type is the registry name.
const Type = "amazon"

// DefaultLWAURL is Login with Amazon's token endpoint.
const DefaultLWAURL = "https://api.amazon.com/auth/o2/token"

// Regional SP-API endpoints.
// https://developer-docs.amazon.com/sp-api/docs/sp-api-endpoints
var regionURLs = map[string]string{
	"na": "https://sellingpartnerapi-na.amazon.com",
	"eu": "https://sellingpartnerapi-eu.amazon.com",
	"fe": "https://sellingpartnerapi-fe.amazon.com",
}

// Config is the YAML of an Amazon seller channel.
type Config struct {
	// Region is the SP-API endpoint's region: na, eu or fe.
	Region string `yaml:"region" required:"true"`
	// MarketplaceIDs are the marketplaces polled (ATVPDKIKX0DER is
	// amazon.com); the first is the one listings are written in.
	MarketplaceIDs []string `yaml:"marketplace_ids" required:"true"`
	// SellerID is the merchant token (Listings Items paths need it).
	SellerID string `yaml:"seller_id" required:"true"`
	// LWAClientID, LWAClientSecret and RefreshToken are the app's Login
	// with Amazon credentials and the seller's authorization.
	LWAClientID     string           `yaml:"lwa_client_id" required:"true"`
	LWAClientSecret connector.Secret `yaml:"lwa_client_secret" required:"true"`
	RefreshToken    connector.Secret `yaml:"refresh_token" required:"true"`
	// BaseURL overrides the region's endpoint (the sandbox, a fake).
	BaseURL string `yaml:"base_url"`
	// LWAURL overrides the token endpoint.
	LWAURL string `yaml:"lwa_url"`
	// PollEvery is how often orders are polled (default 5m: getOrders
	// refills one call a minute, with a burst of 20; docs/MARKETPLACES.md
	// has the arithmetic at 1,000 orders an hour).
	PollEvery time.Duration `yaml:"poll_every"`
	// BulkThreshold: a stock or price push of more SKUs than this goes
	// out as one JSON_LISTINGS_FEED instead of a PATCH per SKU.
	BulkThreshold int `yaml:"bulk_threshold"`
	// FeedPollEvery is the least time between two looks at a feed being
	// processed (the job is rescheduled, no worker waits).
	FeedPollEvery time.Duration `yaml:"feed_poll_every"`
	// FeedBatch is the most SKUs one stock or price push carries, so a
	// big catalogue change becomes a few feeds instead of many 50-SKU
	// pushes that each stay under bulk_threshold.
	FeedBatch int `yaml:"feed_batch"`
}

// Defaults.
const (
	DefaultPollEvery = 5 * time.Minute
	// Overlap is how far before the cursor each poll lists again, so an
	// order Amazon indexes late is not skipped: Amazon takes
	// LastUpdatedBefore no later than 2 minutes ago, what it holds older is
	// settled. The cursor is Amazon's own LastUpdateDate, so no clock skew
	// is in it; the deep sweep's lookback catches anything later still.
	Overlap = 2 * time.Minute
	// DefaultBulkThreshold keeps the sync's batches (50 SKUs) on PATCH:
	// at createFeed's one call every two minutes a feed of 50 is slower
	// than 50 patches at 5/s, so the feed is for larger pushes.
	DefaultBulkThreshold = 50
	DefaultFeedPollEvery = time.Minute
	// DefaultFeedBatch keeps one feed's document small (a few hundred KB)
	// while a 1,000-SKU repricing costs one createFeed.
	DefaultFeedBatch = 1000
	// maxFeedMessages is Amazon's limit of messages in one
	// JSON_LISTINGS_FEED (25,000 since May 2025).
	maxFeedMessages = 25000
)

// Operations, each metered on its own by Amazon and here.
const (
	opToken     = "lwaToken"
	opOrders    = "getOrders"
	opItems     = "getOrderItems"
	opRDT       = "createRestrictedDataToken"
	opAddress   = "getOrderAddress"
	opConfirm   = "confirmShipment"
	opListings  = "patchListingsItem"
	opGetListed = "getListingsItem"
	// The Feeds API 2021-06-30, for the JSON listings feed.
	opCreateDoc  = "createFeedDocument"
	opCreateFeed = "createFeed"
	opGetFeed    = "getFeed"
	opGetDoc     = "getFeedDocument"
	// opTransfer is the upload and download of feed documents at their
	// pre-signed URLs (S3, not an SP-API operation).
	opTransfer = "feedDocumentTransfer"
)

// OpLimits are Amazon's default usage plans per operation, with a
// margin (rate 10% lower, one less in the burst): our bucket and Amazon's
// are filled by different clocks, and a request admitted here at the
// edge would be Amazon's 429.
// https://developer-docs.amazon.com/sp-api/docs/usage-plans-and-rate-limits
var OpLimits = map[string]store.Limit{
	opToken:     {Rate: 1, Burst: 5},
	opOrders:    margin(0.0167, 20),
	opItems:     margin(0.5, 30),
	opRDT:       margin(1, 10),
	opAddress:   margin(0.5, 30),
	opConfirm:   margin(2, 10),
	opListings:  margin(5, 5),
	opCreateDoc: margin(0.5, 15),
	// createFeed is 0.0083/s (burst 15), and JSON_LISTINGS_FEED on its own
	// five feeds per five minutes: the lower of each.
	opCreateFeed: margin(0.0083, 5),
	opGetFeed:    margin(2, 15),
	opGetDoc:     margin(0.0222, 10),
	opTransfer:   {Rate: 5, Burst: 10},
}

func margin(rate float64, burst int) store.Limit {
	return store.Limit{Rate: rate * 0.9, Burst: max(burst-1, 1)}
}

var _ connector.Checker = (*Config)(nil)

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Check validates values without I/O.
func (c *Config) Check() []connector.Problem {
	var ps []connector.Problem
	if _, ok := regionURLs[strings.ToLower(c.Region)]; !ok && c.Region != "" {
		ps = append(ps, connector.Problem{Path: "region", Message: fmt.Sprintf("%q is not na, eu or fe", c.Region)})
	}
	for i, m := range c.MarketplaceIDs {
		if strings.TrimSpace(m) == "" {
			ps = append(ps, connector.Problem{Path: fmt.Sprintf("marketplace_ids[%d]", i), Message: "is empty"})
		}
	}
	for path, s := range map[string]string{"base_url": c.BaseURL, "lwa_url": c.LWAURL} {
		if s != "" && !httpURL(s) {
			ps = append(ps, connector.Problem{Path: path, Message: fmt.Sprintf("%q is not an http(s) URL", s)})
		}
	}
	if c.PollEvery < time.Second {
		ps = append(ps, connector.Problem{Path: "poll_every", Message: "must be at least 1s"})
	}
	if c.BulkThreshold < 1 {
		ps = append(ps, connector.Problem{Path: "bulk_threshold", Message: "must be at least 1"})
	}
	if c.FeedPollEvery < time.Second {
		ps = append(ps, connector.Problem{Path: "feed_poll_every", Message: "must be at least 1s"})
	}
	if c.FeedBatch < 1 || c.FeedBatch > maxFeedMessages {
		ps = append(ps, connector.Problem{Path: "feed_batch", Message: fmt.Sprintf("must be between 1 and %d", maxFeedMessages)})
	}
	return ps
}

func init() {
	connector.Register(connector.Spec[Config]{
		Type:    Type,
		Kind:    connector.KindChannel,
		Summary: "Amazon Selling Partner API seller (MFN): orders polled in; shipment confirmations, stock and prices out",
		Defaults: func() *Config {
			return &Config{PollEvery: DefaultPollEvery, LWAURL: DefaultLWAURL,
				BulkThreshold: DefaultBulkThreshold, FeedPollEvery: DefaultFeedPollEvery, FeedBatch: DefaultFeedBatch}
		},
		New: func(env connector.Env, cfg *Config) (connector.Connector, error) { return New(env, cfg) },
		// The operations' own limits (OpLimits) are what meter calls;
		// this one only bounds the connector as a whole.
		RateLimit: store.Limit{Rate: 5, Burst: 30},
		Retry:     connector.RetryPolicy{MaxAttempts: 12, BaseDelay: 5 * time.Second, MaxDelay: time.Hour},
	})
}

// Connector is a configured Amazon channel, safe for concurrent use.
type Connector struct {
	env    connector.Env
	cfg    *Config
	api    *url.URL
	lwa    string
	limits map[string]store.Limit
	base   http.RoundTripper
	// pageSize is MaxResultsPerPage (pageSize; the tests lower it).
	pageSize int

	mu      sync.Mutex
	clients map[string]*http.Client
	plans   map[string]string // x-amzn-RateLimit-Limit last seen, per operation
	// listed are the versions the last poll decoded, until the sweep
	// hands them back taken in (TakenIn).
	listed map[string]listedAt
	// kept is the getOrders page a poll was cut short on, by query.
	kept map[string]pageOf

	tokens *oauthtoken.Cache // the shared LWA access token
}

var (
	_ connector.EventDecoder      = (*Connector)(nil)
	_ connector.OrderPoller       = (*Connector)(nil)
	_ connector.FulfillmentPusher = (*Connector)(nil)
	_ connector.InventoryPusher   = (*Connector)(nil)
	_ connector.PricePusher       = (*Connector)(nil)
)

// New builds the connector; it does no I/O.
func New(env connector.Env, cfg *Config) (*Connector, error) { return newConnector(env, cfg, nil, nil) }

// newConnector takes a base transport and per-operation limits (nil:
// OpLimits), which the tests set to the fake's quota.
func newConnector(env connector.Env, cfg *Config, base http.RoundTripper, limits map[string]store.Limit) (*Connector, error) {
	root := cfg.BaseURL
	if root == "" {
		root = regionURLs[strings.ToLower(cfg.Region)]
	}
	if root == "" {
		return nil, fmt.Errorf("amazon: region %q is not na, eu or fe, and no base_url is set", cfg.Region)
	}
	u, err := url.Parse(strings.TrimSuffix(root, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("amazon: base_url %q is not an http(s) URL", root)
	}
	lwa := cfg.LWAURL
	if lwa == "" {
		lwa = DefaultLWAURL
	}
	if !httpURL(lwa) {
		return nil, fmt.Errorf("amazon: lwa_url %q is not an http(s) URL", lwa)
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = DefaultPollEvery
	}
	if cfg.BulkThreshold <= 0 {
		cfg.BulkThreshold = DefaultBulkThreshold
	}
	if cfg.FeedPollEvery <= 0 {
		cfg.FeedPollEvery = DefaultFeedPollEvery
	}
	if cfg.FeedBatch <= 0 {
		cfg.FeedBatch = DefaultFeedBatch
	}
	if limits == nil {
		limits = OpLimits
	}
	c := &Connector{env: env, cfg: cfg, api: u, lwa: lwa, limits: limits, base: base, pageSize: pageSize,
		clients: map[string]*http.Client{}, plans: map[string]string{}, listed: map[string]listedAt{}, kept: map[string]pageOf{}}
	c.tokens = c.newTokens()
	return c, nil
}

// Name is the instance name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "amazon".
func (c *Connector) Type() string { return Type }
