package embedded

import (
	"time"
)

// uniqueHold is a remembered UniqueKey. A zero expires means the key lives
// as long as its job: until the job is acknowledged or discarded (a dead
// letter still holds it, since it may be replayed).
type uniqueHold struct {
	job     string
	expires time.Time
}

// uniqueRecord is a uniqueHold as files before uniques2 stored it.
type uniqueRecord struct {
	Job     string `json:"j"`
	Expires int64  `json:"x,omitempty"`
}

// uniqueIndex keeps every live unique key in memory, so Enqueue decides a
// duplicate without touching the file; the file copy only serves recovery.
// Keys with a TTL are also in a min-heap by expiry, so the sweep pops what
// has expired instead of scanning every key.
type uniqueIndex struct {
	byKey  map[string]uniqueHold
	expiry expiryHeap
}

func newUniqueIndex() uniqueIndex {
	return uniqueIndex{byKey: make(map[string]uniqueHold)}
}

// held reports whether key is remembered at now, forgetting it lazily when
// its TTL has passed (the file copy goes at the next sweep or overwrite).
func (u *uniqueIndex) held(key string, now time.Time) bool {
	h, ok := u.byKey[key]
	if !ok {
		return false
	}
	if !h.expires.IsZero() && !now.Before(h.expires) {
		delete(u.byKey, key)
		return false
	}
	return true
}

// hold remembers key for job, for ttl (0: the job's lifetime).
func (u *uniqueIndex) hold(key, job string, ttl time.Duration, now time.Time) uniqueHold {
	h := uniqueHold{job: job}
	if ttl > 0 {
		h.expires = now.Add(ttl)
		u.expiry.push(expiring{key: key, at: h.expires})
	}
	u.byKey[key] = h
	return h
}

// uniqueRelease says what the file does with a job's unique key when the
// job leaves it: delete a lifetime hold's row (files written before holds
// lived in headers have one), or keep a TTL hold, until now carried by the
// job's header, in a row of its own.
type uniqueRelease struct {
	drop, keep bool
	hold       uniqueHold
}

// releaseJob forgets key if it is held for the lifetime of job, and says
// what becomes of the stored copy.
func (u *uniqueIndex) releaseJob(key, job string) uniqueRelease {
	if key == "" {
		return uniqueRelease{}
	}
	h, ok := u.byKey[key]
	if !ok || h.job != job {
		return uniqueRelease{}
	}
	if !h.expires.IsZero() {
		return uniqueRelease{keep: true, hold: h}
	}
	delete(u.byKey, key)
	return uniqueRelease{drop: true}
}

// expired pops every hold whose TTL has passed by now and returns them,
// for their stored rows to be deleted. current says the hold was the
// key's last one (not replaced by a newer hold of the same key), whose
// row in a file written before uniques2 is under the key alone.
func (u *uniqueIndex) expired(now time.Time) []expiredHold {
	var out []expiredHold
	for u.expiry.Len() > 0 && !now.Before(u.expiry[0].at) {
		x := u.expiry.pop()
		h, ok := u.byKey[x.key]
		switch {
		case !ok:
			// Forgotten lazily and not re-used: only the file copy is left.
			out = append(out, expiredHold{expiring: x, current: true})
		case h.expires.Equal(x.at):
			delete(u.byKey, x.key)
			out = append(out, expiredHold{expiring: x, current: true})
		default:
			// Replaced by a newer hold: its row, if any, is its own.
			out = append(out, expiredHold{expiring: x})
		}
	}
	return out
}

// expiredHold is a hold the sweep found expired.
type expiredHold struct {
	expiring
	current bool
}

// Rows of holds that outlive their job are keyed by expiry, then key: a
// dedupe key is a random delivery id, so rows keyed by it alone each
// landed on a page of their own, one page rewritten per webhook acked;
// by expiry, the rows of one commit share the last page (every hold of a
// queue has the same TTL), and the sweep deletes from the first. Lookups
// never read the file: every live key is in memory (uniqueIndex).
func uniqueRowKey(key string, expires time.Time) []byte {
	return append(timeKey(expires), key...)
}

// putUnique stores a TTL hold that outlives its job (a lifetime hold
// ends with its job: releaseJob never keeps one).
func putUnique(tx *wtx, key string, h uniqueHold) error {
	return tx.Bucket(bucketUniques2).Put(uniqueRowKey(key, h.expires), []byte(h.job))
}

// deleteUniqueRows deletes the rows of expired holds.
func deleteUniqueRows(tx *wtx, holds []expiredHold) error {
	b, old := tx.Bucket(bucketUniques2), tx.Bucket(bucketUniques)
	for _, x := range holds {
		if err := b.Delete(uniqueRowKey(x.key, x.at)); err != nil {
			return err
		}
		if x.current {
			if err := old.Delete([]byte(x.key)); err != nil {
				return err
			}
		}
	}
	return nil
}

// expiring is one entry of the expiry heap.
type expiring struct {
	key string
	at  time.Time
}

// expiryHeap is a min-heap by at. It is typed rather than driven by
// container/heap, whose Push and Pop box every 40-byte element into an
// interface: an allocation per Enqueue with a TTL.
type expiryHeap []expiring

func (h expiryHeap) Len() int { return len(h) }

func (h *expiryHeap) push(x expiring) {
	*h = append(*h, x)
	a := *h
	for i := len(a) - 1; i > 0; {
		parent := (i - 1) / 2
		if !a[i].at.Before(a[parent].at) {
			break
		}
		a[i], a[parent] = a[parent], a[i]
		i = parent
	}
}

func (h *expiryHeap) pop() expiring {
	a := *h
	top := a[0]
	n := len(a) - 1
	a[0] = a[n]
	a[n] = expiring{} // drop the key string for the collector
	a = a[:n]
	for i := 0; ; {
		least, l, r := i, 2*i+1, 2*i+2
		if l < n && a[l].at.Before(a[least].at) {
			least = l
		}
		if r < n && a[r].at.Before(a[least].at) {
			least = r
		}
		if least == i {
			break
		}
		a[i], a[least] = a[least], a[i]
		i = least
	}
	*h = a
	return top
}
