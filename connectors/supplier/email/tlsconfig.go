package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/dropgate/dropgate/core/fault"
)

// tlsConfig builds the client TLS settings of a server block: the
// system's roots plus tls_ca (a path relative to the directory dropgate
// runs in, like every path of the config), and the name the certificate
// must carry. Certificates are always verified; there is no way to turn
// that off.
func (s *Server) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: s.Host}
	if s.TLSServerName != "" {
		cfg.ServerName = s.TLSServerName
	}
	if s.TLSCA == "" {
		return cfg, nil
	}
	path := filepath.Clean(s.TLSCA)
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fault.Permanent(fmt.Errorf("tls_ca: %w", err))
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fault.Permanentf("tls_ca: %s holds no PEM certificate", path)
	}
	cfg.RootCAs = pool
	return cfg, nil
}

// dial opens a TCP connection, and with implicit TLS completes the
// handshake, within ctx. The connection is closed when ctx ends, so a
// cancelled job never hangs on a silent server.
func dial(ctx context.Context, addr, mode string, tc *tls.Config) (net.Conn, func(), error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("connect %s: %w", addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if mode == tlsImplicit {
		tconn := tls.Client(conn, tc)
		if err := tconn.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, nil, classifyTLS(fmt.Errorf("tls handshake with %s: %w", addr, err))
		}
		conn = tconn
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	return conn, func() { stop() }, nil
}

// classifyTLS makes a certificate the client refuses a permanent error:
// the same certificate will be refused on every retry, and an operator
// must fix tls_ca or tls_server_name (then replay the dead letter).
func classifyTLS(err error) error {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &unknown), errors.As(err, &hostname), errors.As(err, &invalid), errors.As(err, &verify):
		return fault.Permanent(err)
	}
	return err
}
