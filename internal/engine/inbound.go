package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// Job kinds of the inbound pipeline. A supplier's inbox is polled by one
// replica per tick; each new file is fetched once (its identity is its
// unique key), kept raw, parsed, and turned into documents on their
// orders' queues. A file that cannot be parsed is dead-lettered with its
// bytes and the parser's precise error, and blocks nothing else.
const (
	KindInboxPoll    = "inbox.poll"
	KindInboundFetch = "inbound.fetch"
	KindInboundParse = "inbound.parse"
)

// PollInboxJob is the job of one poll tick. Its unique key is the tick, so
// however many replicas fire it, one job runs.
func PollInboxJob(supplier string, now time.Time, every time.Duration) store.Job {
	slot := now.Truncate(every).Unix()
	return store.Job{Queue: QueueInbound, Kind: KindInboxPoll, Key: "supplier:" + supplier,
		Meta:      map[string]string{"supplier": supplier},
		UniqueKey: "inbox.poll:" + supplier + ":" + strconv.FormatInt(slot, 10), UniqueTTL: 2 * every, MaxAttempts: 3}
}

func (e *Engine) inbox(name string) (connector.Inbox, error) {
	sup, ok := e.Suppliers[name]
	if !ok {
		return nil, fault.Permanentf("supplier %q is not configured", name)
	}
	in, ok := connector.As[connector.Inbox](sup)
	if !ok {
		return nil, fault.Permanentf("supplier %q has no inbox", name)
	}
	return in, nil
}

// handleInboxPoll lists the inbox and queues a fetch per file.
func (e *Engine) handleInboxPoll(ctx context.Context, j *store.Job) error {
	supplier := j.Meta["supplier"]
	in, err := e.inbox(supplier)
	if err != nil {
		return err
	}
	files, err := in.ListInbox(ctx)
	if err != nil {
		return fmt.Errorf("list inbox of %s: %w", supplier, err)
	}
	for _, f := range files {
		// A file's identity is its name, size and time: the same name
		// reused later for new content is a new file.
		id := fmt.Sprintf("%s:%d:%d", f.Name, f.Size, f.ModTime.UnixNano())
		err := e.enqueue(ctx, store.Job{Queue: QueueInbound, Kind: KindInboundFetch, Key: "supplier:" + supplier,
			Meta:      map[string]string{"supplier": supplier, "file": f.Name},
			UniqueKey: "inbound.fetch:" + supplier + ":" + id, UniqueTTL: 30 * 24 * time.Hour, MaxAttempts: e.attempts(supplier)})
		if err != nil {
			return err
		}
	}
	return nil
}

// handleInboundFetch reads one file, keeps it raw, queues its parse with
// the bytes as payload (so a dead letter holds the file itself), and only
// then moves it out of the inbox.
func (e *Engine) handleInboundFetch(ctx context.Context, j *store.Job) error {
	supplier, name := j.Meta["supplier"], j.Meta["file"]
	in, err := e.inbox(supplier)
	if err != nil {
		return err
	}
	data, err := in.ReadInbox(ctx, name)
	if errors.Is(err, connector.ErrGone) {
		return nil // another replica took it, or it was archived by hand
	}
	if err != nil {
		return fmt.Errorf("read %s from %s: %w", name, supplier, err)
	}
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:12])
	rawKey := "raw/inbound/" + supplier + "/" + digest + "/" + name
	if err := e.Store.PutBlob(ctx, rawKey, data); err != nil {
		return fmt.Errorf("keep raw %s: %w", name, err)
	}
	err = e.enqueue(ctx, store.Job{Queue: QueueInbound, Kind: KindInboundParse, Payload: data,
		Meta:      map[string]string{"supplier": supplier, "file": name, "raw": rawKey},
		UniqueKey: "inbound.parse:" + supplier + ":" + digest, UniqueTTL: 90 * 24 * time.Hour, MaxAttempts: 5})
	if err != nil {
		return err
	}
	if err := in.ArchiveInbox(ctx, name); err != nil && !errors.Is(err, connector.ErrGone) {
		return fmt.Errorf("archive %s: %w", name, err)
	}
	return nil
}

// handleInboundParse turns a file into documents, answers it (997/CONTRL)
// and records what could not be used.
func (e *Engine) handleInboundParse(ctx context.Context, j *store.Job) error {
	supplier, name := j.Meta["supplier"], j.Meta["file"]
	sup, ok := e.Suppliers[supplier]
	if !ok {
		return fault.Permanentf("supplier %q is not configured", supplier)
	}
	parser, ok := connector.As[connector.DocumentParser](sup)
	if !ok {
		return fault.Permanentf("supplier %q (%s) cannot read documents", supplier, sup.Type())
	}
	parsed, err := parser.ParseDocuments(ctx, name, j.Payload)
	if err != nil {
		return err // permanent parse errors go to the dead letters with the file
	}
	for _, d := range parsed.Docs {
		if d.FuncAck != nil {
			if err := e.applyFunctionalAck(ctx, supplier, d); err != nil {
				return err
			}
			continue
		}
		if len(d.Inventory) > 0 && d.PONumber == "" {
			e.applyInventory(ctx, supplier, d)
			continue
		}
		if err := e.QueueDocument(ctx, supplier, name, d); err != nil {
			return err
		}
	}
	for _, r := range parsed.Rejected {
		if err := e.raise(ctx, model.Exception{Kind: model.ExDocumentRejected, Supplier: supplier, Ref: r.ID,
			Reason:  fmt.Sprintf("%s %s in %s could not be used: %s", supplier, r.Type, name, strings.Join(r.Errors, "; ")),
			Actions: []string{"resolve"}}); err != nil {
			return err
		}
	}
	if len(parsed.Replies) > 0 {
		rs, ok := connector.As[connector.ReplySender](sup)
		if !ok {
			return fault.Permanentf("supplier %q produced acknowledgements but cannot send them", supplier)
		}
		for _, r := range parsed.Replies {
			if err := rs.SendReply(ctx, r); err != nil {
				return fmt.Errorf("send %s to %s: %w", r.Name, supplier, err)
			}
		}
	}
	return nil
}

// applyInventory records a supplier's stock report (846, INVRPT) in the
// routing catalog.
func (e *Engine) applyInventory(ctx context.Context, supplier string, d connector.InboundDoc) {
	for _, lvl := range d.Inventory {
		if e.Catalog != nil && !e.Catalog.SetStock(supplier, lvl.SupplierSKU, lvl.Available) {
			e.Log.Info("stock report for an item not in the catalog", "supplier", supplier, "supplier_sku", lvl.SupplierSKU)
		}
	}
	e.syncSoon(ctx)
}
