package transport

import (
	"os"
	"path"
	"path/filepath"
	"sync"
	"time"

	"github.com/pkg/sftp"
)

// A writer killed during a Put (kill -9, a power cut) leaves its hidden
// temporary file in the outbox, holding a whole document: a pickup that
// does not skip dot-files would send it twice. The first call after a
// start, and one call a minute after, sweeps such files away — only names
// of our temporary pattern, and only once no live writer can own them.
const (
	sweepEvery = time.Minute
	// tempSettle: a temporary file younger than this is never judged
	// (its writer may not have taken its lock yet, or may be renaming it).
	tempSettle = 5 * time.Second
	// staleTempAge: older than this, a temporary file is stale whatever
	// its lock says (file systems without locks; a writer hung on a dead
	// mount). No Put takes that long.
	staleTempAge = time.Hour
	// sftpStaleMin: the least age of a stale temporary file on an SFTP
	// server, where there are no locks; at least 4 call timeouts, so a
	// replica's upload in progress is never taken for one.
	sftpStaleMin = 5 * time.Minute
)

// sweeper decides when the outbox is swept: at the first call, then at
// most once per sweepEvery.
type sweeper struct {
	mu   sync.Mutex
	last time.Time
}

func (s *sweeper) due(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.last.IsZero() && now.Sub(s.last) < sweepEvery {
		return false
	}
	s.last = now
	return true
}

// again makes the next call sweep (the last sweep failed).
func (s *sweeper) again() {
	s.mu.Lock()
	s.last = time.Time{}
	s.mu.Unlock()
}

// sweepDir removes dir's stale temporary files: unlocked and settled, or
// older than staleTempAge. It is best effort: what it cannot remove now
// the next sweep tries again.
func sweepDir(dir string, now time.Time) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !isTempName(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // renamed into view meanwhile
		}
		p := filepath.Join(dir, e.Name())
		switch age := now.Sub(info.ModTime()); {
		case age >= staleTempAge:
			_ = os.Remove(p)
		case age >= tempSettle:
			_, _ = removeUnheld(p)
		}
	}
	return nil
}

// sweepSFTP removes the stale temporary files of dir on an SFTP server.
// There are no locks there, so age decides, measured on the server's own
// clock: serverNow is the time stamp of a file just written (ours).
func sweepSFTP(c *sftp.Client, dir string, serverNow time.Time, staleAge time.Duration) error {
	entries, err := c.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Mode().IsRegular() && isTempName(e.Name()) && serverNow.Sub(e.ModTime()) >= staleAge {
			_ = c.Remove(path.Join(dir, e.Name()))
		}
	}
	return nil
}
