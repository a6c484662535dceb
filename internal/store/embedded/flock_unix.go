//go:build linux || darwin || freebsd

package embedded

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// logPlatform says whether this platform has what the redo log needs:
// fdatasync or fsync, and flock to hold the file as bbolt does while Open
// repairs it.
const logPlatform = true

// errLocked is returned by withFileLock when another process holds the file.
var errLocked = errors.New("locked by another process")

// withFileLock runs fn holding the exclusive flock bbolt takes on the
// store file, so no process that owns the file sees it repaired under it.
// It waits up to timeout, as bbolt.Open does.
func withFileLock(path string, timeout time.Duration, fn func() error) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return err
		}
		if time.Now().After(deadline) {
			return errLocked
		}
		time.Sleep(20 * time.Millisecond)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing the file unlocks too
	return fn()
}
