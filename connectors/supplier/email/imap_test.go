package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/transport"
)

// imapRig is an in-memory IMAP server on loopback (STARTTLS, no login in
// clear) with one user whose INBOX receives the supplier's replies.
type imapRig struct {
	user *imapmemserver.User
	port int
}

// startIMAP runs the server; withMove false leaves out MOVE (and the rest
// of IMAP4rev2), so the COPY + \Deleted + EXPUNGE path runs.
func startIMAP(t *testing.T, pki testPKI, withMove bool) *imapRig {
	t.Helper()
	return startIMAPOn(t, pki, withMove, false)
}

// startIMAPOn runs the server, with TLS from the first byte when implicit.
func startIMAPOn(t *testing.T, pki testPKI, withMove, implicit bool) *imapRig {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("replies@shop.example", "imap-s3cret")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	caps := imap.CapSet{imap.CapIMAP4rev1: {}}
	if withMove {
		caps[imap.CapIMAP4rev2] = struct{}{}
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:      caps,
		TLSConfig: pki.Server,
		Logger:    discardLogger{},
	})
	var ln net.Listener = listen(t)
	port := portOf(ln)
	if implicit {
		ln = tls.NewListener(ln, pki.Server)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &imapRig{user: user, port: port}
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}

// deliver appends a message to a mailbox, as the mail server would.
func (r *imapRig) deliver(t *testing.T, mailbox string, raw []byte) {
	t.Helper()
	if _, err := r.user.Append(mailbox, literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{Time: t0}); err != nil {
		t.Fatal(err)
	}
}

// count returns how many messages a mailbox holds (-1: no such mailbox).
func (r *imapRig) count(t *testing.T, mailbox string) int {
	t.Helper()
	st, err := r.user.Status(mailbox, &imap.StatusOptions{NumMessages: true})
	if err != nil {
		return -1
	}
	return int(*st.NumMessages)
}

