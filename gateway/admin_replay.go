package gateway

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/dropgate/dropgate/core/app/replay"
)

// MaxReplayBody bounds the new config posted to POST /api/v1/route/replay.
const MaxReplayBody = 1 << 20

// ReplayFunc runs a what-if replay of the orders created in [since,
// until) under the config in body (file names it in problems). Problems
// are the config's, one "FILE:LINE: key.path: what" each; with any, no
// replay ran.
type ReplayFunc func(ctx context.Context, file string, body []byte, since, until time.Time) (*replay.Report, []string, error)

// ReplayProblems is the 422 answer to a new config with problems.
type ReplayProblems struct {
	Error    string   `json:"error"`
	Problems []string `json:"problems"`
}

// replayRoute is POST /api/v1/route/replay?since=&until=&file=: the body
// is a whole config YAML (the rules to try); the answer is what routing
// the stored orders of the period under it would change (replay.Report).
// Nothing is stored, queued or sent.
func (ad *Admin) replayRoute(w http.ResponseWriter, r *http.Request) {
	if ad.Replay == nil {
		writeError(w, http.StatusNotImplemented, "this server does not replay routing")
		return
	}
	qv := r.URL.Query()
	var since, until time.Time
	for k, dst := range map[string]*time.Time{"since": &since, "until": &until} {
		if v := qv.Get(k); v != "" {
			t, err := parseWhen(v)
			if err != nil {
				writeError(w, http.StatusBadRequest, k+": "+err.Error())
				return
			}
			*dst = t
		}
	}
	if since.IsZero() {
		writeError(w, http.StatusBadRequest, "since is required (RFC 3339 or a date)")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxReplayBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "the config exceeds 1 MiB")
			return
		}
		writeError(w, http.StatusBadRequest, "reading the config: "+err.Error())
		return
	}
	rep, probs, err := ad.Replay(r.Context(), qv.Get("file"), body, since, until)
	switch {
	case len(probs) > 0:
		writeJSON(w, http.StatusUnprocessableEntity, ReplayProblems{Error: "the new config has problems", Problems: probs})
	case err != nil:
		writeError(w, http.StatusUnprocessableEntity, err.Error())
	default:
		writeJSON(w, http.StatusOK, rep)
	}
}
