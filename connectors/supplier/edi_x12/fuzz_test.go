package edi_x12

import (
	"context"
	"testing"

	"github.com/dropgate/dropgate/internal/x12"
)

// FuzzParseDocuments feeds arbitrary bytes to the inbound path: it must
// return documents, rejections and replies, or an error, never panic;
// and every reply it renders must itself parse.
func FuzzParseDocuments(f *testing.F) {
	f.Add(interchange(f, "1", 1, group{fid: "PR", sets: []set{{"855", "BAK*00*AC*PO1*20261121\nPO1*1*2*EA*4.20**VP*A\nACK*IA*1*EA\nACK*IB*1*EA*079*20261201\nCTT*1"}}}))
	f.Add(interchange(f, "2", 2, group{fid: "SH", sets: []set{{"856", "BSN*00*S1*20261122*0930\nHL*1**S\nTD5**2*UPSN\nHL*2*1*O\nPRF*PO1\nHL*3*2*P\nMAN*CP*1Z1\nHL*4*3*I\nLIN*1*VP*A\nSN1*1*1*EA\nCTT*4"}}}))
	f.Add(interchange(f, "3", 3, group{fid: "IN", sets: []set{{"810", "BIG*20261125*I**PO1\nITD*01*3*2**10**30\nIT1*1*1*EA*1.00**VP*A\nSAC*C*D240***100\nTDS*200\nTXI*ST*1.00\nCTT*1"}}}))
	f.Add(interchange(f, "4", 4, group{fid: "IB", sets: []set{{"846", "BIA*00*DD*R*20261122\nN1*WH*DC*92*1\nLIN**VP*A\nCTP**UCP*1.00\nQTY*33*5*EA"}}}))
	f.Add(interchange(f, "5", 5, group{fid: "FA", sets: []set{{"997", "AK1*PO*5\nAK2*850*0001\nAK3*N4*9**8\nAK4*2*156*7*X\nAK5*R*5\nAK9*R*1*1*0"}}}))
	f.Add(interchange(f, "6", 6, group{fid: "PO", sets: []set{{"850", "BEG*00*DS*PO1**20261121\nPO1*1*1*EA*1.00"}}}))
	f.Add(interchange(f, "7", 7, group{fid: "AN", sets: []set{{"180", "BGN*11*A1*20261206***ret_1\nRDR*CR**A\nPRF*PO1\nN9*RZ*RMA-1"}}}))
	f.Add(interchange(f, "8", 8, group{fid: "AN", sets: []set{{"180", "BGN*11*A2*20261206***ret_1\nRDR*CR**R*too late\nPRF*PO1"}}}))
	f.Add([]byte("ISA*00*"))
	c, _ := newParser(f, nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := c.ParseDocuments(context.Background(), "fuzz.x12", data)
		if err != nil {
			if got != nil {
				t.Fatalf("both a result and an error: %v", err)
			}
			return
		}
		for _, r := range got.Replies {
			if _, err := x12.Parse(r.Data); err != nil {
				t.Fatalf("reply %s does not parse: %v\n%s", r.Name, err, r.Data)
			}
		}
	})
}
