package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/term"
)

// stdin is where hash-password reads; tests replace it.
var stdin io.Reader = os.Stdin

// runPortalHashPassword prints the bcrypt hash of a password for a
// supplier's portal.users[].password_hash. On a terminal the password is
// asked twice without echo; otherwise the first line of stdin is read (for
// scripts), so the password never appears in argv or shell history.
func runPortalHashPassword(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("portal hash-password", stderr)
	cost := fs.Int("cost", 12, "bcrypt cost (work factor), 10 to 15")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *cost < 10 || *cost > 15 {
		return userErrorf("--cost must be from 10 to 15")
	}
	pw, err := readPassword(stderr)
	if err != nil {
		return err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), *cost)
	if err != nil {
		return userErrorf("hash password: %v", err)
	}
	fmt.Fprintln(stdout, string(h))
	return nil
}

func readPassword(stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(stderr, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(a) != string(b) {
			return "", userErrorf("the two passwords differ")
		}
		return checkPassword(string(a))
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	return checkPassword(strings.TrimRight(line, "\r\n"))
}

// checkPassword refuses what no portal should accept. bcrypt reads at
// most 72 bytes.
func checkPassword(pw string) (string, error) {
	switch {
	case len(pw) < 10:
		return "", userErrorf("the password must have at least 10 characters")
	case len(pw) > 72:
		return "", userErrorf("the password must have at most 72 bytes (bcrypt ignores the rest)")
	}
	return pw, nil
}
