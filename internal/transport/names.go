package transport

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dropgate/dropgate/core/fault"
)

// MaxNameLen is the longest file name, in bytes, a transport reads or
// writes: NAME_MAX of ext4, XFS, Btrfs and ZFS, and what NTFS and most
// SFTP servers allow.
const MaxNameLen = 255

// MaxDerivedNameLen bounds the names dropgate derives from a partner's
// file name (the 997/999 and CONTRL answering it): under MaxNameLen and
// the 143 bytes of eCryptfs (encrypted home directories), with room for
// the suffixes a partner's pickup may add.
const MaxDerivedNameLen = 128

// hashLen is the hex digits of the SHA-256 that keeps a shortened name
// unique: 48 bits, so two partner files sharing a long prefix never meet.
const hashLen = 12

// checkName refuses a name we are asked to write or read that is not a
// plain file name of at most MaxNameLen bytes. Retrying cannot fix it.
func checkName(name string) error {
	if err := CheckInboundName(name); err != nil {
		return fault.Permanent(err)
	}
	return nil
}

// CheckInboundName reports why a name listed in an inbox cannot be
// handled as a file name (nil when it can): empty, "." or "..", a path
// separator ('/' or '\'), NUL or another control character, or more than
// MaxNameLen bytes. SFTP servers and mounted shares hand back names the
// local file system would never make.
func CheckInboundName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("invalid file name %q", name)
	case len(name) > MaxNameLen:
		return fmt.Errorf("file name %s is %d bytes, over the limit of %d", QuoteName(name), len(name), MaxNameLen)
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("file name %s holds a path separator", QuoteName(name))
	case strings.IndexFunc(name, isControl) >= 0:
		return fmt.Errorf("file name %s holds a control character", QuoteName(name))
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// QuoteName quotes a file name for a message, cut to 80 bytes so that a
// hostile name cannot flood a log line or an exception.
func QuoteName(name string) string {
	const most = 80
	if len(name) <= most {
		return strconv.Quote(name)
	}
	return strconv.Quote(cutUTF8(name, most)) + fmt.Sprintf("… (%d bytes)", len(name))
}

// DerivedName names a file made from an inbound one (the acknowledgement
// of a partner's file): the inbound base name without its extension,
// then suffix (".000000049-49.997.x12"). Characters outside
// [A-Za-z0-9._-] become '_', so every file system and SFTP server takes
// it, and the result is at most MaxDerivedNameLen bytes: when too long,
// the base is cut short and followed by a hash of the whole inbound name
// and suffix, so the name stays deterministic (a re-parse rewrites the
// same file) and unique (two long names sharing a prefix differ).
func DerivedName(inbound, suffix string) string {
	base := path.Base(strings.ReplaceAll(inbound, `\`, "/"))
	base = strings.Trim(strings.TrimSuffix(base, path.Ext(base)), ".")
	if base == "" || base == "/" {
		base = "inbound"
	}
	return fitName(safeChars(base), safeChars(suffix), inbound+"\x00"+suffix, MaxDerivedNameLen)
}

// fitName returns head+tail when it fits in most bytes; otherwise head
// cut short, "-", a hash of key, and tail (itself cut to its last half of
// most bytes when longer). head and tail must be ASCII.
func fitName(head, tail, key string, most int) string {
	if len(head)+len(tail) <= most {
		return head + tail
	}
	if len(tail) > most/2 {
		tail = tail[len(tail)-most/2:]
	}
	tag := "-" + shortHash(key)
	room := max(most-len(tag)-len(tail), 0)
	return head[:min(len(head), room)] + tag + tail
}

// safeChars maps each character outside [A-Za-z0-9._-] to '_'.
func safeChars(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:hashLen]
}

// cutUTF8 cuts s to at most n bytes without splitting a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// quarantineName is where a file whose name cannot be handled goes:
// the archive's quarantine folder, under a safe and bounded version of
// its name, unique per original name.
func quarantineName(name string) string {
	ext := safeChars(path.Ext(name))
	if len(ext) > 16 {
		ext = ""
	}
	base := safeChars(strings.TrimSuffix(name, path.Ext(name)))
	return "quarantine/" + fitName(strings.TrimLeft(base, "."), ext, name, MaxDerivedNameLen)
}

// errUnaddressable: the name would reach another file or be cut short,
// so the file cannot be moved by it.
var errUnaddressable = errors.New("the file cannot be moved by that name and stays in the inbox")

// quarantined is the answer of Get (and of Archive when the move failed)
// for a name failing CheckInboundName (bad): a permanent error saying
// where the file went (dst) or why it could not be moved (moveErr);
// ErrNotExist when it is not there any more.
func quarantined(name string, bad error, dst string, moveErr error) error {
	switch {
	case moveErr == nil:
		return fault.Permanent(fmt.Errorf("inbox: %w: moved to %s; give it a valid name and put it back in the inbox to process it", bad, dst))
	case errors.Is(moveErr, ErrNotExist):
		return fmt.Errorf("inbox: %s: %w", QuoteName(name), ErrNotExist)
	}
	return fault.Permanent(fmt.Errorf("inbox: %w: %w", bad, moveErr))
}

// addressable reports whether a name refused by CheckInboundName can
// still be handed to the file system to move it aside: not when it would
// name another file (a separator, "..") or be cut short (NUL).
func addressable(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\x00")
}

// Archive names: name itself, then name.1 … name.numberedTries, then a few
// random suffixes, each cut (plus a hash) to fit MaxNameLen. A partner
// reusing one name daily fills the numbers in weeks; the bound keeps each
// archive to a few dozen look-ups whatever the archive holds.
const (
	numberedTries = 20
	randomTries   = 3
	archiveTries  = 1 + numberedTries + randomTries
)

// errNoFreeName: every archive name tried was taken.
var errNoFreeName = errors.New("no free archive name")

// archiveCandidate is the i-th name Archive tries for name (i from 0).
func archiveCandidate(name string, i int) string {
	var suffix string
	switch {
	case i == 0:
		return name
	case i <= numberedTries:
		suffix = "." + strconv.Itoa(i)
	default:
		var rnd [4]byte
		_, _ = rand.Read(rnd[:])
		suffix = "." + hex.EncodeToString(rnd[:])
	}
	if len(name)+len(suffix) <= MaxNameLen {
		return name + suffix
	}
	tag := "-" + shortHash(name)
	return cutUTF8(name, MaxNameLen-len(tag)-len(suffix)) + tag + suffix
}

// freeName returns the first archive candidate for name that taken says
// is free; it gives up after archiveTries, or at the first error taken
// returns (a name the file system refuses is an error, not "free").
func freeName(name string, taken func(candidate string) (bool, error)) (string, error) {
	for i := range archiveTries {
		cand := archiveCandidate(name, i)
		used, err := taken(cand)
		if err != nil {
			return "", err
		}
		if !used {
			return cand, nil
		}
	}
	return "", fmt.Errorf("archive %s: %w after %d tries", QuoteName(name), errNoFreeName, archiveTries)
}

// Temporary names: "." + name + ".tmp-" + 12 hex digits, the name cut
// short when needed so the whole stays within MaxNameLen. Leading dot:
// partners' pollers conventionally skip hidden files.
const tempMarker = ".tmp-"

var tempPattern = regexp.MustCompile(`^\..+\.tmp-[0-9a-f]{12}$`)

// tempName is the name a file is written under before it is renamed into
// view.
func tempName(name string) string {
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	suffix := tempMarker + hex.EncodeToString(rnd[:])
	return "." + cutUTF8(name, MaxNameLen-1-len(suffix)) + suffix
}

// isTempName reports whether name is one of ours from tempName.
func isTempName(name string) bool { return tempPattern.MatchString(name) }
