package transport

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"
)

// HostKeyMismatchError is returned when the SFTP server presents a host key
// that the host_key setting does not pin. The connection is refused: this
// is either a man in the middle or a key rotation the partner has to
// announce, and only an operator can tell which.
type HostKeyMismatchError struct {
	Addr      string   // host:port dialled
	Presented string   // "ssh-ed25519 SHA256:…" (plus the MD5 form when an MD5 pin is configured)
	Expected  []string // the pinned fingerprints
}

func (e *HostKeyMismatchError) Error() string {
	return fmt.Sprintf("host key mismatch for %s: server presented %s, expected %s (host_key); refusing to connect",
		e.Addr, e.Presented, strings.Join(e.Expected, " or "))
}

// hostKeyPin is one accepted server key: a whole public key (from a
// known_hosts line or an authorized-key style line) or just a fingerprint.
type hostKeyPin struct {
	key    ssh.PublicKey // nil for a fingerprint pin
	sha256 string        // "SHA256:…" without padding; set for key pins too
	md5    string        // "MD5:aa:bb:…"; set for MD5 fingerprint pins only
	algos  []string      // host key algorithms to ask for; nil when the type is unknown
}

// expected is how the pin is shown in a mismatch error.
func (p hostKeyPin) expected() string {
	switch {
	case p.key != nil:
		return p.key.Type() + " " + p.sha256
	case p.md5 != "":
		return p.md5
	}
	return p.sha256
}

// hostKeyPins is the parsed host_key setting: the server must present one
// of these keys.
type hostKeyPins []hostKeyPin

// parseHostKeys parses host_key. Each non-empty, non-comment line is a pin,
// so the output of ssh-keyscan can be pasted whole. A known_hosts line must
// name the configured host (and port, "[host]:port" when not 22): a line
// for another host is a paste error that would otherwise go unnoticed.
func parseHostKeys(text, host string, port int) (hostKeyPins, error) {
	type numbered struct {
		n    int
		text string
	}
	var lines []numbered
	for i, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line != "" && line[0] != '#' {
			lines = append(lines, numbered{i + 1, line})
		}
	}
	var pins hostKeyPins
	for _, l := range lines {
		pin, err := parseHostKeyLine(l.text, host, port)
		if err != nil && len(lines) > 1 {
			return nil, fmt.Errorf("line %d: %w", l.n, err)
		}
		if err != nil {
			return nil, err
		}
		pins = append(pins, pin)
	}
	if len(pins) == 0 {
		return nil, errors.New("no host key: expected a known_hosts line, a public key or a fingerprint")
	}
	return pins, nil
}

func parseHostKeyLine(line, host string, port int) (hostKeyPin, error) {
	switch {
	case hasPrefixFold(line, "SHA256:"):
		return parseFingerprint(line)
	case hasPrefixFold(line, "MD5:"):
		return parseFingerprint(line)
	}
	fields := strings.Fields(line)
	if len(fields) >= 3 && isDigits(fields[0]) {
		return parseKeygenLine(fields)
	}
	if len(fields) >= 2 {
		// "type base64 [comment]": a bare public key. Tried before the
		// known_hosts form because ssh.ParseAuthorizedKey would also
		// accept a known_hosts line, reading its host list as options.
		if blob, err := base64.StdEncoding.DecodeString(fields[1]); err == nil {
			if key, err := ssh.ParsePublicKey(blob); err == nil {
				if key.Type() != fields[0] {
					return hostKeyPin{}, fmt.Errorf("public key says %q but encodes a %s key", fields[0], key.Type())
				}
				return keyPin(key), nil
			}
		}
	}
	marker, hosts, key, _, _, err := ssh.ParseKnownHosts([]byte(line))
	if err != nil {
		return hostKeyPin{}, fmt.Errorf("not a known_hosts line, public key or fingerprint (SHA256:… or MD5:…): %w", err)
	}
	if marker != "" {
		return hostKeyPin{}, fmt.Errorf("known_hosts marker @%s is not supported: pin the server's own key", marker)
	}
	if !hostsMatch(hosts, host, port) {
		return hostKeyPin{}, fmt.Errorf("known_hosts line is for %s, not for %s", strings.Join(hosts, ","), knownHostsName(host, port))
	}
	return keyPin(key), nil
}

func keyPin(key ssh.PublicKey) hostKeyPin {
	return hostKeyPin{key: key, sha256: ssh.FingerprintSHA256(key), algos: keyAlgorithms(key.Type())}
}

