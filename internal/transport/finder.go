package transport

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/pkg/sftp"
)

// Finder is a transport that can tell whether a file it put is still in
// its outbox (the partner has not taken it yet). A batch writer uses it to
// learn, after a crash, whether an interchange it was writing got out.
type Finder interface {
	Delivered(ctx context.Context, name string) (bool, error)
}

var (
	_ Finder = (*Directory)(nil)
	_ Finder = (*SFTP)(nil)
)

// Delivered reports whether name is in the outbox. Put renames into
// place, so a name that is there is a whole file.
func (d *Directory) Delivered(_ context.Context, name string) (bool, error) {
	if err := checkName(name); err != nil {
		return false, err
	}
	_, err := os.Stat(filepath.Join(d.outbox, name))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, fmt.Errorf("outbox: %w", err)
	}
}

// Delivered reports whether name is in the remote outbox.
func (t *SFTP) Delivered(ctx context.Context, name string) (bool, error) {
	if err := checkName(name); err != nil {
		return false, err
	}
	found := false
	err := t.do(ctx, "stat "+name, func(_ context.Context, c *sftp.Client) error {
		_, err := c.Stat(path.Join(t.outbox, name))
		if errors.Is(err, fs.ErrNotExist) {
			found = false
			return nil
		}
		found = err == nil
		return err
	})
	return found, err
}