type literal struct {
	*bytes.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

func imapConfig(pki testPKI, smtpPort int, rig *imapRig) *Config {
	cfg := smtpConfig(pki, smtpPort)
	cfg.IMAP = &IMAP{Server: Server{Host: "127.0.0.1", Port: rig.port, TLS: tlsStartTLS, TLSCA: pki.CAFile, TLSServerName: "localhost",
		Username: "replies@shop.example", Password: "imap-s3cret"}, ArchiveMailbox: "Dropgate Processed"}
	return cfg
}

func TestIMAPReplies(t *testing.T) {
	for _, withMove := range []bool{true, false} {
		name := "MOVE"
		if !withMove {
			name = "COPY+EXPUNGE"
		}
		t.Run(name, func(t *testing.T) { testIMAPReplies(t, withMove) })
	}
}

func testIMAPReplies(t *testing.T, withMove bool) {
	pki := newPKI(t)
	rig := startIMAP(t, pki, withMove)
	c := mustNew(t, imapConfig(pki, 1, rig))
	ctx := context.Background()
	po, _ := testPO()

	rig.deliver(t, "INBOX", reply(`
Subject: Re: Purchase order `+po.Number+` (order #1001)
Message-ID: <ship-1@acme.example>
In-Reply-To: <`+po.Number+`@dropgate.shop.example>`, "Hi,\n\nshipped today via UPS Ground.\nTracking number: "+ups1+"\n\nRegards,\nAcme\n"))
	rig.deliver(t, "INBOX", reply(`
Subject: Re: Purchase order `+po.Number+`
Message-ID: <vague-1@acme.example>`, "Thanks, we will look into it.\n"))

	files, err := c.ListInbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || !strings.HasSuffix(files[0].Name, "-1.eml") || !strings.HasSuffix(files[1].Name, "-2.eml") || files[0].Size == 0 || files[0].ModTime.IsZero() {
		t.Fatalf("files = %+v", files)
	}
	// Listing again names the messages the same way: the engine's
	// identity (name, size, time) is stable.
	again, _ := c.ListInbox(ctx)
	if len(again) != 2 || again[0] != files[0] {
		t.Errorf("second listing %+v differs from %+v", again, files)
	}

	raw, err := c.ReadInbox(ctx, files[0].Name)
	if err != nil || int64(len(raw)) != files[0].Size {
		t.Fatalf("read: %d bytes (listed %d), %v", len(raw), files[0].Size, err)
	}
	got, err := c.ParseDocuments(ctx, files[0].Name, raw)
	if err != nil || len(got.Docs) != 1 || len(got.Rejected) != 0 {
		t.Fatalf("parse: %+v %v", got, err)
	}
	d := got.Docs[0]
	sn := d.ShipNotice
	if d.ID != "email:ship-1@acme.example" || d.PONumber != po.Number || sn == nil || sn.PONumber != po.Number || sn.Supplier != "acme" ||
		sn.Carrier != "ups" || !sn.WholePO || len(sn.Packages) != 1 || sn.Packages[0].TrackingNumber != ups1 || sn.Packages[0].Carrier != "ups" {
		t.Fatalf("doc = %+v, notice %+v", d, sn)
	}
	// Reading did not mark it seen: only archiving does.
	if err := c.ArchiveInbox(ctx, files[0].Name); err != nil {
		t.Fatal(err)
	}
	if n, m := rig.count(t, "INBOX"), rig.count(t, "Dropgate Processed"); n != 1 || m != 1 {
		t.Errorf("after archive: INBOX %d, archive %d", n, m)
	}
	// Archived already (another replica, a retried job): ErrNotExist,
	// which the engine counts as done. Reading it too.
	if err := c.ArchiveInbox(ctx, files[0].Name); !errors.Is(err, transport.ErrNotExist) {
		t.Errorf("second archive: %v", err)
	}
	if _, err := c.ReadInbox(ctx, files[0].Name); !errors.Is(err, transport.ErrNotExist) {
		t.Errorf("read archived: %v", err)
	}

	// The vague reply: rejected with a reason naming the PO, sender and
	// subject, and the message itself is archived like any other.
	raw, _ = c.ReadInbox(ctx, files[1].Name)
	got, _ = c.ParseDocuments(ctx, files[1].Name, raw)
	if len(got.Docs) != 0 || len(got.Rejected) != 1 {
		t.Fatalf("vague: %+v", got)
	}
	r := got.Rejected[0]
	if r.ID != "email:vague-1@acme.example" || len(r.Errors) != 1 || !strings.Contains(r.Errors[0], "no tracking number") ||
		!strings.Contains(r.Errors[0], po.Number) || !strings.Contains(r.Errors[0], "sales@acme.example") {
		t.Errorf("rejected = %+v", r)
	}
	if err := c.ArchiveInbox(ctx, files[1].Name); err != nil {
		t.Fatal(err)
	}
	if files, _ := c.ListInbox(ctx); len(files) != 0 {
		t.Errorf("inbox still lists %+v", files)
	}
	if n := rig.count(t, "Dropgate Processed"); n != 2 {
		t.Errorf("archive holds %d", n)
	}
}

func TestIMAPOnProcessedSeen(t *testing.T) {
	pki := newPKI(t)
	rig := startIMAP(t, pki, true)
	cfg := imapConfig(pki, 1, rig)
	cfg.IMAP.OnProcessed, cfg.IMAP.ArchiveMailbox = onProcessedSeen, ""
	cfg.IMAP.Auth = "plain" // AUTHENTICATE PLAIN instead of LOGIN
	c := mustNew(t, cfg)
	ctx := context.Background()
	rig.deliver(t, "INBOX", reply("Subject: Re: POL92AYZ2Y16", "Confirmed, thank you."))
	files, err := c.ListInbox(ctx)
	if err != nil || len(files) != 1 {
		t.Fatalf("files %+v err %v", files, err)
	}
	if _, err := c.ReadInbox(ctx, files[0].Name); err != nil {
		t.Fatal(err)
	}
	if again, _ := c.ListInbox(ctx); len(again) != 1 {
		t.Fatal("reading must not mark the message seen")
	}
	if err := c.ArchiveInbox(ctx, files[0].Name); err != nil {
		t.Fatal(err)
	}
	if again, _ := c.ListInbox(ctx); len(again) != 0 || rig.count(t, "INBOX") != 1 {
		t.Errorf("after marking seen: listed %+v, INBOX holds %d", again, rig.count(t, "INBOX"))
	}
}

func TestIMAPImplicitTLS(t *testing.T) {
	pki := newPKI(t)
	rig := startIMAPOn(t, pki, true, true)
	cfg := imapConfig(pki, 1, rig)
	cfg.IMAP.TLS = tlsImplicit
	c := mustNew(t, cfg)
	rig.deliver(t, "INBOX", reply("Subject: Re: "+poA, "Tracking "+ups3))
	files, err := c.ListInbox(context.Background())
	if err != nil || len(files) != 1 {
		t.Fatalf("files %+v err %v", files, err)
	}
	if err := c.ArchiveInbox(context.Background(), files[0].Name); err != nil || rig.count(t, "Dropgate Processed") != 1 {
		t.Errorf("archive: %v", err)
	}
}

func TestIMAPFailures(t *testing.T) {
	pki := newPKI(t)
	rig := startIMAP(t, pki, true)
	ctx := context.Background()
	cfg := imapConfig(pki, 1, rig)
	cfg.IMAP.Password = "wrong"
	_, err := mustNew(t, cfg).ListInbox(ctx)
	if err == nil || !fault.IsPermanent(err) || strings.Contains(err.Error(), "wrong") {
		t.Errorf("bad password: %v (permanent %v)", err, fault.IsPermanent(err))
	}
	cfg = imapConfig(pki, 1, rig)
	cfg.IMAP.TLSCA = ""
	if _, err := mustNew(t, cfg).ListInbox(ctx); err == nil || !fault.IsPermanent(err) {
		t.Errorf("untrusted server: %v", err)
	}
	c := mustNew(t, imapConfig(pki, 1, rig))
	if _, err := c.ReadInbox(ctx, "1-999.eml"); !errors.Is(err, transport.ErrNotExist) {
		t.Errorf("unknown UIDVALIDITY: %v", err)
	}
	if _, err := c.ReadInbox(ctx, "../etc/passwd"); err == nil || !fault.IsPermanent(err) {
		t.Errorf("bad name: %v", err)
	}
}

// The whole path over real protocols: the PO goes out over SMTP, the
// supplier answers it (quoting it), the answer comes back over IMAP and
// becomes a ship notice that ships the PO.
func TestSMTPToIMAPRoundTrip(t *testing.T) {
	pki := newPKI(t)
	be, smtpPort := startSMTP(t, pki, false)
	rig := startIMAP(t, pki, true)
	c := mustNew(t, imapConfig(pki, smtpPort, rig))
	ctx := context.Background()
	po, order := testPO()
	if _, err := c.SendPO(ctx, po, order); err != nil {
		t.Fatal(err)
	}
	h, parts := readParts(t, be.messages()[0].Data)
	subj, _ := h.Subject()
	quoted := "> " + strings.ReplaceAll(strings.ReplaceAll(string(parts[0].Body), "\r\n", "\n"), "\n", "\n> ")
	rig.deliver(t, "INBOX", reply("Subject: Re: "+subj+"\nIn-Reply-To: "+h.Get("Message-Id")+"\nReferences: "+h.Get("Message-Id"),
		"Both parcels left today with UPS:\n"+ups2+"\n"+ups3+"\n\nOn Wed, 4 Mar 2026 at 09:30, Shop Orders <orders@shop.example> wrote:\n"+quoted))
	files, _ := c.ListInbox(ctx)
	raw, err := c.ReadInbox(ctx, files[0].Name)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := c.ParseDocuments(ctx, files[0].Name, raw)
	if len(got.Docs) != 1 || got.Docs[0].ShipNotice == nil {
		t.Fatalf("parsed %+v", got)
	}
	sn := got.Docs[0].ShipNotice
	if sn.PONumber != po.Number || len(sn.Packages) != 2 || sn.Packages[0].TrackingNumber != ups2 || sn.Packages[1].TrackingNumber != ups3 {
		t.Fatalf("notice %+v", sn)
	}
	// Applied to the order, the notice ships the whole PO.
	a := &model.Aggregate{Order: *order, POs: []model.PurchaseOrder{*po}}
	a.POs[0].Status = model.POSent
	applyNotice(t, a, got.Docs[0])
	if p := a.PO(po.Number); p.Status != model.POShipped || p.Lines[0].Shipped != 2 || p.Lines[1].Shipped != 1 {
		t.Errorf("po %s lines %+v", p.Status, p.Lines)
	}
}
