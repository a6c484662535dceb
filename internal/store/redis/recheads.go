package redis

import "sync"

// recordHeads remembers, per record, the head (version, index JSON,
// Created: the fields a write checks) this process last read or wrote.
// A job reads a record, then writes it at the version it read: the
// write's read of the head (readHead) would fetch what the job's read
// just gave. With the head remembered at that version the write sends no
// read, one round trip fewer for the job (the PO job's update of its
// order: one per order). Nothing is taken on trust: the put script still
// checks version, index and Created, answering "conflict" or "refresh"
// exactly as it would after a read, and a remembered head is used only for
// the version the job itself read (never for "whatever is stored", never
// for a delete). It is a hint, so it is simply emptied when full.
type recordHeads struct {
	mu sync.Mutex
	m  map[string]recordHeadOf
}

// recordHeadOf is one record's head as its hash stores it.
type recordHeadOf struct {
	v    int64
	i, c string
}

// recordHeadsMax bounds the entries kept: a worker's handlers touch a few
// records each, so this holds far more than are in flight.
const recordHeadsMax = 4096

func recordHeadKey(kind, id string) string { return kind + "\x00" + id }

// remember notes kind/id's head as read, or forgets it (st nil: none).
func (h *recordHeads) remember(kind, id string, st *stored) {
	if st == nil {
		h.forget(kind, id)
		return
	}
	h.written(kind, id, st.rec.Version, st.rawIndex, st.created)
}

// written notes the head now stored at version v.
func (h *recordHeads) written(kind, id string, v int64, rawIndex, created string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil || len(h.m) >= recordHeadsMax {
		h.m = make(map[string]recordHeadOf)
	}
	h.m[recordHeadKey(kind, id)] = recordHeadOf{v: v, i: rawIndex, c: created}
}

func (h *recordHeads) forget(kind, id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.m, recordHeadKey(kind, id))
}

// at returns kind/id's remembered head, in the form headOf gives, when it
// is at version v.
func (h *recordHeads) at(kind, id string, v int64) (map[string]string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.m[recordHeadKey(kind, id)]
	if !ok || e.v != v {
		return nil, false
	}
	return map[string]string{"v": itoa(e.v), "i": e.i, "c": e.c}, true
}
