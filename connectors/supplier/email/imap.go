package email

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/transport"
)

// mailbox is where replies wait: an IMAP folder or a directory.
type mailbox interface {
	list(ctx context.Context) ([]connector.InboxFile, error)
	read(ctx context.Context, name string) ([]byte, error)
	archive(ctx context.Context, name string) error
}

// Limits of one IMAP poll.
const (
	// maxList bounds the messages one listing returns, oldest first; the
	// next poll gets the rest once these are archived.
	maxList = 500
	// maxMessageBytes refuses a message too big to be a supplier's reply
	// (25 MiB, the usual attachment limit of mail providers).
	maxMessageBytes = 25 << 20
)

// imapBox reads replies from an IMAP folder. Each call is one session
// (connect, log in, select, act, log out): an inbox is polled every few
// seconds at most, and a fresh session never inherits a broken one.
//
// A message's inbox name is "<UIDVALIDITY>-<UID>.eml". UIDs are stable
// within a UIDVALIDITY (RFC 9051 §2.3.1.1), so the name, the message's
// size and its INTERNALDATE identify it for the engine's fetch-once rule.
type imapBox struct {
	cfg IMAP
}

var _ mailbox = (*imapBox)(nil)

// session runs fn on a logged-in connection with the mailbox selected
// (read-only with EXAMINE when writable is false).
func (b *imapBox) session(ctx context.Context, writable bool, fn func(c *imapclient.Client, sel *imap.SelectData) error) error {
	ctx, cancel := context.WithTimeout(ctx, b.cfg.timeout())
	defer cancel()
	mode := b.cfg.tlsMode()
	tc, err := b.cfg.tlsConfig()
	if err != nil {
		return err
	}
	addr := b.cfg.addr(143, 993, 143)
	conn, release, err := dial(ctx, addr, mode, tc)
	if err != nil {
		return err
	}
	defer release()
	opts := &imapclient.Options{TLSConfig: tc}
	var c *imapclient.Client
	if mode == tlsStartTLS {
		// NewStartTLS refuses a server that does not offer STARTTLS and
		// one that pre-authenticates in clear.
		if c, err = imapclient.NewStartTLS(conn, opts); err != nil {
			return classifyTLS(fmt.Errorf("imap %s: starttls: %w", addr, err))
		}
	} else {
		c = imapclient.New(conn, opts)
	}
	defer c.Close()
	if err := b.login(c); err != nil {
		return fmt.Errorf("imap %s: log in as %s: %w", addr, b.cfg.Username, err)
	}
	sel, err := c.Select(b.cfg.mailbox(), &imap.SelectOptions{ReadOnly: !writable}).Wait()
	if err != nil {
		return fmt.Errorf("imap %s: select %q: %w", addr, b.cfg.mailbox(), err)
	}
	if err := fn(c, sel); err != nil {
		return err
	}
	_ = c.Logout().Wait()
	return nil
}

// login authenticates with LOGIN or AUTHENTICATE PLAIN. Refused
// credentials are permanent: retrying them only risks a lock-out.
func (b *imapBox) login(c *imapclient.Client) error {
	var err error
	if b.cfg.Auth == "plain" {
		err = c.Authenticate(sasl.NewPlainClient("", b.cfg.Username, b.cfg.Password.Reveal()))
	} else {
		err = c.Login(b.cfg.Username, b.cfg.Password.Reveal()).Wait()
	}
	var ie *imap.Error
	if errors.As(err, &ie) && ie.Type == imap.StatusResponseTypeNo && ie.Code != imap.ResponseCodeUnavailable {
		return fault.Permanent(err)
	}
	return classifyTLS(err)
}

// list returns the messages waiting: not deleted and, with on_processed:
// seen, not seen. The oldest maxList, by UID.
func (b *imapBox) list(ctx context.Context) ([]connector.InboxFile, error) {
	var out []connector.InboxFile
	err := b.session(ctx, false, func(c *imapclient.Client, sel *imap.SelectData) error {
		crit := &imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagDeleted}}
		if b.cfg.OnProcessed == onProcessedSeen {
			crit.NotFlag = append(crit.NotFlag, imap.FlagSeen)
		}
		found, err := c.UIDSearch(crit, nil).Wait()
		if err != nil {
			return fmt.Errorf("imap: search %q: %w", b.cfg.mailbox(), err)
		}
		uids := found.AllUIDs()
		if len(uids) == 0 {
			return nil
		}
		slices.Sort(uids)
		if len(uids) > maxList {
			uids = uids[:maxList]
		}
		msgs, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true, InternalDate: true}).Collect()
		if err != nil {
			return fmt.Errorf("imap: fetch sizes: %w", err)
		}
		for _, m := range msgs {
			out = append(out, connector.InboxFile{Name: inboxName(sel.UIDValidity, m.UID), Size: m.RFC822Size, ModTime: m.InternalDate})
		}
		return nil
	})
	return out, err
}

