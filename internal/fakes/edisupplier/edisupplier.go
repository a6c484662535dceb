// Package edisupplier is a simulated X12 drop-ship supplier, for the demo
// and for end-to-end tests: it reads the 850s dropgate writes to its
// outbox and answers in its inbox as a trading partner would, with a 997,
// an 855 (accepting, or rejecting the SKUs it is told to) and, after a
// delay, an 856 with a real-looking UPS tracking number per PO.
//
// It speaks through files only, like a partner behind a directory or SFTP
// drop, so dropgate is exercised exactly as in production.
package edisupplier

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dropgate/dropgate/internal/tracking"
	"github.com/dropgate/dropgate/internal/transport"
	"github.com/dropgate/dropgate/internal/x12"
)

// Supplier is one simulated partner.
type Supplier struct {
	Name   string
	Outbox string // where dropgate writes our 850s
	Inbox  string // where we answer
	// Reject maps a supplier SKU to the reason its lines are rejected.
	Reject map[string]string
	// ShipAfter is how long after acknowledging the PO ships (0: at once).
	ShipAfter time.Duration
	// Silent suppliers never answer (an SLA breach, for tests).
	Silent bool
	// Split ships each accepted line in its own 856, with its own
	// tracking number (a PO leaving in several shipments).
	Split bool
	// SCAC is the carrier in the 856 (default UPSN).
	SCAC string
	// Now is the clock (default time.Now).
	Now func() time.Time
	Log *slog.Logger

	mu      sync.Mutex
	seen    map[string]bool // outbox files answered
	pending []shipment      // acknowledged, waiting to ship
	shipped map[string]bool // PO numbers shipped
	control int
	rma     bool // answer the 180s (AnswerReturns)
}

// AnswerReturns makes the supplier answer each RMA request (an X12 180
// dropgate wrote, <return>.180.x12) with a 997 and a 180 authorising it
// under RMA number RMANumber(return). Off by default, so a test can see a
// return wait for its answer first.
func (s *Supplier) AnswerReturns(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rma = on
}

// RMANumber is the RMA number the simulator gives a return.
func RMANumber(ret string) string { return "RMA-" + strings.TrimPrefix(ret, "ret_") }

// po is what the simulator read from an 850.
type po struct {
	number, date string
	set          string // ST02: several POs may share one interchange (a batch)
	cancel       bool
	lines        []poLine
	isa          x12.InterchangeHeader
	gs           x12.GroupHeader
	delims       x12.Delimiters
}

type poLine struct {
	no         string
	qty        int64
	price, sku string
	rejected   string
}

type shipment struct {
	po  po
	due time.Time
}

func (s *Supplier) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Supplier) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Run answers every interval until ctx ends.
func (s *Supplier) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.Step(); err != nil {
			s.log().Warn("simulated supplier", "supplier", s.Name, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Step answers new 850s and ships what is due. It is safe to call from
// several goroutines.
func (s *Supplier) Step() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen, s.shipped = map[string]bool{}, map[string]bool{}
	}
	entries, err := os.ReadDir(s.Outbox)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".850.x12") && !s.seen[e.Name()] {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if s.rma && !s.Silent {
		if err := s.answerReturns(entries); err != nil {
			return err
		}
	}
	for _, n := range names {
		s.seen[n] = true
		data, err := os.ReadFile(filepath.Join(s.Outbox, n))
		if err != nil {
			return err
		}
		pos, err := read850(data)
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		if s.Silent {
			continue
		}
		for _, p := range pos {
			if err := s.answer(p); err != nil {
				return err
			}
		}
	}
	now := s.now()
	kept := s.pending[:0]
	for _, sh := range s.pending {
		if now.Before(sh.due) {
			kept = append(kept, sh)
			continue
		}
		if err := s.ship(sh.po); err != nil {
			return err
		}
	}
	s.pending = kept
	return nil
}

// accept writes the 997 accepting p's set (a group fid, a set of id).
func (s *Supplier) accept(p po, fid, id string) error {
	return s.put("997", p, func(w *x12.Writer) {
		_ = w.BeginSet(x12.SetHeader{ID: "997", Control: "0001"})
		_ = w.WriteSegment("AK1", fid, p.gs.Control)
		_ = w.WriteSegment("AK2", id, p.set)
		_ = w.WriteSegment("AK5", "A")
		_ = w.WriteSegment("AK9", "A", "1", "1", "1")
		_ = w.EndSet()
	}, "FA")
}

