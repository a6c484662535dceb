package ui

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/app/replay"
	"github.com/dropgate/dropgate/core/money"
)

// ReplayFunc runs a what-if replay of the orders created in [since,
// until) under the config YAML in body (file names it in problems); the
// same as the admin API's POST /api/v1/route/replay.
type ReplayFunc func(ctx context.Context, file string, body []byte, since, until time.Time) (*replay.Report, []string, error)

// replayForm is GET /ui/replay: a textarea for the new config.
func (u *UI) replayForm(w http.ResponseWriter, r *http.Request) {
	u.render(w, r, "replay", map[string]any{"Since": "30d", "Enabled": u.Replay != nil})
}

// replayRun is POST /ui/replay: the report of routing the period's
// stored orders under the posted config. Nothing is stored or sent, so
// it renders in place rather than redirecting. The form is bounded by
// the dashboard's 64 KiB for any POST (auth); the API takes 1 MiB.
func (u *UI) replayRun(w http.ResponseWriter, r *http.Request) {
	yaml, sinceText := r.PostFormValue("config"), r.PostFormValue("since")
	data := map[string]any{"Since": sinceText, "Config": yaml, "Enabled": u.Replay != nil}
	if u.Replay == nil {
		u.fail(w, r, http.StatusNotImplemented, "This server does not replay routing.")
		return
	}
	since, err := replay.ParseWhen(sinceText, u.now().UTC())
	if err != nil {
		data["Problems"] = []string{"since: " + err.Error()}
		w.WriteHeader(http.StatusUnprocessableEntity)
		u.render(w, r, "replay", data)
		return
	}
	if strings.TrimSpace(yaml) == "" {
		data["Problems"] = []string{"paste the whole config to try (the YAML dropgate serve reads)"}
		w.WriteHeader(http.StatusUnprocessableEntity)
		u.render(w, r, "replay", data)
		return
	}
	rep, probs, err := u.Replay(r.Context(), "new.yaml", []byte(yaml), since, time.Time{})
	switch {
	case len(probs) > 0:
		data["Problems"] = probs
		w.WriteHeader(http.StatusUnprocessableEntity)
	case err != nil:
		data["Problems"] = []string{err.Error()}
		w.WriteHeader(http.StatusUnprocessableEntity)
	default:
		data["Report"] = rep
	}
	u.render(w, r, "replay", data)
}

// moneyList prints per-currency amounts for a report cell.
func moneyList(ms []money.Money) string {
	if len(ms) == 0 {
		return "—"
	}
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return strings.Join(parts, " + ")
}

func suppliersOf(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return strings.Join(s, "+")
}
