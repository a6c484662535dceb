package transport

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
)

// Directory is a transport on the local file system: the partner (or a
// separate sync job) picks up files from outbox and drops files in inbox.
type Directory struct {
	outbox, inbox, archive string
	sweeps                 sweeper
}

var _ Transport = (*Directory)(nil)

// NewDirectory returns a directory transport. archive defaults to
// inbox/archive. It does no I/O: the first call sweeps the outbox of
// temporary files left by a writer that died (see stale.go).
func NewDirectory(outbox, inbox, archive string) *Directory {
	if archive == "" && inbox != "" {
		archive = filepath.Join(inbox, "archive")
	}
	return &Directory{outbox: outbox, inbox: inbox, archive: archive}
}

// sweep removes stale temporary files from the outbox when one is due.
func (d *Directory) sweep() {
	if d.outbox == "" || !d.sweeps.due(time.Now()) {
		return
	}
	if err := sweepDir(d.outbox, time.Now()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		d.sweeps.again()
	}
}

// Put writes name into the outbox atomically: a temporary file in the same
// directory, fsynced, renamed over the final name, then the directory
// fsynced so the rename survives a crash.
func (d *Directory) Put(ctx context.Context, name string, data []byte) error {
	if err := checkName(name); err != nil {
		return err
	}
	// A job whose context ended (a worker shutting down) must not start a
	// delivery it will report as failed: it would be delivered again.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("outbox: %s: %w", name, err)
	}
	if err := os.MkdirAll(d.outbox, 0o755); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	d.sweep()
	return WriteFileAtomic(filepath.Join(d.outbox, name), data)
}

// WriteFileAtomic writes path via a temporary sibling and a rename. The
// temporary file is locked while it is written, so a sweep knows it is
// not stale.
func WriteFileAtomic(path string, data []byte) error {
	dir, base := filepath.Split(path)
	tmp := filepath.Join(dir, tempName(base))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	lockTemp(f)
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if df, err := os.Open(filepath.Clean(dir + "/")); err == nil {
		_ = df.Sync()
		df.Close()
	}
	return nil
}

// List returns regular, non-hidden inbox files, oldest first. A name the
// transport cannot handle is listed too: Get then quarantines it with an
// error for the operator, rather than the file lying unseen.
func (d *Directory) List(_ context.Context) ([]connector.InboxFile, error) {
	d.sweep()
	if d.inbox == "" {
		return nil, nil
	}
	entries, err := os.ReadDir(d.inbox)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	var out []connector.InboxFile
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // vanished between ReadDir and Info: someone else took it
		}
		out = append(out, connector.InboxFile{Name: e.Name(), Size: info.Size(), ModTime: info.ModTime()})
	}
	sortInbox(out)
	return out, nil
}

// Get reads an inbox file; a missing one is ErrNotExist. A name that
// fails CheckInboundName is moved to the archive's quarantine folder and
// reported as a permanent error.
func (d *Directory) Get(ctx context.Context, name string) ([]byte, error) {
	if bad := CheckInboundName(name); bad != nil {
		dst, err := d.quarantine(ctx, name)
		return nil, quarantined(name, bad, dst, err)
	}
	b, err := os.ReadFile(filepath.Join(d.inbox, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("inbox: %s: %w", name, ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	return b, nil
}

// Archive moves an inbox file to the archive directory; a file of the
// same name already archived is kept and the new one suffixed (see
// archiveCandidate). A file no longer in the inbox is ErrNotExist
// (another replica archived it). A name failing CheckInboundName goes to
// the quarantine folder.
func (d *Directory) Archive(ctx context.Context, name string) error {
	if bad := CheckInboundName(name); bad != nil {
		dst, err := d.quarantine(ctx, name)
		if err != nil {
			return quarantined(name, bad, dst, err)
		}
		return nil
	}
	_, err := d.move(ctx, name, d.archive, name)
	return err
}

// quarantine moves an inbox file of an unusable name aside, when its name
// can be handed to the file system at all.
func (d *Directory) quarantine(ctx context.Context, name string) (string, error) {
	if !addressable(name) {
		return "", errUnaddressable
	}
	q := quarantineName(name)
	return d.move(ctx, name, filepath.Join(d.archive, filepath.Dir(q)), filepath.Base(q))
}

// move renames inbox/name to dir/as, or to the first free alternative of
// as, and returns where it went.
func (d *Directory) move(ctx context.Context, name, dir, as string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("archive: %w", err)
	}
	dst, err := freeName(as, func(cand string) (bool, error) {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		return exists(os.Lstat(filepath.Join(dir, cand)))
	})
	if err != nil {
		return "", err
	}
	dst = filepath.Join(dir, dst)
	if err := os.Rename(filepath.Join(d.inbox, name), dst); err != nil {
		if errors.Is(err, fs.ErrNotExist) { // the archive folder exists: the file is gone
			return "", fmt.Errorf("archive %s: %w", QuoteName(name), ErrNotExist)
		}
		return "", fmt.Errorf("archive %s: %w", QuoteName(name), err)
	}
	return dst, nil
}

// exists turns a stat's answer into taken or free; any error but "does
// not exist" (a name too long, no permission) is an error, never "free".
func exists(_ fs.FileInfo, err error) (bool, error) {
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, err
}

// Close does nothing for a directory.
func (d *Directory) Close() error { return nil }
