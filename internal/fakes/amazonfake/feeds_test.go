package amazonfake

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

const base = "https://sellingpartnerapi-na.amazon.example"

type caller struct {
	t   *testing.T
	h   *http.Client
	tok string
}

func newCaller(t *testing.T, f *Fake) *caller {
	c := &caller{t: t, h: &http.Client{Transport: f.Transport()}}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {RefreshToken}, "client_id": {ClientID},
		"client_secret": {ClientSecret}}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	c.call("POST", base+TokenPath, "application/x-www-form-urlencoded", []byte(form.Encode()), http.StatusOK, &tok)
	c.tok = tok.AccessToken
	return c
}

// call sends a request and checks its status; out, when set, takes the
// JSON answer.
func (c *caller) call(method, u, contentType string, body []byte, want int, out any) []byte {
	c.t.Helper()
	req, _ := http.NewRequest(method, u, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.tok != "" && !strings.Contains(u, DocumentPath) {
		req.Header.Set("x-amz-access-token", c.tok)
	}
	resp, err := c.h.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: %d %s; want %d", method, u, resp.StatusCode, raw, want)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %v", method, u, err)
		}
	}
	return raw
}

// submit uploads doc and creates a feed of it, returning the feed id.
func (c *caller) submit(doc string) string {
	c.t.Helper()
	const ct = "application/json; charset=UTF-8"
	var d struct{ FeedDocumentID, URL string }
	c.call("POST", base+feedsPath+"/documents", "application/json", []byte(`{"contentType":"`+ct+`"}`), http.StatusCreated, &d)
	c.call("PUT", d.URL, ct, []byte(doc), http.StatusOK, nil)
	var fd struct{ FeedID string }
	spec := `{"feedType":"JSON_LISTINGS_FEED","marketplaceIds":["` + Marketplace + `"],"inputFeedDocumentId":"` + d.FeedDocumentID + `"}`
	c.call("POST", base+feedsPath+"/feeds", "application/json", []byte(spec), http.StatusAccepted, &fd)
	return fd.FeedID
}

type report struct {
	Issues []struct {
		MessageID int64
		SKU       string
		Severity  string
		Message   string
	}
	Summary struct{ MessagesProcessed, MessagesAccepted, MessagesInvalid int }
}

// finish polls the feed to its end and reads its gzipped report.
func (c *caller) finish(id string) (string, report) {
	c.t.Helper()
	var fd struct {
		ProcessingStatus     string
		ResultFeedDocumentID string
	}
	for _, want := range []string{"IN_PROGRESS", ""} {
		c.call("GET", base+feedsPath+"/feeds/"+id, "", nil, http.StatusOK, &fd)
		if want != "" && fd.ProcessingStatus != want {
			c.t.Fatalf("feed %s is %s; want %s", id, fd.ProcessingStatus, want)
		}
	}
	var d struct{ URL, CompressionAlgorithm string }
	c.call("GET", base+feedsPath+"/documents/"+fd.ResultFeedDocumentID, "", nil, http.StatusOK, &d)
	zr, err := gzip.NewReader(bytes.NewReader(c.call("GET", d.URL, "", nil, http.StatusOK, nil)))
	if err != nil || d.CompressionAlgorithm != "GZIP" {
		c.t.Fatalf("report: %v, compression %q", err, d.CompressionAlgorithm)
	}
	var rep report
	raw, _ := io.ReadAll(zr)
	if err := json.Unmarshal(raw, &rep); err != nil {
		c.t.Fatal(err)
	}
	return fd.ProcessingStatus, rep
}

const header = `"header":{"sellerId":"` + SellerID + `","version":"2.0"}`

func qty(id, sku string, q string) string {
	return `{"messageId":` + id + `,"sku":"` + sku + `","operationType":"PATCH","productType":"PRODUCT","patches":[{"op":"replace",` +
		`"path":"/attributes/fulfillment_availability","value":[{"fulfillment_channel_code":"DEFAULT","quantity":` + q + `}]}]}`
}

func price(id, sku, v string) string {
	return `{"messageId":` + id + `,"sku":"` + sku + `","operationType":"PATCH","productType":"PRODUCT","patches":[{"op":"replace",` +
		`"path":"/attributes/purchasable_offer","value":[{"currency":"USD","our_price":[{"schedule":[{"value_with_tax":` + v + `}]}]}]}]}`
}

