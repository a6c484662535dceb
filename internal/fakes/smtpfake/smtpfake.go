// Package smtpfake is a real SMTP server on loopback (go-smtp) that keeps
// the messages it accepts, for tests of what dropgate mails. It enforces
// what a submission server does: AUTH PLAIN with the configured
// credentials before MAIL FROM.
package smtpfake

import (
	"io"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/dropgate/dropgate/internal/testutil"
)

// Server accepts mail for User/Pass; FailData makes the next n DATA
// commands fail with 451 (try again later).
type Server struct {
	User, Pass string
	FailData   int

	mu   sync.Mutex
	msgs []Message
}

// Message is one accepted message: its envelope and its data.
type Message struct {
	From string
	To   []string
	Data string
}

// Start serves on a loopback port until the test ends and returns the
// host and port.
func (b *Server) Start(t testing.TB) (string, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		testutil.Unavailable(t, "no loopback listener for the SMTP server: %v", err)
	}
	srv := smtp.NewServer(b)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	a := ln.Addr().(*net.TCPAddr)
	return a.IP.String(), a.Port
}

// Received lists the accepted messages in order.
func (b *Server) Received() []Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Message(nil), b.msgs...)
}

// Messages lists the accepted messages' data.
func (b *Server) Messages() []string {
	var out []string
	for _, m := range b.Received() {
		out = append(out, m.Data)
	}
	return out
}

// NewSession implements smtp.Backend.
func (b *Server) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{b: b}, nil }

type session struct {
	b    *Server
	auth bool
	from string
	to   []string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.b.User || pass != s.b.Pass {
			return &smtp.SMTPError{Code: 535, Message: "bad credentials"}
		}
		s.auth = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.auth {
		return &smtp.SMTPError{Code: 530, Message: "authentication required"}
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	if s.b.FailData > 0 {
		s.b.FailData--
		return &smtp.SMTPError{Code: 451, Message: "try again later"}
	}
	s.b.msgs = append(s.b.msgs, Message{From: s.from, To: s.to, Data: string(b)})
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }
