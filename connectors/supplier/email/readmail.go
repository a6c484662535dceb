package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"path"
	"strings"
	"time"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // replies in ISO-8859-1, Windows-1252, Shift_JIS…
	gomail "github.com/emersion/go-message/mail"
)

// inbound is what the parser needs of a reply: its headers and its parts
// sorted by role.
type inbound struct {
	MessageID  string // without angle brackets; derived from the bytes when absent
	Subject    string
	From       string
	Date       time.Time
	InReplyTo  []string
	References []string
	DropgatePO string // X-Dropgate-PO, when the message carries it
	// AutoSubmitted is the RFC 3834 header (auto-replied: an out-of-office).
	AutoSubmitted string
	// Report is set for a multipart/report (a bounce: RFC 3464 delivery
	// status notification) with its human-readable text.
	Report bool

	Plain []string  // inline text/plain bodies
	HTML  []string  // inline text/html bodies
	CSV   []csvFile // CSV attachments
	// Embedded is the text of attached messages and header blocks
	// (message/rfc822, text/rfc822-headers): a bounce carries our PO's
	// headers there.
	Embedded []string

	texts [2]*string // text(false), text(true), computed once
}

type csvFile struct {
	Name string
	Data []byte
}

// Bounds on what is read, so that a pathological message costs seconds,
// not minutes. A reply's own words fit in a few kilobytes; a long thread
// with its quotes in a few hundred.
const (
	maxPartBytes = 10 << 20  // one part (a CSV attachment)
	maxBodyBytes = 1 << 20   // one text or HTML body
	maxTextBytes = 128 << 10 // the text the patterns and tracking.Find scan
)

// readInbound parses a raw RFC 5322 message. Only a header that cannot be
// read at all is an error; a broken part is skipped, keeping the others.
func readInbound(raw []byte) (*inbound, error) {
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return nil, fmt.Errorf("not a readable e-mail message: %w", err)
	}
	if e.Header.Len() == 0 {
		return nil, fmt.Errorf("not an e-mail message: no header fields")
	}
	in := headerFields(gomail.Header{Header: e.Header}, raw)
	if t, params, _ := e.Header.ContentType(); t == "multipart/report" {
		in.Report = params["report-type"] == "delivery-status" || params["report-type"] == ""
	}
	// A malformed multipart ends the walk; what was read so far is kept,
	// and an unreadable reply is reported by the caller for want of text.
	_ = e.Walk(func(_ []int, part *message.Entity, err error) error {
		if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
			return nil
		}
		in.addPart(part)
		return nil
	})
	return in, nil
}

// headerFields reads the header fields the parser uses.
func headerFields(h gomail.Header, raw []byte) *inbound {
	in := &inbound{}
	in.MessageID, _ = h.MessageID()
	if in.MessageID == "" {
		in.MessageID = strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
	}
	if in.MessageID == "" {
		// No Message-ID: the bytes identify the reply, so the same file
		// delivered twice is still one document.
		sum := sha256.Sum256(raw)
		in.MessageID = "sha256-" + hex.EncodeToString(sum[:16])
	}
	if s, err := h.Subject(); err == nil {
		in.Subject = s
	} else {
		in.Subject = h.Get("Subject")
	}
	if l, err := h.AddressList("From"); err == nil && len(l) > 0 {
		in.From = l[0].Address
	} else {
		in.From = h.Get("From")
	}
	if d, err := h.Date(); err == nil {
		in.Date = d
	}
	in.InReplyTo = msgIDs(h, "In-Reply-To")
	in.References = msgIDs(h, "References")
	in.DropgatePO = strings.TrimSpace(h.Get(headerPO))
	in.AutoSubmitted = strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted")))
	return in
}

// msgIDs reads a list of message ids, leniently: mail clients write
// References folded, with comments, or without brackets.
func msgIDs(h gomail.Header, key string) []string {
	if l, err := h.MsgIDList(key); err == nil {
		return l
	}
	var out []string
	for _, f := range strings.Fields(h.Get(key)) {
		if f = strings.Trim(f, "<>,"); strings.Contains(f, "@") {
			out = append(out, f)
		}
	}
	return out
}

// addPart sorts one leaf part by its type and disposition.
func (in *inbound) addPart(part *message.Entity) {
	t, params, _ := part.Header.ContentType()
	if strings.HasPrefix(t, "multipart/") {
		return
	}
	disp, dparams, _ := part.Header.ContentDisposition()
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	if dec, err := new(mime.WordDecoder).DecodeHeader(name); err == nil {
		name = dec
	}
	isCSV := t == "text/csv" || t == "application/csv" || t == "text/comma-separated-values" ||
		strings.EqualFold(path.Ext(name), ".csv")
	body, err := io.ReadAll(io.LimitReader(part.Body, maxPartBytes))
	if err != nil && len(body) == 0 {
		return
	}
	switch {
	case isCSV:
		in.CSV = append(in.CSV, csvFile{Name: name, Data: body})
	case t == "message/rfc822" || t == "text/rfc822-headers" || t == "message/global" || t == "message/delivery-status":
		in.Embedded = append(in.Embedded, string(body))
	case disp == "attachment":
		// PDFs, images, spreadsheets: not read.
	case t == "text/plain" || t == "":
		in.Plain = append(in.Plain, truncateUTF8(string(body), maxBodyBytes))
	case t == "text/html":
		in.HTML = append(in.HTML, truncateUTF8(string(body), maxBodyBytes))
	}
}

// text is the reply's body as plain text: the text/plain parts, else the
// HTML parts converted. With quoted false, quoted originals are cut.
func (in *inbound) text(quoted bool) string {
	i := 0
	if quoted {
		i = 1
	}
	if in.texts[i] == nil {
		s := in.buildText(quoted)
		in.texts[i] = &s
	}
	return *in.texts[i]
}

func (in *inbound) buildText(quoted bool) string {
	var parts []string
	if len(in.Plain) > 0 {
		for _, p := range in.Plain {
			parts = append(parts, normalizeNewlines(p))
		}
	} else {
		for _, h := range in.HTML {
			parts = append(parts, htmlToText(h, quoted))
		}
	}
	s := strings.Join(parts, "\n\n")
	if !quoted {
		s = stripQuotes(s)
	}
	return truncateUTF8(s, maxTextBytes)
}

// truncateUTF8 cuts s to at most n bytes, on a character boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
