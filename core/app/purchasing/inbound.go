package purchasing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// The inbound pipeline. A supplier's inbox is polled by one replica per
// tick; each new file is fetched once (its identity is its unique key),
// kept raw, parsed, and turned into documents on their orders' queues. A
// file that cannot be parsed is dead-lettered with its bytes and the
// parser's precise error, and blocks nothing else.

// handleInboxPoll lists the inbox and queues a fetch per file.
func (s *Service) handleInboxPoll(ctx context.Context, _ *store.Job, t Tick) error {
	in, err := app.Supplier[connector.Inbox](s.d, t.Supplier, "inbox poll")
	if err != nil {
		return err
	}
	files, err := in.ListInbox(ctx)
	if err != nil {
		return fmt.Errorf("list inbox of %s: %w", t.Supplier, err)
	}
	// A supplier's documents are applied in the order it wrote them (its
	// 855 before its 856, when both wait in the inbox): oldest first,
	// fetched and parsed one at a time in the supplier's inbound group.
	sort.SliceStable(files, func(i, j int) bool {
		if !files[i].ModTime.Equal(files[j].ModTime) {
			return files[i].ModTime.Before(files[j].ModTime)
		}
		return files[i].Name < files[j].Name
	})
	for _, f := range files {
		id := fmt.Sprintf("%s:%d:%d", f.Name, f.Size, f.ModTime.UnixNano())
		err := job.Enqueue(ctx, s.d.Queue, KindFetch, InboxFile{Supplier: t.Supplier, Name: f.Name, ID: id},
			s.fetchOptions(t.Supplier, id))
		if err != nil {
			return err
		}
	}
	return nil
}

// InboundGroup orders a supplier's inbound files: fetched and parsed one
// after the other, so their documents reach the orders in file order.
func InboundGroup(supplier string) string { return "inbound:" + supplier }

func (s *Service) fetchOptions(supplier, id string) job.Mod {
	return func(j *store.Job) {
		j.Key = "supplier:" + supplier
		j.Group = InboundGroup(supplier)
		j.UniqueKey, j.UniqueTTL = "inbound.fetch:"+supplier+":"+id, 30*24*time.Hour
		j.MaxAttempts = s.d.Attempts(supplier)
	}
}

// handleFetch reads one file, keeps it raw, queues its parse with the
// bytes as payload (so a dead letter holds the file itself), and only
// then moves it out of the inbox.
func (s *Service) handleFetch(ctx context.Context, _ *store.Job, f InboxFile) error {
	in, err := app.Supplier[connector.Inbox](s.d, f.Supplier, "inbound fetch")
	if err != nil {
		return err
	}
	data, err := in.ReadInbox(ctx, f.Name)
	if errors.Is(err, connector.ErrGone) {
		return nil // another replica took it, or it was archived by hand
	}
	if err != nil {
		return fmt.Errorf("read %s from %s: %w", f.Name, f.Supplier, err)
	}
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:12])
	rawKey := "raw/inbound/" + f.Supplier + "/" + digest + "/" + f.Name
	if err := s.d.Blobs.PutBlob(ctx, rawKey, data); err != nil {
		return fmt.Errorf("keep raw %s: %w", f.Name, err)
	}
	if err := job.Enqueue(ctx, s.d.Queue, KindParse, Inbound{Supplier: f.Supplier, Name: f.Name, Raw: rawKey, Digest: digest, Data: data}); err != nil {
		return err
	}
	if err := in.ArchiveInbox(ctx, f.Name); err != nil && !errors.Is(err, connector.ErrGone) {
		return fmt.Errorf("archive %s: %w", f.Name, err)
	}
	return nil
}

// handleParse turns a file into documents, answers it (997/CONTRL) and
// records what could not be used.
func (s *Service) handleParse(ctx context.Context, _ *store.Job, in Inbound) error {
	parser, err := app.Supplier[connector.DocumentParser](s.d, in.Supplier, "read "+in.Name)
	if err != nil {
		return err
	}
	parsed, err := parser.ParseDocuments(ctx, in.Name, in.Data)
	if err != nil {
		return err // permanent parse errors go to the dead letters with the file
	}
	for _, d := range parsed.Docs {
		switch {
		case d.FuncAck != nil:
			err = s.applyFunctionalAck(ctx, in.Supplier, d)
		case len(d.Inventory) > 0 && d.PONumber == "":
			err = s.applyInventory(ctx, in.Supplier, d)
		default:
			err = s.QueueDocument(ctx, in.Supplier, in.Name, d)
		}
		if err != nil {
			return err
		}
	}
	for _, r := range parsed.Rejected {
		if err := s.raise(ctx, model.Exception{Kind: model.ExDocumentRejected, Supplier: in.Supplier, Ref: r.ID,
			Reason:  fmt.Sprintf("%s %s in %s could not be used: %s", in.Supplier, r.Type, in.Name, strings.Join(r.Errors, "; ")),
			Actions: []string{"resolve"}}); err != nil {
			return err
		}
	}
	if len(parsed.Replies) == 0 {
		return nil
	}
	rs, err := app.Supplier[connector.ReplySender](s.d, in.Supplier, "answer "+in.Name)
	if err != nil {
		return fault.Permanentf("supplier %q produced acknowledgements but cannot send them", in.Supplier)
	}
	for _, r := range parsed.Replies {
		if err := rs.SendReply(ctx, r); err != nil {
			return fmt.Errorf("send %s to %s: %w", r.Name, in.Supplier, err)
		}
	}
	return nil
}

// applyInventory records a supplier's stock report (846, INVRPT) in the
// routing catalog; what the channels show follows.
func (s *Service) applyInventory(ctx context.Context, supplier string, d connector.InboundDoc) error {
	for _, lvl := range d.Inventory {
		if s.d.Catalog != nil && !s.d.Catalog.SetStock(supplier, lvl.SupplierSKU, lvl.Available) {
			s.d.Log.Info("stock report for an item not in the catalog", "supplier", supplier, "supplier_sku", lvl.SupplierSKU)
		}
	}
	return s.d.Events.Publish(ctx, nil, []model.Event{{Type: model.EvAvailabilityChanged, Supplier: supplier, At: s.d.Now()}})
}
