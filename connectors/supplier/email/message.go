package email

import (
	"bytes"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"

	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/model"
)

// Header names of our own.
const (
	// headerPO carries the PO number on every message we send. Suppliers'
	// mail clients rarely echo it, but it lets a person (or a mail rule)
	// find every message about one order, and marks our own messages
	// should they land in the inbox we read.
	headerPO   = "X-Dropgate-PO"
	headerKind = "X-Dropgate-Kind" // purchase-order or cancellation
)

// msgIDDomainPrefix starts the domain of our Message-IDs: <PO…@dropgate.domain>.
const msgIDDomainPrefix = "dropgate."

// messageID is the Message-ID (without angle brackets) of a PO's e-mail:
// derived from the PO number only, so every resend of the same order
// carries the same id and the supplier's mail system and people see one
// order, never a new one.
func messageID(po, fromDomain string, cancel bool) string {
	local := po
	if cancel {
		local += ".cancel"
	}
	return local + "@" + msgIDDomainPrefix + strings.ToLower(fromDomain)
}

// outgoing is everything needed to write one message.
type outgoing struct {
	From        *mail.Address
	To, Cc      []*mail.Address
	ReplyTo     *mail.Address
	Date        time.Time
	MessageID   string
	InReplyTo   string // cancellation: the PO's Message-ID
	PONumber    string
	Cancel      bool
	Kind        string // X-Dropgate-Kind when neither an order nor a cancellation (return-request)
	Body        rendered
	Attachments []attachment
}

// attachment is one file attached to a PO.
type attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// build renders the RFC 5322 message: multipart/mixed when there are
// attachments, multipart/alternative when there is an HTML body, else a
// single text/plain part. Boundaries derive from the Message-ID so the
// same PO renders the same bytes apart from the Date.
func (o *outgoing) build() ([]byte, error) {
	var h gomail.Header
	h.SetAddressList("From", []*gomail.Address{o.From})
	h.SetAddressList("To", o.To)
	if len(o.Cc) > 0 {
		h.SetAddressList("Cc", o.Cc)
	}
	if o.ReplyTo != nil {
		h.SetAddressList("Reply-To", []*gomail.Address{o.ReplyTo})
	}
	h.SetDate(o.Date)
	h.SetSubject(o.Body.Subject)
	h.SetMessageID(o.MessageID)
	if o.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{o.InReplyTo})
		h.SetMsgIDList("References", []string{o.InReplyTo})
	}
	h.Set(headerPO, o.PONumber)
	kind := "purchase-order"
	if o.Cancel {
		kind = "cancellation"
	}
	if o.Kind != "" {
		kind = o.Kind
	}
	h.Set(headerKind, kind)
	h.Set("Auto-Submitted", "auto-generated") // RFC 3834: no vacation replies to us, please

	var buf bytes.Buffer
	top := func(h message.Header) (*message.Writer, error) { return message.CreateWriter(&buf, h) }
	var err error
	if len(o.Attachments) == 0 {
		err = o.writeBody(top, h.Header)
	} else {
		err = o.writeMixed(top, h.Header)
	}
	if err != nil {
		return nil, fmt.Errorf("render message %s: %w", o.MessageID, err)
	}
	return buf.Bytes(), nil
}

// creator starts an entity with a header: the message itself, or a part
// of a multipart entity.
type creator func(h message.Header) (*message.Writer, error)

func (o *outgoing) boundary(part string) string {
	return "dropgate-" + part + "-" + ids.Derive(20, o.MessageID, part)
}

// writeMixed writes the body and the attachments as multipart/mixed.
func (o *outgoing) writeMixed(create creator, h message.Header) error {
	h.SetContentType("multipart/mixed", map[string]string{"boundary": o.boundary("mixed")})
	mw, err := create(h)
	if err != nil {
		return err
	}
	if err := o.writeBody(mw.CreatePart, message.Header{}); err != nil {
		return err
	}
	for _, a := range o.Attachments {
		var ah message.Header
		ah.SetContentType(a.ContentType, map[string]string{"name": a.Name})
		ah.SetContentDisposition("attachment", map[string]string{"filename": a.Name})
		ah.Set("Content-Transfer-Encoding", "base64")
		if err := writeEntity(mw.CreatePart, ah, a.Data); err != nil {
			return err
		}
	}
	return mw.Close()
}

// writeBody writes the text (and HTML) body starting from header h:
// text/plain alone, or multipart/alternative of text and HTML.
func (o *outgoing) writeBody(create creator, h message.Header) error {
	if o.Body.HTML == "" {
		h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
		h.Set("Content-Transfer-Encoding", "quoted-printable")
		return writeEntity(create, h, []byte(crlf(o.Body.Text)))
	}
	h.SetContentType("multipart/alternative", map[string]string{"boundary": o.boundary("alt")})
	mw, err := create(h)
	if err != nil {
		return err
	}
	for _, p := range []struct{ typ, body string }{{"text/plain", o.Body.Text}, {"text/html", o.Body.HTML}} {
		var ph message.Header
		ph.SetContentType(p.typ, map[string]string{"charset": "utf-8"})
		ph.Set("Content-Transfer-Encoding", "quoted-printable")
		if err := writeEntity(mw.CreatePart, ph, []byte(crlf(p.body))); err != nil {
			return err
		}
	}
	return mw.Close()
}

// writeEntity writes one single-part entity; its Content-Transfer-Encoding
// header says how the writer encodes data.
func writeEntity(create creator, h message.Header, data []byte) error {
	ew, err := create(h)
	if err != nil {
		return err
	}
	if _, err := ew.Write(data); err != nil {
		return err
	}
	return ew.Close()
}

// crlf turns a template's line ends into the CRLF of RFC 5322, so that
// quoted-printable encodes them as line breaks rather than =0A.
func crlf(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\n", "\r\n")
}

// parseAddresses parses configured addresses (already checked).
func parseAddresses(list []string) ([]*mail.Address, error) {
	out := make([]*mail.Address, 0, len(list))
	for _, s := range list {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", s, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// senderName is the display name of from, else its address.
func senderName(a *mail.Address) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Address
}

// templateData assembles what the templates see.
func templateData(po *model.PurchaseOrder, order *model.Order, supplier, sender string, cancel bool) (TemplateData, error) {
	total, err := po.Total()
	if err != nil {
		return TemplateData{}, fmt.Errorf("total of %s: %w", po.Number, err)
	}
	if order == nil {
		order = &model.Order{}
	}
	return TemplateData{PO: po, Order: order, Supplier: supplier, Total: total, Cancel: cancel, Sender: sender}, nil
}
