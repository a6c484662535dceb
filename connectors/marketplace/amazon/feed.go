package amazon

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
)

// The JSON listings feed (Feeds API 2021-06-30, feedType
// JSON_LISTINGS_FEED): the bulk form of patchListingsItem. A feed is
// created, then looked at again by the job's later attempts until Amazon
// has processed it; only its processing report says what was applied.
// https://developer-docs.amazon.com/sp-api/docs/feeds-api-v2021-06-30-use-case-guide
const (
	feedsPath       = "/feeds/2021-06-30"
	feedType        = "JSON_LISTINGS_FEED"
	feedContentType = "application/json; charset=UTF-8"
	feedVersion     = "2.0"
	// feedKind is the State record of a feed in flight, so the job's next
	// attempt polls it rather than sending the batch again.
	feedKind = "feed"
	// feedStale: a feed in flight this old belonged to a job that gave
	// up; the same batch queued again sends a new feed.
	feedStale = 24 * time.Hour
)

// feedItem is one SKU's patch in a push, with the value it sets (the
// batch's identity, which finds its feed in flight).
type feedItem struct {
	sku   string
	patch patchOp
	value string
}

type feedHeader struct {
	SellerID    string `json:"sellerId"`
	Version     string `json:"version"`
	IssueLocale string `json:"issueLocale"`
}

type feedMessage struct {
	MessageID     int       `json:"messageId"`
	SKU           string    `json:"sku"`
	OperationType string    `json:"operationType"`
	ProductType   string    `json:"productType"`
	Patches       []patchOp `json:"patches"`
}

type feedDocument struct {
	Header   feedHeader    `json:"header"`
	Messages []feedMessage `json:"messages"`
}

// inFlight is a submitted feed: message i+1 is SKUs[i].
type inFlight struct {
	FeedID  string    `json:"feed_id"`
	SKUs    []string  `json:"skus"`
	Created time.Time `json:"created"`
}

// feedInfo is getFeed's answer.
type feedInfo struct {
	FeedID               string `json:"feedId"`
	ProcessingStatus     string `json:"processingStatus"`
	ResultFeedDocumentID string `json:"resultFeedDocumentId"`
}

