package amazonfake

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// The Feeds API 2021-06-30 with JSON_LISTINGS_FEED, the only feed type
// modelled. A document is created, uploaded to its pre-signed URL with
// the content type declared, and named by createFeed; the feed moves
// IN_QUEUE → IN_PROGRESS → DONE one step per getFeed, and only at DONE
// are its messages applied and its processing report written.
const (
	feedsPath = "/feeds/2021-06-30"
	// DocumentPath is where the fake's pre-signed document URLs point
	// (Amazon's are on S3); no access token is needed there.
	DocumentPath = "/feed-documents/"
	// FeedType is the one feed type the fake processes.
	FeedType = "JSON_LISTINGS_FEED"
	// documentTTL is a pre-signed URL's life.
	documentTTL = 5 * time.Minute
)

type document struct {
	id, sig     string
	contentType string // declared at createFeedDocument (input documents)
	uploaded    bool
	body        []byte
	created     time.Time
	gzipped     bool // a result document
}

type feed struct {
	ID      string
	Status  string
	input   string
	result  string
	markets []string
	created time.Time
	started time.Time
	ended   time.Time
}

func (f *Fake) feedRoutes() {
	f.handle("POST "+feedsPath+"/documents", f.createFeedDocument)
	f.handle("GET "+feedsPath+"/documents/{id}", f.getFeedDocument)
	f.handle("POST "+feedsPath+"/feeds", f.createFeed)
	f.handle("GET "+feedsPath+"/feeds/{id}", f.getFeed)
	f.handle("PUT "+DocumentPath+"{id}", f.uploadDocument)
	f.handle("GET "+DocumentPath+"{id}", f.downloadDocument)
}

// FailNextFeed makes the next feed to finish end FATAL, its report
// holding reason as an issue of no message.
func (f *Fake) FailNextFeed(reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fatalNext = reason
}

// SetWarning makes feed messages of sku report a WARNING issue (the
// message is still applied).
func (f *Fake) SetWarning(sku, message string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.warnings[sku] = message
}

// FeedsCreated is how many feeds createFeed accepted.
func (f *Fake) FeedsCreated() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.feeds)
}

// FeedStatus is a feed's processingStatus ("" when unknown).
func (f *Fake) FeedStatus(id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fd, ok := f.feeds[id]; ok {
		return fd.Status
	}
	return ""
}

func (f *Fake) newDocument(r *http.Request) (*document, string) {
	d := &document{id: "amzn1.tortuga.4." + newToken("")[:24], sig: newToken(""), created: f.clock.Now()}
	f.docs[d.id] = d
	return d, presigned(r, d)
}

// presigned is d's URL on the host the request came to.
func presigned(r *http.Request, d *document) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + DocumentPath + d.id + "?X-Amz-Signature=" + d.sig
}