// answer writes the 997 and 855 for a PO (or the answer to a cancel).
func (s *Supplier) answer(p po) error {
	if err := s.accept(p, "PO", "850"); err != nil {
		return err
	}
	if p.cancel {
		ackType := "AK"
		if s.shipped[p.number] {
			ackType = "RJ" // too late: it left the dock
		}
		for i := range s.pending {
			if s.pending[i].po.number == p.number {
				s.pending = append(s.pending[:i], s.pending[i+1:]...)
				break
			}
		}
		return s.put("855", p, func(w *x12.Writer) {
			_ = w.BeginSet(x12.SetHeader{ID: "855", Control: "0001"})
			_ = w.WriteSegment("BAK", "01", ackType, p.number, p.date)
			_ = w.EndSet()
		}, "PR")
	}
	accepted := 0
	for i := range p.lines {
		if r, ok := s.Reject[p.lines[i].sku]; ok {
			p.lines[i].rejected = r
		} else {
			accepted++
		}
	}
	ackType := "AD"
	switch {
	case accepted == 0:
		ackType = "RD"
	case accepted < len(p.lines):
		ackType = "AC"
	}
	err := s.put("855", p, func(w *x12.Writer) {
		_ = w.BeginSet(x12.SetHeader{ID: "855", Control: "0001"})
		_ = w.WriteSegment("BAK", "00", ackType, p.number, p.date)
		for _, l := range p.lines {
			_ = w.WriteSegment("PO1", l.no, strconv.FormatInt(l.qty, 10), "EA", l.price, "", "VP", l.sku)
			if l.rejected != "" {
				_ = w.WriteSegment("ACK", "IR", strconv.FormatInt(l.qty, 10), "EA")
				_ = w.WriteSegment("MSG", l.rejected)
			} else {
				_ = w.WriteSegment("ACK", "IA", strconv.FormatInt(l.qty, 10), "EA")
			}
		}
		_ = w.WriteSegment("CTT", strconv.Itoa(len(p.lines)))
		_ = w.EndSet()
	}, "PR")
	if err != nil || accepted == 0 {
		return err
	}
	s.pending = append(s.pending, shipment{po: p, due: s.now().Add(s.ShipAfter)})
	return nil
}

// ship writes the 856 for the accepted lines of a PO (one per line when
// Split).
func (s *Supplier) ship(p po) error {
	if !s.Split {
		return s.ship856(p, "")
	}
	all := p.lines
	for _, l := range all {
		if l.rejected != "" {
			continue
		}
		p.lines = []poLine{l}
		if err := s.ship856(p, "-"+l.no); err != nil {
			return err
		}
	}
	return nil
}

// ship856 writes one 856 for the accepted lines of p; suffix tells the
// shipments of one PO apart.
func (s *Supplier) ship856(p po, suffix string) error {
	scac := s.SCAC
	if scac == "" {
		scac = "UPSN"
	}
	trk := UPSNumber(s.Name + p.number + suffix)
	now := s.now().UTC()
	err := s.put("856", p, func(w *x12.Writer) {
		_ = w.BeginSet(x12.SetHeader{ID: "856", Control: "0001"})
		_ = w.WriteSegment("BSN", "00", "SH"+p.number+suffix, now.Format("20060102"), now.Format("1504"), "0001")
		_ = w.WriteSegment("HL", "1", "", "S")
		_ = w.WriteSegment("TD5", "B", "2", scac, "", "UPS Ground")
		_ = w.WriteSegment("REF", "CN", trk)
		_ = w.WriteSegment("DTM", "011", now.Format("20060102"), now.Format("1504"))
		_ = w.WriteSegment("HL", "2", "1", "O")
		_ = w.WriteSegment("PRF", p.number)
		n := 2
		for _, l := range p.lines {
			if l.rejected != "" {
				continue
			}
			n++
			_ = w.WriteSegment("HL", strconv.Itoa(n), "2", "I")
			_ = w.WriteSegment("LIN", "", "VP", l.sku, "PL", l.no)
			_ = w.WriteSegment("SN1", "", strconv.FormatInt(l.qty, 10), "EA")
		}
		_ = w.WriteSegment("CTT", strconv.Itoa(n-2))
		_ = w.EndSet()
	}, "SH")
	if err == nil {
		s.shipped[p.number] = true
	}
	return err
}

