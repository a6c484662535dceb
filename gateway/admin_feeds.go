package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/internal/engine"
	"github.com/dropgate/dropgate/internal/feed"
)

// DefaultMaxFeedUpload bounds a feed file sent to POST
// /api/v1/feeds/{supplier}/import (Admin.MaxFeedUpload).
const DefaultMaxFeedUpload = 512 << 20

// feedImportTimeout is how long an import through the API may read and
// answer, past the server's read and write timeouts (a feed of a million
// rows takes a while); the import's claim expires after as long.
const feedImportTimeout = 30 * time.Minute

// FeedImportResponse is the answer of POST /api/v1/feeds/{supplier}/import:
// the import's result and diff, its first bad rows, the exception an
// operator approves or discards when it is quarantined, and, with an error
// status, the error (the result then says how far it got).
type FeedImportResponse struct {
	*feed.Result
	Errors    []string `json:"errors,omitempty"`
	Exception string   `json:"exception,omitempty"`
	Error     string   `json:"error,omitempty"`
}

// importFeed is POST /api/v1/feeds/{supplier}/import?dry_run=&force=&filename=:
// runs the supplier's feed import now in the server, which owns the store
// (the embedded store has one owner), and answers with the diff it
// applied, or would apply with dry_run. A request body, when there is one,
// is the feed file to import instead of the configured source (at most
// MaxFeedUpload bytes, read as it is parsed); filename names it in
// messages.
func (ad *Admin) importFeed(w http.ResponseWriter, r *http.Request) {
	supplier := r.PathValue("supplier")
	o, err := ad.feedImportOptions(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if o.Upload != nil && r.ContentLength > ad.maxFeedUpload() {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the feed file exceeds %d bytes", ad.maxFeedUpload()))
		return
	}
	// The server's read and write timeouts suit webhooks, not a large feed.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(feedImportTimeout))
	_ = rc.SetWriteDeadline(time.Now().Add(feedImportTimeout))
	res, err := ad.Engine.ImportFeed(r.Context(), supplier, o)
	out := FeedImportResponse{Result: res}
	if res != nil {
		for _, e := range res.Errors {
			out.Errors = append(out.Errors, e.Error())
		}
		if res.Quarantined && !res.DryRun && res.Meta != nil {
			out.Exception = engine.FeedExceptionID(supplier, res.Meta.ID)
		}
	}
	if err == nil {
		ad.Engine.Log.Info("feed import through the admin API", "supplier", supplier, "by", actor(r), "dry_run", o.DryRun,
			"applied", res.Applied, "quarantined", res.Quarantined)
		writeJSON(w, http.StatusOK, out)
		return
	}
	out.Error = err.Error()
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		out.Error = fmt.Sprintf("the feed file exceeds %d bytes", ad.maxFeedUpload())
		writeJSON(w, http.StatusRequestEntityTooLarge, out)
	case errors.Is(err, feed.ErrUser):
		writeJSON(w, http.StatusBadRequest, out)
	case errors.Is(err, engine.ErrFeedBusy), errors.Is(err, feed.ErrConcurrent):
		writeJSON(w, http.StatusConflict, out)
	default:
		writeJSON(w, http.StatusInternalServerError, out)
	}
}

// feedImportOptions reads the query and the optional upload.
func (ad *Admin) feedImportOptions(w http.ResponseWriter, r *http.Request) (engine.FeedImport, error) {
	var o engine.FeedImport
	q := r.URL.Query()
	for name, dst := range map[string]*bool{"dry_run": &o.DryRun, "force": &o.Force} {
		if v := q.Get(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return o, fmt.Errorf("%s: %q is not true or false", name, v)
			}
			*dst = b
		}
	}
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return o, nil // no upload: the configured source
	}
	name := uploadName(q.Get("filename"))
	o.Upload = http.MaxBytesReader(w, r.Body, ad.maxFeedUpload())
	o.UploadName, o.UploadSize = "upload "+name, r.ContentLength
	return o, nil
}

// uploadName keeps a short, printable base name of what the client calls
// its file, for messages only: it never becomes a path on the server.
func uploadName(s string) string {
	s = path.Base(strings.ReplaceAll(s, `\`, "/"))
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if s == "" || s == "." || s == "/" {
		return "feed"
	}
	if len(s) > 100 {
		s = s[:100]
	}
	return s
}

func (ad *Admin) maxFeedUpload() int64 {
	if ad.MaxFeedUpload > 0 {
		return ad.MaxFeedUpload
	}
	return DefaultMaxFeedUpload
}
