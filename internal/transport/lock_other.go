//go:build !unix

package transport

import "os"

// lockTemp does nothing where flock is not available: stale temporary
// files are then recognised by their age alone.
func lockTemp(*os.File) {}

// removeUnheld cannot tell a live writer's file here.
func removeUnheld(string) (removed, known bool) { return false, false }
