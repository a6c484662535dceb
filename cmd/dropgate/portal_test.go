package main

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// TestPortalHashPassword: the password read from stdin comes out as a
// bcrypt hash of it; a short one is the user's error.
func TestPortalHashPassword(t *testing.T) {
	old := stdin
	t.Cleanup(func() { stdin = old })
	stdin = strings.NewReader("a-long-enough-password\n")
	out, errOut, code := dg(t, "portal", "hash-password", "--cost", "10")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	hash := strings.TrimSpace(out)
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte("a-long-enough-password")) != nil || strings.Contains(out, "a-long-enough") {
		t.Fatalf("hash %q does not verify", hash)
	}
	if c, _ := bcrypt.Cost([]byte(hash)); c != 10 {
		t.Errorf("cost %d, want 10", c)
	}
	stdin = strings.NewReader("short\n")
	if _, errOut, code := dg(t, "portal", "hash-password"); code != exitUser || !strings.Contains(errOut, "at least 10 characters") {
		t.Fatalf("short password: exit %d: %s", code, errOut)
	}
}
