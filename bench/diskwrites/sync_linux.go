package main

import (
	"os"
	"syscall"
)

// fdatasync is what bbolt calls on Linux after a commit's pages.
func fdatasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
