package transport

import (
	"crypto/rand"
	"crypto/rsa"
	"net"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func TestParseHostKeys(t *testing.T) {
	_, signer := newKey(t)
	key := signer.PublicKey()
	bare := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))
	blob := strings.Fields(bare)[1]
	fp := ssh.FingerprintSHA256(key)

	for _, tc := range []struct {
		name, text, host string
		port             int
		err              string // substring; "" = valid
	}{
		{"known_hosts port 22", "sftp.example.com " + bare, "sftp.example.com", 22, ""},
		{"known_hosts default port", "sftp.example.com " + bare, "sftp.example.com", 0, ""},
		{"known_hosts needs [host]:port", "sftp.example.com " + bare, "sftp.example.com", 2222, "is for sftp.example.com, not for [sftp.example.com]:2222"},
		{"known_hosts [host]:port", "[sftp.example.com]:2222 " + bare + " comment", "sftp.example.com", 2222, ""},
		{"known_hosts list, case", "SFTP.Example.COM,10.0.0.1 " + bare, "sftp.example.com", 22, ""},
		{"known_hosts other host", "other.example.com " + bare, "sftp.example.com", 22, "is for other.example.com"},
		{"known_hosts wildcard", "*.example.com,!bad.example.com " + bare, "sftp.example.com", 22, ""},
		{"known_hosts negated", "*.example.com,!bad.example.com " + bare, "bad.example.com", 22, "not for bad.example.com"},
		{"hashed", knownhosts.HashHostname("sftp.example.com") + " " + bare, "sftp.example.com", 22, ""},
		{"hashed with port", knownhosts.HashHostname("[sftp.example.com]:2222") + " " + bare, "sftp.example.com", 2222, ""},
		{"hashed other host", knownhosts.HashHostname("other.example.com") + " " + bare, "sftp.example.com", 22, "is for |1|"},
		{"cert authority", "@cert-authority *.example.com " + bare, "sftp.example.com", 22, "marker @cert-authority"},
		{"revoked", "@revoked sftp.example.com " + bare, "sftp.example.com", 22, "marker @revoked"},
		{"known_hosts type mismatch", "sftp.example.com ssh-rsa " + blob, "sftp.example.com", 22, "not a known_hosts line"},
		{"bare key", bare, "h", 22, ""},
		{"bare key type mismatch", "ecdsa-sha2-nistp256 " + blob, "h", 22, "encodes a ssh-ed25519 key"},
		{"SHA256", fp, "h", 22, ""},
		{"SHA256 padded", fp + "=", "h", 22, ""},
		{"SHA256 short", "SHA256:abc", "h", 22, "invalid SHA256 fingerprint"},
		{"MD5", "MD5:" + ssh.FingerprintLegacyMD5(key), "h", 22, ""},
		{"MD5 no colons, upper", "MD5:" + strings.ToUpper(strings.ReplaceAll(ssh.FingerprintLegacyMD5(key), ":", "")), "h", 22, ""},
		{"MD5 short", "MD5:aa:bb", "h", 22, "invalid MD5 fingerprint"},
		{"keygen line", "256 " + fp + " no comment (ED25519)", "h", 22, ""},
		{"keygen line bad", "256 nope x (ED25519)", "h", 22, "is not a fingerprint"},
		{"comments and blanks", "# keyscan\n\n" + bare + "\n", "h", 22, ""},
		{"bad second line", bare + "\ngarbage here", "h", 22, "line 2: not a known_hosts line"},
		{"nothing", "  \n# only a comment\n", "h", 22, "no host key"},
		{"garbage", "hello", "h", 22, "not a known_hosts line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pins, err := parseHostKeys(tc.text, tc.host, tc.port)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("error %v, want one containing %q", err, tc.err)
			case tc.err == "" && !slices.ContainsFunc(pins, func(p hostKeyPin) bool { return p.matches(key) }):
				t.Fatalf("parsed pins do not match the key")
			}
		})
	}
}

func TestHostKeyCallback(t *testing.T) {
	_, presented := newKey(t)
	_, pinned := newKey(t)
	pins, err := parseHostKeys(strings.Join([]string{
		string(ssh.MarshalAuthorizedKey(pinned.PublicKey())),
		"MD5:" + ssh.FingerprintLegacyMD5(pinned.PublicKey()),
	}, ""), "h", 22)
	if err != nil {
		t.Fatal(err)
	}
	check := pins.callback("h:22")
	if err := check("h:22", &net.TCPAddr{}, pinned.PublicKey()); err != nil {
		t.Fatalf("pinned key refused: %v", err)
	}
	err = check("h:22", &net.TCPAddr{}, presented.PublicKey())
	msg := err.Error()
	for _, want := range []string{
		"host key mismatch for h:22",
		"ssh-ed25519 " + ssh.FingerprintSHA256(presented.PublicKey()),
		"MD5:" + ssh.FingerprintLegacyMD5(presented.PublicKey()), // shown because an MD5 pin is configured
		"expected ssh-ed25519 " + ssh.FingerprintSHA256(pinned.PublicKey()) + " or MD5:" + ssh.FingerprintLegacyMD5(pinned.PublicKey()),
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q does not mention %q", msg, want)
		}
	}
}

func TestHostKeyAlgorithms(t *testing.T) {
	_, ed := newKey(t)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsaPub, err := ssh.NewPublicKey(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	line := func(k ssh.PublicKey) string { return string(ssh.MarshalAuthorizedKey(k)) }
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"ed25519", line(ed.PublicKey()), []string{"ssh-ed25519"}},
		{"rsa", line(rsaPub), []string{"rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"}},
		{"both", line(ed.PublicKey()) + line(rsaPub), []string{"ssh-ed25519", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"}},
		{"keygen ecdsa", "384 " + ssh.FingerprintSHA256(ed.PublicKey()) + " c (ECDSA)", []string{"ecdsa-sha2-nistp384"}},
		{"fingerprint: library default", ssh.FingerprintSHA256(ed.PublicKey()), nil},
		{"key and fingerprint: library default", line(ed.PublicKey()) + ssh.FingerprintSHA256(rsaPub), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pins, err := parseHostKeys(tc.text, "h", 22)
			if err != nil {
				t.Fatal(err)
			}
			if got := pins.algorithms(); !slices.Equal(got, tc.want) {
				t.Fatalf("algorithms = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestGlobMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"a.example.com", "a.example.com", true},
		{"*.example.com", "a.example.com", true},
		{"*.example.com", "example.com", false},
		{"10.0.0.?", "10.0.0.7", true},
		{"10.0.0.?", "10.0.0.17", false},
		{"[h]:2222", "[h]:2222", true},
		{"[h]:*", "[h]:2222", true},
		{"*", "", true},
		{"", "x", false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
	} {
		if got := globMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v", tc.pattern, tc.s, got)
		}
	}
}

// FuzzParseHostKeys: whatever is pasted into host_key, parsing reports an
// error or pins, never panics.
func FuzzParseHostKeys(f *testing.F) {
	_, signer := newKey(f)
	bare := string(ssh.MarshalAuthorizedKey(signer.PublicKey()))
	for _, seed := range []string{
		bare, "h " + bare, "[h]:2222 " + bare, knownhosts.HashHostname("h") + " " + bare,
		"@revoked h " + bare, ssh.FingerprintSHA256(signer.PublicKey()), "MD5:00:11",
		"256 SHA256:x c (ED25519)", "*,!h,|1|a|b " + bare, "",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		pins, err := parseHostKeys(text, "h", 22)
		if err == nil && len(pins) == 0 {
			t.Fatal("no error and no pins")
		}
		_ = pins.algorithms()
	})
}