// keyAlgorithms lists the host key algorithms a key of type signs with.
func keyAlgorithms(typ string) []string {
	if typ == ssh.KeyAlgoRSA {
		// ssh-rsa (SHA-1) last, for partners' older servers, as the
		// library's default does.
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{typ}
}

func parseFingerprint(s string) (hostKeyPin, error) {
	if hasPrefixFold(s, "MD5:") {
		return parseMD5Fingerprint(s)
	}
	return parseSHA256Fingerprint(s)
}

// parseKeygenLine reads a whole line of ssh-keygen -lf output, "256
// SHA256:… comment (ED25519)", whose last field tells the key type.
func parseKeygenLine(fields []string) (hostKeyPin, error) {
	if !hasPrefixFold(fields[1], "SHA256:") && !hasPrefixFold(fields[1], "MD5:") {
		return hostKeyPin{}, fmt.Errorf("%q is not a fingerprint: want SHA256:… or MD5:…", fields[1])
	}
	pin, err := parseFingerprint(fields[1])
	if err != nil {
		return hostKeyPin{}, err
	}
	last := fields[len(fields)-1]
	if strings.HasPrefix(last, "(") && strings.HasSuffix(last, ")") {
		switch typ := strings.ToUpper(last[1 : len(last)-1]); typ {
		case "ED25519":
			pin.algos = keyAlgorithms(ssh.KeyAlgoED25519)
		case "RSA":
			pin.algos = keyAlgorithms(ssh.KeyAlgoRSA)
		case "ECDSA":
			pin.algos = keyAlgorithms("ecdsa-sha2-nistp" + fields[0])
		}
	}
	return pin, nil
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// parseSHA256Fingerprint accepts what ssh-keygen -lf prints: "SHA256:"
// and the unpadded base64 of the digest (padding is tolerated).
func parseSHA256Fingerprint(s string) (hostKeyPin, error) {
	b64 := strings.TrimRight(s[len("SHA256:"):], "=")
	sum, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(sum) != 32 {
		return hostKeyPin{}, fmt.Errorf("invalid SHA256 fingerprint %q: want SHA256: and 43 base64 characters, as ssh-keygen -lf prints", s)
	}
	return hostKeyPin{sha256: "SHA256:" + b64}, nil
}

// parseMD5Fingerprint accepts "MD5:aa:bb:…" (ssh-keygen -E md5 -lf), with
// or without colons, in either case.
func parseMD5Fingerprint(s string) (hostKeyPin, error) {
	hexits := strings.ToLower(strings.ReplaceAll(s[len("MD5:"):], ":", ""))
	sum, err := hex.DecodeString(hexits)
	if err != nil || len(sum) != md5.Size {
		return hostKeyPin{}, fmt.Errorf("invalid MD5 fingerprint %q: want MD5: and 16 colon-separated hex bytes", s)
	}
	return hostKeyPin{md5: md5Fingerprint(sum)}, nil
}

func md5Fingerprint(sum []byte) string {
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = hex.EncodeToString([]byte{b})
	}
	return "MD5:" + strings.Join(parts, ":")
}

// matches reports whether the server's key is this pin.
func (p hostKeyPin) matches(key ssh.PublicKey) bool {
	switch {
	case p.key != nil:
		return bytes.Equal(p.key.Marshal(), key.Marshal())
	case p.md5 != "":
		sum := md5.Sum(key.Marshal())
		return p.md5 == md5Fingerprint(sum[:])
	}
	return p.sha256 == ssh.FingerprintSHA256(key)
}

// callback is the ssh.HostKeyCallback enforcing the pins.
func (ps hostKeyPins) callback(addr string) ssh.HostKeyCallback {
	return func(_ string, _ net.Addr, key ssh.PublicKey) error {
		for _, p := range ps {
			if p.matches(key) {
				return nil
			}
		}
		e := &HostKeyMismatchError{Addr: addr, Presented: key.Type() + " " + ssh.FingerprintSHA256(key)}
		for _, p := range ps {
			if p.md5 != "" {
				sum := md5.Sum(key.Marshal())
				e.Presented += " (" + md5Fingerprint(sum[:]) + ")"
				break
			}
		}
		for _, p := range ps {
			e.Expected = append(e.Expected, p.expected())
		}
		return e
	}
}

// algorithms returns the host key algorithms to offer, or nil for the
// library default. When every pin tells its key type the offer is narrowed
// to those types: a server holding both an ECDSA and an Ed25519 key would
// otherwise negotiate ECDSA (preferred by default) and be refused although
// its Ed25519 key is the pinned one. A bare fingerprint does not tell the
// type, so it keeps the default offer.
func (ps hostKeyPins) algorithms() []string {
	var algos []string
	for _, p := range ps {
		if len(p.algos) == 0 {
			return nil
		}
		for _, a := range p.algos {
			if !slices.Contains(algos, a) {
				algos = append(algos, a)
			}
		}
	}
	return algos
}

// knownHostsName is how known_hosts names host at port: bare for port 22,
// "[host]:port" otherwise.
func knownHostsName(host string, port int) string {
	host = strings.ToLower(host)
	if port == 0 || port == 22 {
		return host
	}
	return "[" + host + "]:" + strconv.Itoa(port)
}

// hostsMatch applies OpenSSH's rules for the host field of a known_hosts
// line: comma-separated patterns with * and ? wildcards, "!" negating
// (a negated match vetoes the line), and hashed "|1|salt|hash" entries.
func hostsMatch(patterns []string, host string, port int) bool {
	name := knownHostsName(host, port)
	matched := false
	for _, p := range patterns {
		negated := strings.HasPrefix(p, "!")
		if negated {
			p = p[1:]
		}
		var ok bool
		if strings.HasPrefix(p, "|") {
			ok = hashedHostMatch(p, name)
		} else {
			ok = globMatch(strings.ToLower(p), name)
		}
		if ok && negated {
			return false
		}
		matched = matched || ok
	}
	return matched
}

// hashedHostMatch checks a HashKnownHosts entry: "|1|" + base64(salt) +
// "|" + base64(HMAC-SHA1 keyed by salt over the host name).
func hashedHostMatch(entry, name string) bool {
	parts := strings.Split(entry, "|")
	if len(parts) != 4 || parts[0] != "" || parts[1] != "1" {
		return false
	}
	salt, err1 := base64.StdEncoding.DecodeString(parts[2])
	want, err2 := base64.StdEncoding.DecodeString(parts[3])
	if err1 != nil || err2 != nil {
		return false
	}
	mac := hmac.New(sha1.New, salt)
	mac.Write([]byte(name))
	return hmac.Equal(mac.Sum(nil), want)
}

// globMatch matches s against a pattern where * is any run of characters
// and ? any one; every other character, "[" included, is literal (so
// path.Match, which reads "[" as a class, cannot be used). Backtracking
// only to the last star keeps it linear-ish on hostile patterns.
func globMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			mark++
			p, i = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
