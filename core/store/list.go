package store

import (
	"context"
)

// maxScanPages bounds how many store pages one filtered list request
// reads; a page may then hold fewer matches than asked for, with a cursor
// to go on (clients follow `next` until it is empty).
const maxScanPages = 20

// ListWhere pages through records of kind whose Index equals every entry
// of where. The store filters on one index field (the first of prefer
// that where names, else any); the rest are checked on each record, so
// filters combine. q carries the cursor, limit and time range.
func ListWhere(ctx context.Context, r Records, kind string, where map[string]string, prefer []string, q Query) ([]Record, string, error) {
	limit := q.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	q.Field, q.Value = "", ""
	for _, f := range prefer {
		if v, ok := where[f]; ok {
			q.Field, q.Value = f, v
			break
		}
	}
	if q.Field == "" {
		for f, v := range where {
			if q.Field == "" || f < q.Field { // deterministic choice
				q.Field, q.Value = f, v
			}
		}
	}
	var out []Record
	for page := 0; page < maxScanPages; page++ {
		q.Limit = limit - len(out)
		recs, next, err := r.ListRecords(ctx, kind, q)
		if err != nil {
			return nil, "", err
		}
		for _, rec := range recs {
			if matches(rec, where) {
				out = append(out, rec)
			}
		}
		if next == "" || len(out) >= limit {
			return out, next, nil
		}
		q.Cursor = next
	}
	return out, q.Cursor, nil
}

func matches(rec Record, where map[string]string) bool {
	for f, v := range where {
		if rec.Index[f] != v {
			return false
		}
	}
	return true
}
