package demo

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
)

// listen takes addr, or, when it is busy and may move (a default rather
// than an address asked for), a free port on the same host, and says so.
func listen(addr string, mayMove bool, who string, out io.Writer) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	if !mayMove || !errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("%s cannot listen on %s: %w", who, addr, err)
	}
	host, port, splitErr := net.SplitHostPort(addr)
	if splitErr != nil {
		return nil, fmt.Errorf("%s cannot listen on %s: %w", who, addr, err)
	}
	ln, err2 := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err2 != nil {
		return nil, fmt.Errorf("%s cannot listen on %s (%v), nor on a free port: %w", who, addr, err, err2)
	}
	fmt.Fprintf(out, "▸ port %s is busy (another dropgate?): %s uses %s instead\n", port, who, ln.Addr())
	return ln, nil
}
