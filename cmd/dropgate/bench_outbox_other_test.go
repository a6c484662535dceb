//go:build !linux

package main

func newOutboxNames(dir string) (next func() []string, stop func()) { return pollOutboxNames(dir) }
