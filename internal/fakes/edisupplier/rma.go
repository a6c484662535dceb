package edisupplier

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dropgate/dropgate/internal/x12"
)

// answerReturns answers the RMA requests (180s) not answered yet: a 997
// for the group and a 180 response authorising the return, as a partner
// does: BGN01 11 (response) with BGN06 the request's reference, RDR03 A,
// PRF the purchase order, N9*RZ the RMA number.
func (s *Supplier) answerReturns(entries []os.DirEntry) error {
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".180.x12") || s.seen[n] {
			continue
		}
		s.seen[n] = true
		data, err := os.ReadFile(filepath.Join(s.Outbox, n))
		if err != nil {
			return err
		}
		p, ret, err := read180(data)
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		if err := s.accept(p, "AN", "180"); err != nil {
			return err
		}
		now := s.now().UTC().Format("20060102")
		if err := s.put("180", p, func(w *x12.Writer) {
			_ = w.BeginSet(x12.SetHeader{ID: "180", Control: "0001"})
			_ = w.WriteSegment("BGN", "11", "ANS-"+ret, now, "", "", ret)
			_ = w.WriteSegment("RDR", "CR", "", "A")
			_ = w.WriteSegment("PRF", p.number)
			_ = w.WriteSegment("N9", "RZ", RMANumber(ret))
			_ = w.EndSet()
		}, "AN"); err != nil {
			return err
		}
	}
	return nil
}

// read180 reads the envelope, the return (BGN02) and the PO (PRF01) of
// an RMA request.
func read180(data []byte) (po, string, error) {
	f, err := x12.Parse(data)
	if err != nil {
		return po{}, "", err
	}
	if len(f.Interchanges) == 0 || len(f.Interchanges[0].Groups) == 0 || len(f.Interchanges[0].Groups[0].Sets) == 0 {
		return po{}, "", fmt.Errorf("no transaction set")
	}
	ic := f.Interchanges[0]
	g := ic.Groups[0]
	set := g.Sets[0]
	p := po{isa: ic.Header, gs: g.Header, delims: ic.Delimiters, set: set.Header.Control}
	var ret string
	for _, seg := range set.Segments {
		switch seg.ID {
		case "BGN":
			ret = seg.Element(2)
		case "PRF":
			p.number = seg.Element(1)
		}
	}
	if ret == "" || p.number == "" {
		return po{}, "", fmt.Errorf("180 without BGN02 or PRF01")
	}
	return p, ret, nil
}
