package email

import (
	"context"
	"fmt"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/transport"
)

// fileBox is transport: file, for the demo and development: purchase
// orders are written to file.outbox as <PO>.eml (a temporary name, fsync,
// then a rename, so a reader never sees half a message and a resend
// replaces the file), and replies are read as .eml files from file.inbox.
// Any mail client opens the files; dropping a reply saved from one into
// the inbox folder walks the whole reply path without a mail server.
type fileBox struct {
	dir *transport.Directory
}

var (
	_ outbox  = (*fileBox)(nil)
	_ mailbox = (*fileBox)(nil)
)

func newFileBox(f File) *fileBox {
	return &fileBox{dir: transport.NewDirectory(f.Outbox, f.Inbox, f.Archive)}
}

// deliver writes the message as name; the envelope is in the headers.
func (b *fileBox) deliver(ctx context.Context, name, _ string, _ []string, data []byte) error {
	if err := b.dir.Put(ctx, name, data); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// list returns the .eml files of the inbox, oldest first; other files
// (a mail client's index, a README) are not replies and stay put.
func (b *fileBox) list(ctx context.Context) ([]connector.InboxFile, error) {
	files, err := b.dir.List(ctx)
	if err != nil {
		return nil, err
	}
	out := files[:0]
	for _, f := range files {
		if strings.HasSuffix(strings.ToLower(f.Name), ".eml") {
			out = append(out, f)
		}
	}
	return out, nil
}

func (b *fileBox) read(ctx context.Context, name string) ([]byte, error) {
	return b.dir.Get(ctx, name)
}

func (b *fileBox) archive(ctx context.Context, name string) error {
	return b.dir.Archive(ctx, name)
}