// createFeedDocument: {contentType} → 201 {feedDocumentId, url}.
func (f *Fake) createFeedDocument(r *http.Request) *kit.Response {
	var req struct {
		ContentType string `json:"contentType"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.ContentType == "" {
		return invalid("contentType is required")
	}
	d, u := f.newDocument(r)
	d.contentType = req.ContentType
	return kit.Created(map[string]string{"feedDocumentId": d.id, "url": u})
}

// s3Denied is S3's refusal of a pre-signed request.
func s3Denied(code, message string) *kit.Response {
	body := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message + "</Message></Error>"
	return (&kit.Response{Status: http.StatusForbidden, Raw: []byte(body)}).WithHeader("Content-Type", "application/xml")
}

// signed finds the document a pre-signed request names, if its
// signature holds and it has not expired.
func (f *Fake) signed(r *http.Request) (*document, *kit.Response) {
	d, ok := f.docs[r.PathValue("id")]
	if !ok || !kit.Equal(r.URL.Query().Get("X-Amz-Signature"), d.sig) {
		return nil, s3Denied("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
	}
	if f.clock.Now().Sub(d.created) > documentTTL {
		return nil, s3Denied("AccessDenied", "Request has expired")
	}
	return d, nil
}

// uploadDocument is the PUT to a pre-signed URL: the Content-Type is
// part of the signature, so it must be the one declared.
func (f *Fake) uploadDocument(r *http.Request) *kit.Response {
	d, resp := f.signed(r)
	if resp != nil {
		return resp
	}
	if d.contentType == "" || r.Header.Get("Content-Type") != d.contentType {
		return s3Denied("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided (Content-Type).")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return invalid("unreadable body")
	}
	d.body, d.uploaded = body, true
	return &kit.Response{Status: http.StatusOK}
}

func (f *Fake) downloadDocument(r *http.Request) *kit.Response {
	d, resp := f.signed(r)
	if resp != nil {
		return resp
	}
	return &kit.Response{Status: http.StatusOK, Raw: d.body}
}

// getFeedDocument answers a fresh pre-signed URL for a document.
func (f *Fake) getFeedDocument(r *http.Request) *kit.Response {
	d, ok := f.docs[r.PathValue("id")]
	if !ok {
		return fail(http.StatusNotFound, "NotFound", "The requested feed document was not found.", "")
	}
	d.created = f.clock.Now() // a fresh URL for five minutes
	out := map[string]string{"feedDocumentId": d.id, "url": presigned(r, d)}
	if d.gzipped {
		out["compressionAlgorithm"] = "GZIP"
	}
	return kit.OK(out)
}

// createFeed: feedType, marketplaceIds and an uploaded
// inputFeedDocumentId → 202 {feedId}, IN_QUEUE.
func (f *Fake) createFeed(r *http.Request) *kit.Response {
	var req struct {
		FeedType            string   `json:"feedType"`
		MarketplaceIDs      []string `json:"marketplaceIds"`
		InputFeedDocumentID string   `json:"inputFeedDocumentId"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.FeedType == "" || len(req.MarketplaceIDs) == 0 ||
		req.InputFeedDocumentID == "" {
		return invalid("feedType, marketplaceIds and inputFeedDocumentId are required")
	}
	if req.FeedType != FeedType {
		return invalid("feedType " + req.FeedType + " is not modelled by this fake")
	}
	d, ok := f.docs[req.InputFeedDocumentID]
	if !ok || !d.uploaded {
		return invalid("inputFeedDocumentId " + req.InputFeedDocumentID + " has no uploaded document")
	}
	fd := &feed{ID: strconv.Itoa(50000 + len(f.feeds) + 1), Status: "IN_QUEUE", input: d.id, markets: req.MarketplaceIDs,
		created: f.clock.Now()}
	f.feeds[fd.ID] = fd
	return kit.JSON(http.StatusAccepted, map[string]string{"feedId": fd.ID})
}

// getFeed advances the feed one step and answers it.
func (f *Fake) getFeed(r *http.Request) *kit.Response {
	fd, ok := f.feeds[r.PathValue("id")]
	if !ok {
		return fail(http.StatusNotFound, "NotFound", "The requested feed was not found.", "")
	}
	now := f.clock.Now()
	switch fd.Status {
	case "IN_QUEUE":
		fd.Status, fd.started = "IN_PROGRESS", now
	case "IN_PROGRESS":
		fd.ended = now
		f.process(r, fd)
	}
	out := map[string]any{"feedId": fd.ID, "feedType": FeedType, "marketplaceIds": fd.markets,
		"createdTime": fd.created.UTC().Format(time.RFC3339), "processingStatus": fd.Status}
	if !fd.started.IsZero() {
		out["processingStartTime"] = fd.started.UTC().Format(time.RFC3339)
	}
	if !fd.ended.IsZero() {
		out["processingEndTime"] = fd.ended.UTC().Format(time.RFC3339)
	}
	if fd.result != "" {
		out["resultFeedDocumentId"] = fd.result
	}
	return kit.OK(out)
}

// reportIssue is an issue of the processing report (v2).
type reportIssue struct {
	MessageID int64  `json:"messageId,omitempty"`
	SKU       string `json:"sku,omitempty"`
	Code      string `json:"code"`
	Severity  string `json:"severity"`
	Message   string `json:"message"`
}

// process runs the feed: DONE with each valid message applied, or FATAL
// when the document itself is unusable (or FailNextFeed says so). The
// report is written as a gzipped result document.
func (f *Fake) process(r *http.Request, fd *feed) {
	var issues []reportIssue
	accepted, processed := 0, 0
	fd.Status = "DONE"
	if f.fatalNext != "" {
		// Aborted before any message was applied.
		issues = []reportIssue{{Code: "4000001", Severity: "ERROR", Message: f.fatalNext}}
		fd.Status, f.fatalNext = "FATAL", ""
	} else {
		issues, accepted, processed = f.run(f.docs[fd.input].body)
	}
	if accepted < 0 {
		fd.Status, accepted = "FATAL", 0
	}
	errs, warns := 0, 0
	for _, is := range issues {
		if is.Severity == "ERROR" {
			errs++
		} else {
			warns++
		}
	}
	rep := map[string]any{
		"header": map[string]string{"sellerId": SellerID, "version": "2.0", "feedId": fd.ID},
		"issues": issues,
		"summary": map[string]int{"errors": errs, "warnings": warns, "messagesProcessed": processed,
			"messagesAccepted": max(accepted, 0), "messagesInvalid": processed - max(accepted, 0)},
	}
	raw, _ := json.Marshal(rep)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	d, _ := f.newDocument(r)
	d.body, d.uploaded, d.gzipped = z.Bytes(), true, true
	fd.result = d.id
}

// feedMessage is a message of the listings feed as the fake reads it.
type feedMessage struct {
	MessageID     json.Number `json:"messageId"`
	SKU           string      `json:"sku"`
	OperationType string      `json:"operationType"`
	ProductType   string      `json:"productType"`
	Patches       []patch     `json:"patches"`
}

// run validates and applies a feed document's messages. accepted < 0
// means the document could not be read at all (FATAL).
func (f *Fake) run(body []byte) (issues []reportIssue, accepted, processed int) {
	var doc struct {
		Header *struct {
			SellerID string `json:"sellerId"`
			Version  string `json:"version"`
		} `json:"header"`
		Messages []json.RawMessage `json:"messages"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	fatal := func(msg string) ([]reportIssue, int, int) {
		return []reportIssue{{Code: "4000002", Severity: "ERROR", Message: msg}}, -1, 0
	}
	if err := dec.Decode(&doc); err != nil {
		return fatal("The feed is not valid JSON: " + err.Error())
	}
	switch {
	case doc.Header == nil || doc.Header.Version != "2.0":
		return fatal("header.version must be \"2.0\"")
	case doc.Header.SellerID != SellerID:
		return fatal("header.sellerId does not match the selling partner")
	case len(doc.Messages) == 0:
		return fatal("messages are required")
	}
	seen := map[int64]bool{}
	for i, raw := range doc.Messages {
		processed++
		var m feedMessage
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		err := d.Decode(&m)
		id, idErr := m.MessageID.Int64()
		bad := func(msg string) {
			issues = append(issues, reportIssue{MessageID: id, SKU: m.SKU, Code: "4000003", Severity: "ERROR", Message: msg})
		}
		switch {
		case err != nil:
			id = int64(i + 1)
			bad("message is not valid: " + err.Error())
		case idErr != nil || id < 1 || seen[id]:
			id = 0
			issues = append(issues, reportIssue{SKU: m.SKU, Code: "4000003", Severity: "ERROR",
				Message: fmt.Sprintf("message %d: messageId must be a unique positive integer", i+1)})
		case m.SKU == "":
			bad("sku is required")
		case m.OperationType == "UPDATE" || m.OperationType == "PARTIAL_UPDATE" || m.OperationType == "DELETE":
			bad("operationType " + m.OperationType + " is not modelled by this fake")
		case m.OperationType != "PATCH":
			bad("operationType must be one of UPDATE, PARTIAL_UPDATE, PATCH, DELETE")
		case m.ProductType == "" || len(m.Patches) == 0:
			bad("productType and patches are required for PATCH")
		default:
			seen[id] = true
			if msg, ok := f.issues[m.SKU]; ok {
				issues = append(issues, reportIssue{MessageID: id, SKU: m.SKU, Code: "90220", Severity: "ERROR", Message: msg})
				continue
			}
			if msg := f.apply(m.SKU, m.Patches); msg != "" {
				bad(msg)
				continue
			}
			if msg, ok := f.warnings[m.SKU]; ok {
				issues = append(issues, reportIssue{MessageID: id, SKU: m.SKU, Code: "18448", Severity: "WARNING", Message: msg})
			}
			accepted++
		}
	}
	return issues, accepted, processed
}