// put writes one interchange (sender and receiver swapped from the 850)
// into the inbox, atomically.
func (s *Supplier) put(kind string, p po, body func(*x12.Writer), functionalID string) error {
	s.control++
	var buf bytes.Buffer
	w, err := x12.NewWriter(&buf, p.delims, x12.WithNewline("\n"))
	if err != nil {
		return err
	}
	now := s.now().UTC()
	ctrl := strconv.Itoa(s.control + int(ctrlBase(s.Name)))
	_ = w.BeginInterchange(x12.InterchangeHeader{
		SenderQualifier: p.isa.ReceiverQualifier, SenderID: p.isa.ReceiverID,
		ReceiverQualifier: p.isa.SenderQualifier, ReceiverID: p.isa.SenderID,
		Date: now, Version: p.isa.Version, Control: ctrl, Usage: p.isa.Usage,
	})
	_ = w.BeginGroup(x12.GroupHeader{FunctionalID: functionalID, Sender: p.gs.Receiver, Receiver: p.gs.Sender, Date: now, Control: ctrl, Version: p.gs.Version})
	body(w)
	_ = w.EndGroup()
	_ = w.EndInterchange()
	if err := w.Close(); err != nil {
		return fmt.Errorf("%s for %s: %w", kind, p.number, err)
	}
	if err := os.MkdirAll(s.Inbox, 0o755); err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%s-%s.x12", p.number, kind, ctrl)
	if p.cancel {
		name = fmt.Sprintf("%s-cancel-%s-%s.x12", p.number, kind, ctrl)
	}
	s.log().Info("simulated supplier answered", "supplier", s.Name, "po", p.number, "document", kind)
	return transport.WriteFileAtomic(filepath.Join(s.Inbox, name), buf.Bytes())
}

// ctrlBase spreads suppliers' control numbers apart so their files never
// collide in a shared test directory.
func ctrlBase(name string) uint32 {
	sum := sha256.Sum256([]byte(name))
	return binary.BigEndian.Uint32(sum[:4]) % 100000 * 1000
}

// read850 reads what the simulator needs from an 850.
func read850(data []byte) ([]po, error) {
	f, err := x12.Parse(data)
	if err != nil {
		return nil, err
	}
	if len(f.Interchanges) == 0 || len(f.Interchanges[0].Groups) == 0 || len(f.Interchanges[0].Groups[0].Sets) == 0 {
		return nil, fmt.Errorf("no transaction set")
	}
	ic := f.Interchanges[0]
	g := ic.Groups[0]
	var out []po
	for _, set := range g.Sets {
		p := po{isa: ic.Header, gs: g.Header, delims: ic.Delimiters, set: set.Header.Control}
		for _, seg := range set.Segments {
			switch seg.ID {
			case "BEG":
				p.cancel = seg.Element(1) == "01"
				p.number, p.date = seg.Element(3), seg.Element(5)
			case "PO1":
				qty, _ := seg.Int(2)
				l := poLine{no: seg.Element(1), qty: qty, price: seg.Element(4)}
				for i := 6; i+1 <= seg.Len(); i += 2 {
					if seg.Element(i) == "VP" {
						l.sku = seg.Element(i + 1)
					}
				}
				p.lines = append(p.lines, l)
			}
		}
		if p.number == "" {
			return nil, fmt.Errorf("set %s: no BEG03 PO number", p.set)
		}
		out = append(out, p)
	}
	return out, nil
}

// UPSNumber derives a UPS tracking number (1Z + shipper + service +
// package + check digit) from a seed, with a check digit that UPS's own
// algorithm accepts, so dropgate's tracking validation sees a real one.
func UPSNumber(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	pkg := binary.BigEndian.Uint64(sum[:8]) % 10000000
	base := fmt.Sprintf("1Z%s%s%07d", "DG7R40", "03", pkg)
	for d := 0; d <= 9; d++ {
		n := base + strconv.Itoa(d)
		if tracking.Validate("ups", n) == nil {
			return n
		}
	}
	return base + "0"
}
