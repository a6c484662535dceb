package edifact

import (
	"fmt"
	"io"
)

// orderMessage renders ORDERS message number i (1-based) the way real
// suppliers' files look: UNOC text with a few Latin-1 bytes and released
// delimiters, CRLF after every terminator, 24 segments.
func orderMessage(i int) []byte {
	m := fmt.Sprintf("UNH+%d+ORDERS:D:96A:UN:EAN008'\r\n"+
		"BGM+220+PO%08d+9'\r\n"+
		"DTM+137:20240131:102'\r\n"+
		"DTM+2:20240207:102'\r\n"+
		"FTX+ZZZ+++Livraison ?+ rapide?: porte ?'B?' (c\xF4t\xE9 cour)'\r\n"+
		"RFF+ON:%d'\r\n"+
		"NAD+BY+5412345000013::9'\r\n"+
		"NAD+SU+8710934000008::9'\r\n"+
		"NAD+DP+5412345000020::9++M\xFCller GmbH+Hauptstra\xDFe 5+K\xF6ln++50667+DE'\r\n"+
		"CUX+2:EUR:9'\r\n"+
		"LIN+1++4000862141404:SRS'\r\n"+
		"QTY+21:12.500'\r\n"+
		"PRI+AAA:19.99'\r\n"+
		"LIN+2++4000862141411:SRS'\r\n"+
		"QTY+21:3'\r\n"+
		"PRI+AAA:105.00'\r\n"+
		"LIN+3++4000862141428:SRS'\r\n"+
		"QTY+21:1'\r\n"+
		"PRI+AAA:7.25'\r\n"+
		"UNS+S'\r\n"+
		"MOA+79:670.15'\r\n"+
		"CNT+2:3'\r\n"+
		"CNT+1:16.500'\r\n"+
		"UNT+24+%d'\r\n", i, i, i, i)
	return []byte(m)
}

const genHeader = "UNA:+.? '\r\nUNB+UNOC:3+5412345000013:14+8710934000008:14+240131:1200+900001'\r\n"

// genReader produces an interchange of n ORDERS messages on demand, so a
// test can stream any size without holding it.
type genReader struct {
	n, next int
	pending []byte
	done    bool
}

func newGenReader(n int) *genReader { return &genReader{n: n, pending: []byte(genHeader)} }

func (g *genReader) Read(p []byte) (int, error) {
	total := 0
	for total < len(p) {
		if len(g.pending) == 0 {
			switch {
			case g.next < g.n:
				g.next++
				g.pending = orderMessage(g.next)
			case !g.done:
				g.done = true
				g.pending = []byte(fmt.Sprintf("UNZ+%d+900001'\r\n", g.n))
			default:
				if total == 0 {
					return 0, io.EOF
				}
				return total, nil
			}
		}
		c := copy(p[total:], g.pending)
		g.pending = g.pending[c:]
		total += c
	}
	return total, nil
}

// genInterchange returns the interchange of n messages in memory.
func genInterchange(n int) []byte {
	b, _ := io.ReadAll(newGenReader(n))
	return b
}

// messagesFor is how many generated messages make about size bytes.
func messagesFor(size int) int { return size / len(orderMessage(1)) }
