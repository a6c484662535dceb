package engine

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// RecHealth is the record kind of connector health.
const RecHealth = "health"

// ConnectorHealth is what an operator wants to know about a connector:
// when it last worked, when and how it last failed.
type ConnectorHealth struct {
	Name        string    `json:"name"`
	LastSuccess time.Time `json:"last_success,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitempty"`
	Successes   int64     `json:"successes"`
	Failures    int64     `json:"failures"`
}

// Health collects job outcomes per connector in memory and flushes them
// to the store, where every replica's view is merged.
type Health struct {
	mu      sync.Mutex
	pending map[string]*ConnectorHealth
}

// NewHealth returns an empty tracker.
func NewHealth() *Health { return &Health{pending: map[string]*ConnectorHealth{}} }

// JobConnector names the connector a job talks to ("" for none): its
// supplier, else its channel, else the connector that received it.
func JobConnector(j *store.Job) string {
	return firstNonEmpty(j.Meta["supplier"], j.Meta["channel"], j.Meta[MetaConnector])
}

// Observe records a job outcome for the connector the job talked to.
func (h *Health) Observe(j *store.Job, outcome string, at time.Time, err error) {
	name := JobConnector(j)
	if name == "" || outcome == "throttled" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.pending[name]
	if c == nil {
		c = &ConnectorHealth{Name: name}
		h.pending[name] = c
	}
	if err == nil {
		c.Successes++
		c.LastSuccess = at
		return
	}
	c.Failures++
	c.LastError, c.LastErrorAt = err.Error(), at
}

// Flush merges what was observed since the last flush into the store.
func (h *Health) Flush(ctx context.Context, st store.Records) error {
	h.mu.Lock()
	batch := h.pending
	h.pending = map[string]*ConnectorHealth{}
	h.mu.Unlock()
	var errs []error
	for name, d := range batch {
		if err := mergeHealth(ctx, st, name, d); err != nil {
			errs = append(errs, err)
			h.mu.Lock()
			h.pending[name] = d // try again next time
			h.mu.Unlock()
		}
	}
	return errors.Join(errs...)
}

func mergeHealth(ctx context.Context, st store.Records, name string, d *ConnectorHealth) error {
	for try := 0; try < 5; try++ {
		cur := ConnectorHealth{Name: name}
		var version int64
		rec, err := st.GetRecord(ctx, RecHealth, name)
		switch {
		case err == nil:
			_ = json.Unmarshal(rec.Data, &cur)
			version = rec.Version
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		cur.Successes += d.Successes
		cur.Failures += d.Failures
		if d.LastSuccess.After(cur.LastSuccess) {
			cur.LastSuccess = d.LastSuccess
		}
		if d.LastErrorAt.After(cur.LastErrorAt) {
			cur.LastError, cur.LastErrorAt = d.LastError, d.LastErrorAt
		}
		data, _ := json.Marshal(cur)
		_, err = st.PutRecord(ctx, store.Record{Kind: RecHealth, ID: name, Data: data, Version: version, Created: rec.Created})
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		return err
	}
	return store.ErrConflict
}

// ConnectorsHealth reads the merged health of every connector.
func (e *Engine) ConnectorsHealth(ctx context.Context) (map[string]ConnectorHealth, error) {
	out := map[string]ConnectorHealth{}
	cursor := ""
	for {
		recs, next, err := e.Store.ListRecords(ctx, RecHealth, store.Query{Cursor: cursor, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			var h ConnectorHealth
			if json.Unmarshal(r.Data, &h) == nil {
				out[h.Name] = h
			}
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}
