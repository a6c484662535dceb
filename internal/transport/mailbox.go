package transport

import (
	"context"
	"fmt"

	"github.com/dropgate/dropgate/core/connector"
)

// Mailbox gives a file-based supplier connector (X12, EDIFACT) its inbox
// and reply capabilities over a Transport. Connectors embed it, so the
// delegation is written once.
type Mailbox struct {
	Name string // the connector instance, for error context
	T    Transport
}

var (
	_ connector.Inbox       = Mailbox{}
	_ connector.ReplySender = Mailbox{}
)

// ListInbox lists the partner's documents waiting in the inbox, oldest
// first.
func (m Mailbox) ListInbox(ctx context.Context) ([]connector.InboxFile, error) {
	files, err := m.T.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: list inbox: %w", m.Name, err)
	}
	return files, nil
}

// ReadInbox reads one inbox file; a file already gone is ErrNotExist.
func (m Mailbox) ReadInbox(ctx context.Context, name string) ([]byte, error) {
	b, err := m.T.Get(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("%s: read inbox %s: %w", m.Name, name, err)
	}
	return b, nil
}

// ArchiveInbox moves a processed file out of the inbox. The engine calls
// it once the file's contents are durably queued, so a crash in between
// reads the file again (and deduplicates its documents).
func (m Mailbox) ArchiveInbox(ctx context.Context, name string) error {
	if err := m.T.Archive(ctx, name); err != nil {
		return fmt.Errorf("%s: archive %s: %w", m.Name, name, err)
	}
	return nil
}

// SendReply puts a rendered acknowledgement (997/999, CONTRL) in the
// outbox. Put replaces a file of the same name, so sending again is
// harmless.
func (m Mailbox) SendReply(ctx context.Context, r connector.Reply) error {
	if err := m.T.Put(ctx, r.Name, r.Data); err != nil {
		return fmt.Errorf("%s: put %s: %w", m.Name, r.Name, err)
	}
	return nil
}