// feedRecordID names a batch by what it sets: the same batch retried
// finds its feed; any other value is another batch.
func feedRecordID(what string, items []feedItem) string {
	h := sha256.New()
	h.Write([]byte(what))
	for _, it := range items {
		h.Write([]byte{0})
		h.Write([]byte(it.sku))
		h.Write([]byte{0})
		h.Write([]byte(it.value))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// pushFeed sends items as one JSON listings feed, or looks at the feed
// an earlier attempt sent. While Amazon processes it the job is
// rescheduled (throttled, not before feed_poll_every): no worker waits
// and the wait spends none of the job's attempts.
// When done, SKUs with an ERROR issue in the report are refused (a
// fault.PartialError) and the others pushed.
func (c *Connector) pushFeed(ctx context.Context, what string, items []feedItem) error {
	if c.cfg.SellerID == "" {
		return fault.Permanentf("amazon: %s: seller_id is needed", what)
	}
	if c.env.State == nil {
		return fault.Permanentf("amazon: %s: the feed needs the instance's state", what)
	}
	id := feedRecordID(what, items)
	fl, version, err := c.loadFeed(ctx, id)
	if err != nil {
		return fmt.Errorf("amazon: %s: %w", what, err)
	}
	if fl == nil {
		if fl, err = c.submitFeed(ctx, what, items); err != nil {
			return err
		}
		data, _ := json.Marshal(fl)
		rec := store.Record{Kind: feedKind, ID: id, Data: data, Version: version}
		if _, err := c.env.State.PutRecord(ctx, rec); err != nil {
			// The feed is on its way; a retry would send another with the
			// same values, which is harmless.
			return fault.Retryable(fmt.Errorf("amazon: %s: remember feed %s: %w", what, fl.FeedID, err))
		}
	}
	var feed feedInfo
	if err := c.do(ctx, opGetFeed, what+": getFeed", "GET", feedsPath+"/feeds/"+url.PathEscape(fl.FeedID), nil, nil, &feed); err != nil {
		return err
	}
	switch feed.ProcessingStatus {
	case "DONE", "FATAL":
	case "CANCELLED":
		c.forgetFeed(ctx, id)
		return fault.Retryable(fmt.Errorf("amazon: %s: feed %s was cancelled; another will be sent", what, fl.FeedID))
	default: // IN_QUEUE, IN_PROGRESS
		// Waiting for Amazon is not a failure: throttled, so a feed that
		// takes hours does not use up the job's attempts (a feed older
		// than feedStale is given up and sent again).
		return fault.Throttled("amazon:feed:"+fl.FeedID, c.now().Add(c.cfg.FeedPollEvery))
	}
	var rep *feedReport
	if feed.ResultFeedDocumentID != "" {
		if rep, err = c.readReport(ctx, what, feed.ResultFeedDocumentID); err != nil {
			return err
		}
	} else if feed.ProcessingStatus == "DONE" {
		return fault.RetryAfter(fmt.Errorf("amazon: %s: feed %s is done without a processing report yet", what, fl.FeedID),
			c.now().Add(c.cfg.FeedPollEvery))
	}
	out := c.judge(what, fl, feed.ProcessingStatus, rep)
	c.forgetFeed(ctx, id)
	return out
}

// loadFeed reads the feed in flight for a batch (nil when none, or a
// stale one), with the record's version to write at.
func (c *Connector) loadFeed(ctx context.Context, id string) (*inFlight, int64, error) {
	rec, err := c.env.State.GetRecord(ctx, feedKind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fault.Retryable(fmt.Errorf("read feed in flight: %w", err))
	}
	var fl inFlight
	if json.Unmarshal(rec.Data, &fl) != nil || fl.FeedID == "" || c.now().Sub(fl.Created) > feedStale {
		return nil, rec.Version, nil
	}
	return &fl, rec.Version, nil
}

func (c *Connector) forgetFeed(ctx context.Context, id string) {
	if err := c.env.State.DeleteRecord(ctx, feedKind, id); err != nil && c.env.Logger != nil {
		c.env.Logger.Warn("amazon: forget feed in flight", "record", id, "err", err)
	}
}

// submitFeed writes the feed document, uploads it to the pre-signed URL
// with the content type declared, and creates the feed.
func (c *Connector) submitFeed(ctx context.Context, what string, items []feedItem) (*inFlight, error) {
	doc := feedDocument{Header: feedHeader{SellerID: c.cfg.SellerID, Version: feedVersion, IssueLocale: "en_US"}}
	fl := &inFlight{Created: c.now()}
	for i, it := range items {
		doc.Messages = append(doc.Messages, feedMessage{MessageID: i + 1, SKU: it.sku, OperationType: "PATCH",
			ProductType: productTypeAny, Patches: []patchOp{it.patch}})
		fl.SKUs = append(fl.SKUs, it.sku)
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, fault.Permanent(fmt.Errorf("amazon: %s: encode feed: %w", what, err))
	}
	var created struct {
		FeedDocumentID string `json:"feedDocumentId"`
		URL            string `json:"url"`
	}
	if err := c.do(ctx, opCreateDoc, what+": createFeedDocument", "POST", feedsPath+"/documents", nil,
		map[string]string{"contentType": feedContentType}, &created); err != nil {
		return nil, err
	}
	if created.FeedDocumentID == "" || !httpURL(created.URL) {
		return nil, fault.Retryable(fmt.Errorf("amazon: %s: createFeedDocument answered no document id or URL", what))
	}
	if _, err := c.transfer(ctx, what+": upload feed document", http.MethodPut, created.URL, body); err != nil {
		return nil, err
	}
	var feed struct {
		FeedID string `json:"feedId"`
	}
	spec := map[string]any{"feedType": feedType, "marketplaceIds": []string{c.market()}, "inputFeedDocumentId": created.FeedDocumentID}
	if err := c.do(ctx, opCreateFeed, what+": createFeed", "POST", feedsPath+"/feeds", nil, spec, &feed); err != nil {
		return nil, err
	}
	if feed.FeedID == "" {
		return nil, fault.Retryable(fmt.Errorf("amazon: %s: createFeed answered no feedId", what))
	}
	fl.FeedID = feed.FeedID
	if c.env.Logger != nil {
		c.env.Logger.Info("amazon: listings feed created", "feed", feed.FeedID, "what", what, "skus", len(items))
	}
	return fl, nil
}

// transfer sends or fetches a feed document at its pre-signed URL (no
// access token: the URL is the authorization).
func (c *Connector) transfer(ctx context.Context, what, method, u string, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fault.Permanent(fmt.Errorf("amazon: %s: %w", what, err))
	}
	if body != nil {
		// The upload must carry the content type createFeedDocument named.
		req.Header.Set("Content-Type", feedContentType)
	}
	var raw []byte
	if err := c.send(req, opTransfer, what, &raw); err != nil {
		return nil, err
	}
	return raw, nil
}
