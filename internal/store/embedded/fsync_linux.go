package embedded

import (
	"os"
	"syscall"
)

// fdatasync syncs f's data and only the metadata needed to read it back
// (its size), not its times: one flush instead of two on ext4.
func fdatasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
