package amazon

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/jsonpos"
)

// feedReport is the JSON listings feed's processing report (v2): issues
// per message and a summary. Messages not named by an ERROR issue were
// accepted; a report's summary that accounts for fewer is not trusted.
// https://github.com/amzn/selling-partner-api-models/blob/main/schemas/feeds/listings-feed-processing-report-schema-v2.json
type feedReport struct {
	Issues []struct {
		MessageID int64  `json:"messageId"`
		SKU       string `json:"sku"`
		Code      string `json:"code"`
		Severity  string `json:"severity"`
		Message   string `json:"message"`
	} `json:"issues"`
	Summary struct {
		Errors            int64 `json:"errors"`
		Warnings          int64 `json:"warnings"`
		MessagesProcessed int64 `json:"messagesProcessed"`
		MessagesAccepted  int64 `json:"messagesAccepted"`
		MessagesInvalid   int64 `json:"messagesInvalid"`
	} `json:"summary"`
}

// readReport fetches a feed's result document (getFeedDocument, then its
// pre-signed URL), un-gzipping it when Amazon says it is compressed.
func (c *Connector) readReport(ctx context.Context, what, docID string) (*feedReport, error) {
	var doc struct {
		URL         string `json:"url"`
		Compression string `json:"compressionAlgorithm"`
	}
	if err := c.do(ctx, opGetDoc, what+": getFeedDocument", "GET", feedsPath+"/documents/"+url.PathEscape(docID), nil, nil, &doc); err != nil {
		return nil, err
	}
	if !httpURL(doc.URL) {
		return nil, fault.Retryable(fmt.Errorf("amazon: %s: getFeedDocument %s answered no URL", what, docID))
	}
	raw, err := c.transfer(ctx, what+": download processing report", http.MethodGet, doc.URL, nil)
	if err != nil {
		return nil, err
	}
	switch strings.ToUpper(doc.Compression) {
	case "":
	case "GZIP":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err == nil {
			raw, err = io.ReadAll(io.LimitReader(zr, maxBody))
		}
		if err != nil {
			return nil, fault.Retryable(fmt.Errorf("amazon: %s: processing report %s: gunzip: %w", what, docID, err))
		}
	default:
		return nil, fault.Permanentf("amazon: %s: processing report %s: unknown compression %q", what, docID, doc.Compression)
	}
	var rep feedReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		return nil, fault.Permanent(fmt.Errorf("amazon: %s: processing report %s: %w", what, docID, jsonpos.Where(raw, err)))
	}
	return &rep, nil
}

// judge turns a finished feed into the push's outcome: nil when every
// SKU was applied, else a fault.PartialError naming the refused SKUs
// with Amazon's issues. A FATAL feed, or an ERROR not tied to a message,
// refuses every SKU not otherwise refused (FATAL: "some, none, or all"
// may have applied; the sync pushes them again later).
func (c *Connector) judge(what string, fl *inFlight, status string, rep *feedReport) error {
	rejected := map[string]string{}
	var general []string
	if rep != nil {
		for _, is := range rep.Issues {
			sku := is.SKU
			if is.MessageID >= 1 && int(is.MessageID) <= len(fl.SKUs) {
				sku = fl.SKUs[is.MessageID-1]
			}
			text := strings.TrimPrefix(is.Code+": "+is.Message, ": ")
			if !strings.EqualFold(is.Severity, "ERROR") {
				if c.env.Logger != nil {
					c.env.Logger.Warn("amazon: feed message with an issue", "feed", fl.FeedID, "sku", sku,
						"severity", is.Severity, "issue", text)
				}
				continue
			}
			if sku == "" {
				general = append(general, text)
				continue
			}
			if prev := rejected[sku]; prev != "" {
				text = prev + "; " + text
			}
			rejected[sku] = text
		}
	}
	reason := ""
	switch {
	case status == "FATAL":
		reason = fmt.Sprintf("feed %s aborted by Amazon (FATAL)", fl.FeedID)
		if len(general) > 0 {
			reason += ": " + strings.Join(general, "; ")
		}
	case len(general) > 0:
		reason = fmt.Sprintf("feed %s: %s", fl.FeedID, strings.Join(general, "; "))
	case rep.Summary.MessagesAccepted < int64(len(fl.SKUs)-len(rejected)):
		reason = fmt.Sprintf("feed %s: the processing report accepts %d of %d messages", fl.FeedID,
			rep.Summary.MessagesAccepted, len(fl.SKUs))
	}
	var accepted []string
	for _, sku := range fl.SKUs {
		if _, bad := rejected[sku]; !bad && reason != "" {
			rejected[sku] = reason
		}
		if _, bad := rejected[sku]; !bad {
			accepted = append(accepted, sku)
		}
	}
	if len(rejected) == 0 {
		return nil
	}
	skus := make([]string, 0, len(rejected))
	for s := range rejected {
		skus = append(skus, s)
	}
	sort.Strings(skus)
	return &fault.PartialError{Accepted: accepted, Rejected: rejected,
		Err: fmt.Errorf("amazon: %s: feed %s (%s): refused %s", what, fl.FeedID, status, strings.Join(skus[:min(len(skus), 10)], ", "))}
}
