package transport

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
)

// Directory is a transport on the local file system: the partner (or a
// separate sync job) picks up files from outbox and drops files in inbox.
type Directory struct {
	outbox, inbox, archive string
}

var _ Transport = (*Directory)(nil)

// NewDirectory returns a directory transport. archive defaults to
// inbox/archive.
func NewDirectory(outbox, inbox, archive string) *Directory {
	if archive == "" && inbox != "" {
		archive = filepath.Join(inbox, "archive")
	}
	return &Directory{outbox: outbox, inbox: inbox, archive: archive}
}

// Put writes name into the outbox atomically: a temporary file in the same
// directory, fsynced, renamed over the final name, then the directory
// fsynced so the rename survives a crash.
func (d *Directory) Put(_ context.Context, name string, data []byte) error {
	if err := checkName(name); err != nil {
		return err
	}
	if err := os.MkdirAll(d.outbox, 0o755); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return WriteFileAtomic(filepath.Join(d.outbox, name), data)
}

// WriteFileAtomic writes path via a temporary sibling and a rename.
func WriteFileAtomic(path string, data []byte) error {
	dir, base := filepath.Split(path)
	tmp := filepath.Join(dir, tempName(base))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
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

// List returns regular, non-hidden inbox files, oldest first.
func (d *Directory) List(_ context.Context) ([]connector.InboxFile, error) {
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

// Get reads an inbox file; a missing one is ErrNotExist.
func (d *Directory) Get(_ context.Context, name string) ([]byte, error) {
	if err := checkName(name); err != nil {
		return nil, err
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
// same name already archived is kept and the new one suffixed. A file no
// longer in the inbox is ErrNotExist (another replica archived it).
func (d *Directory) Archive(_ context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if err := os.MkdirAll(d.archive, 0o755); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	dst := filepath.Join(d.archive, name)
	for i := 1; ; i++ {
		if _, err := os.Stat(dst); errors.Is(err, fs.ErrNotExist) {
			break
		}
		dst = filepath.Join(d.archive, fmt.Sprintf("%s.%d", name, i))
	}
	if err := os.Rename(filepath.Join(d.inbox, name), dst); err != nil {
		if errors.Is(err, fs.ErrNotExist) { // the archive folder exists: the file is gone
			return fmt.Errorf("archive %s: %w", name, ErrNotExist)
		}
		return fmt.Errorf("archive %s: %w", name, err)
	}
	return nil
}

// Close does nothing for a directory.
func (d *Directory) Close() error { return nil }

// checkName refuses names that would escape the folder.
func checkName(name string) error {
	if name == "" || name != filepath.Base(name) || name == "." || name == ".." {
		return fmt.Errorf("invalid file name %q", name)
	}
	return nil
}