// The feed contract: messages are applied only when the feed is DONE;
// an unknown operationType, a missing sku, a price as a string or with
// more decimals than USD has are ERROR issues of their message and not
// applied; a bad header is FATAL.
func TestFeedMessagesValidated(t *testing.T) {
	f := New(WithClock(clock.NewFake(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))))
	c := newCaller(t, f)
	doc := `{` + header + `,"messages":[` + strings.Join([]string{
		qty("1", "OK-QTY", "7"),
		price("2", "OK-PRICE", "19.99"),
		price("3", "STRING-PRICE", `"19.99"`),
		price("4", "FLOAT-PRICE", "19.999"),
		`{"messageId":5,"sku":"ODD-OP","operationType":"MERGE","productType":"PRODUCT","patches":[]}`,
		`{"messageId":6,"operationType":"PATCH","productType":"PRODUCT","patches":[]}`,
		qty("7", "HALF", "1.5"),
	}, ",") + `]}`
	id := c.submit(doc)
	if _, ok := f.Listing("OK-QTY"); ok {
		t.Fatal("applied before processing")
	}
	status, rep := c.finish(id)
	if status != "DONE" || rep.Summary.MessagesProcessed != 7 || rep.Summary.MessagesAccepted != 2 || rep.Summary.MessagesInvalid != 5 {
		t.Fatalf("feed %s, summary %+v", status, rep.Summary)
	}
	bad := map[int64]bool{}
	for _, is := range rep.Issues {
		if is.Severity == "ERROR" {
			bad[is.MessageID] = true
		}
	}
	for _, id := range []int64{3, 4, 5, 6, 7} {
		if !bad[id] {
			t.Errorf("message %d has no ERROR issue: %+v", id, rep.Issues)
		}
	}
	if l, _ := f.Listing("OK-QTY"); l.Quantity != 7 || !l.HasQuantity {
		t.Errorf("OK-QTY %+v", l)
	}
	if l, _ := f.Listing("OK-PRICE"); l.Price != "19.99" {
		t.Errorf("OK-PRICE %+v", l)
	}
	for _, sku := range []string{"STRING-PRICE", "FLOAT-PRICE", "HALF"} {
		if l, ok := f.Listing(sku); ok {
			t.Errorf("%s applied: %+v", sku, l)
		}
	}

	status, rep = c.finish(c.submit(`{"header":{"sellerId":"OTHER","version":"2.0"},"messages":[` + qty("1", "X", "1") + `]}`))
	if status != "FATAL" || len(rep.Issues) != 1 || rep.Issues[0].MessageID != 0 {
		t.Errorf("foreign seller: %s %+v; want FATAL with a feed-level issue", status, rep.Issues)
	}
}

// The pre-signed upload must carry the declared content type and the
// signature; SP-API routes want the access token; createFeed is held to
// its plan (429 QuotaExceeded).
func TestFeedUploadAuthAndQuota(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	f := New(WithClock(clk), WithLimits(map[string]*kit.TokenBucket{OpCreateFeed: kit.AmazonSP(0.0083, 15)}))
	c := newCaller(t, f)
	var d struct{ FeedDocumentID, URL string }
	c.call("POST", base+feedsPath+"/documents", "application/json", []byte(`{"contentType":"application/json; charset=UTF-8"}`),
		http.StatusCreated, &d)
	c.call("PUT", d.URL, "text/plain", []byte("{}"), http.StatusForbidden, nil)
	c.call("PUT", strings.Replace(d.URL, "Signature=", "Signature=x", 1), "application/json; charset=UTF-8", []byte("{}"),
		http.StatusForbidden, nil)
	spec := `{"feedType":"JSON_LISTINGS_FEED","marketplaceIds":["` + Marketplace + `"],"inputFeedDocumentId":"` + d.FeedDocumentID + `"}`
	c.call("POST", base+feedsPath+"/feeds", "application/json", []byte(spec), http.StatusBadRequest, nil) // not uploaded

	anon := &caller{t: t, h: c.h}
	anon.call("GET", base+feedsPath+"/feeds/50001", "", nil, http.StatusForbidden, nil)

	// JSON_LISTINGS_FEED: five feeds per five minutes (the refused call
	// above was one), whatever createFeed's burst.
	for range 4 {
		c.submit(`{` + header + `,"messages":[` + qty("1", "Q", "1") + `]}`)
	}
	c.call("POST", base+feedsPath+"/documents", "application/json", []byte(`{"contentType":"application/json; charset=UTF-8"}`),
		http.StatusCreated, &d)
	c.call("PUT", d.URL, "application/json; charset=UTF-8", []byte("{}"), http.StatusOK, nil)
	spec = `{"feedType":"JSON_LISTINGS_FEED","marketplaceIds":["` + Marketplace + `"],"inputFeedDocumentId":"` + d.FeedDocumentID + `"}`
	c.call("POST", base+feedsPath+"/feeds", "application/json", []byte(spec), http.StatusTooManyRequests, nil)
	if f.Server().QuotaViolations() != 1 {
		t.Errorf("quota violations %d; want 1", f.Server().QuotaViolations())
	}
}