// read fetches a message whole, as received, without setting \Seen
// (BODY.PEEK): a message is marked only once it is safely processed.
func (b *imapBox) read(ctx context.Context, name string) ([]byte, error) {
	validity, uid, err := parseInboxName(name)
	if err != nil {
		return nil, err
	}
	var data []byte
	err = b.session(ctx, false, func(c *imapclient.Client, sel *imap.SelectData) error {
		if sel.UIDValidity != validity {
			return fmt.Errorf("imap: %s: mailbox UIDVALIDITY is now %d: %w", name, sel.UIDValidity, transport.ErrNotExist)
		}
		set := imap.UIDSetNum(uid)
		sizes, err := c.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
		if err != nil {
			return fmt.Errorf("imap: fetch %s: %w", name, err)
		}
		if len(sizes) == 0 {
			return fmt.Errorf("imap: %s: %w", name, transport.ErrNotExist)
		}
		if sizes[0].RFC822Size > maxMessageBytes {
			return fault.Permanentf("imap: %s is %d bytes, more than the %d a reply may have", name, sizes[0].RFC822Size, maxMessageBytes)
		}
		section := &imap.FetchItemBodySection{Peek: true}
		msgs, err := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			return fmt.Errorf("imap: fetch %s: %w", name, err)
		}
		if len(msgs) == 0 || len(msgs[0].BodySection) == 0 {
			return fmt.Errorf("imap: %s: %w", name, transport.ErrNotExist)
		}
		data = msgs[0].BodySection[0].Bytes
		return nil
	})
	return data, err
}

// archive moves a processed message to the archive mailbox (creating it
// the first time), or marks it \Seen.
func (b *imapBox) archive(ctx context.Context, name string) error {
	validity, uid, err := parseInboxName(name)
	if err != nil {
		return err
	}
	return b.session(ctx, true, func(c *imapclient.Client, sel *imap.SelectData) error {
		if sel.UIDValidity != validity {
			return fmt.Errorf("imap: %s: mailbox UIDVALIDITY is now %d: %w", name, sel.UIDValidity, transport.ErrNotExist)
		}
		set := imap.UIDSetNum(uid)
		found, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}, NotFlag: []imap.Flag{imap.FlagDeleted}}, nil).Wait()
		if err != nil {
			return fmt.Errorf("imap: search %s: %w", name, err)
		}
		if len(found.AllUIDs()) == 0 {
			return fmt.Errorf("imap: %s: %w", name, transport.ErrNotExist)
		}
		if b.cfg.OnProcessed == onProcessedSeen {
			err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
			if err != nil {
				return fmt.Errorf("imap: mark %s seen: %w", name, err)
			}
			return nil
		}
		dest := b.cfg.archiveMailbox()
		if err := b.moveOrCreate(c, set, dest); err != nil {
			return fmt.Errorf("imap: move %s to %q: %w", name, dest, err)
		}
		return nil
	})
}

// moveOrCreate moves set to dest, creating dest when the first attempt
// is refused (servers say TRYCREATE, NONEXISTENT or just NO).
func (b *imapBox) moveOrCreate(c *imapclient.Client, set imap.UIDSet, dest string) error {
	err := move(c, set, dest)
	var ie *imap.Error
	if err == nil || !errors.As(err, &ie) || ie.Type != imap.StatusResponseTypeNo {
		return err
	}
	if cerr := c.Create(dest, nil).Wait(); cerr != nil {
		if errors.As(cerr, &ie) && ie.Code == imap.ResponseCodeAlreadyExists {
			return err // it existed: the move failed for another reason
		}
		return fmt.Errorf("%w (creating it: %v)", err, cerr)
	}
	return move(c, set, dest)
}

// move uses MOVE (RFC 6851) when the server has it, else COPY, then
// \Deleted and EXPUNGE, each step waiting for the previous one: the
// message is deleted only once the copy exists. Without UIDPLUS the
// fallback's plain EXPUNGE also removes other messages already marked
// \Deleted in the folder, as any mail client's "compact" would.
func move(c *imapclient.Client, set imap.UIDSet, dest string) error {
	caps := c.Caps()
	if caps.Has(imap.CapMove) {
		_, err := c.Move(set, dest).Wait()
		return err
	}
	if _, err := c.Copy(set, dest).Wait(); err != nil {
		return err
	}
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		return err
	}
	if caps.Has(imap.CapUIDPlus) {
		return c.UIDExpunge(set).Close()
	}
	return c.Expunge().Close()
}

// inboxName is a message's name in ListInbox.
func inboxName(validity uint32, uid imap.UID) string {
	return fmt.Sprintf("%d-%d.eml", validity, uid)
}

func parseInboxName(name string) (uint32, imap.UID, error) {
	v, u, ok := strings.Cut(strings.TrimSuffix(name, ".eml"), "-")
	validity, err1 := strconv.ParseUint(v, 10, 32)
	uid, err2 := strconv.ParseUint(u, 10, 32)
	if !ok || err1 != nil || err2 != nil || uid == 0 {
		return 0, 0, fault.Permanentf("imap: %q is not an inbox name (<uidvalidity>-<uid>.eml)", name)
	}
	return uint32(validity), imap.UID(uid), nil
}
