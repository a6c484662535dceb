package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dropgate/dropgate/internal/store/embedded"
)

// DataDirVar is the variable configs/demo.yaml keeps its state under
// (store, supplier outbox and inbox): `${DROPGATE_DATA_DIR:-./var}`.
// `dropgate serve` leaves it unset and uses ./var; each demo run sets it
// to a directory of its own, so no run sees another's orders, files or
// EDI control numbers.
const DataDirVar = "DROPGATE_DATA_DIR"

// runPrefix names the run directories under the demo's root.
const runPrefix = "run-"

// NewRunDir makes this run's data directory under root, after removing
// the directories of earlier runs that no process uses any more (a run
// still going, `demo --keep` in another terminal, holds its store open).
func NewRunDir(root string, now time.Time) (string, error) {
	if err := pruneRuns(root); err != nil {
		return "", err
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	dir, err := os.MkdirTemp(root, runPrefix+now.Format("20060102-150405")+"-")
	if err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	return dir, nil
}

// pruneRuns removes the run directories under root whose store is closed.
func pruneRuns(root string) error {
	entries, err := os.ReadDir(root)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), runPrefix) {
			continue
		}
		dir := filepath.Join(root, e.Name())
		if runInUse(dir) {
			continue
		}
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("demo: removing an earlier run: %w", err)
		}
	}
	return nil
}

// runInUse reports whether a run's embedded store is open.
func runInUse(dir string) bool {
	dbs, _ := filepath.Glob(filepath.Join(dir, "*.db"))
	for _, db := range dbs {
		if embedded.InUse(db) {
			return true
		}
	}
	return false
}

// Lookup reads config variables for a run: DataDirVar is the run's
// directory, everything else comes from the environment.
func Lookup(dir string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		if name == DataDirVar {
			return dir, true
		}
		return os.LookupEnv(name)
	}
}
