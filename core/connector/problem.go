package connector

import "fmt"

// Problem is a config error at a key path relative to the connector's own
// block ("transport.outbox"). The loader turns it into FILE:LINE: path.
type Problem struct {
	Path    string
	Message string
}

func (p Problem) Error() string { return fmt.Sprintf("%s: %s", p.Path, p.Message) }

// Checker is implemented by configs with rules beyond types and required
// keys (mutually exclusive options, value ranges). Check must not do I/O.
type Checker interface {
	Check() []Problem
}
