package pdf

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// check parses what a reader needs: the xref table's offsets each point
// at their object, startxref at the table, and the page count.
func check(t *testing.T, doc []byte) (objects, pages int) {
	t.Helper()
	if !bytes.HasPrefix(doc, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(doc, []byte("%%EOF\n")) {
		t.Fatalf("not a PDF: %q … %q", doc[:min(20, len(doc))], doc[max(0, len(doc)-10):])
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n`).FindSubmatch(doc)
	if m == nil {
		t.Fatal("no startxref")
	}
	at, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(doc[at:], []byte("xref\n0 ")) {
		t.Fatalf("startxref %d points at %q", at, doc[at:at+10])
	}
	rows := regexp.MustCompile(`(\d{10}) 00000 n `).FindAllSubmatch(doc[at:], -1)
	for i, r := range rows {
		off, _ := strconv.Atoi(string(r[1]))
		if want := fmt.Sprintf("%d 0 obj\n", i+1); !bytes.HasPrefix(doc[off:], []byte(want)) {
			t.Fatalf("xref row %d: offset %d holds %q, want %q", i+1, off, doc[off:off+12], want)
		}
	}
	c := regexp.MustCompile(`/Count (\d+)`).FindSubmatch(doc)
	pages, _ = strconv.Atoi(string(c[1]))
	return len(rows), pages
}

func TestOnePage(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "Purchase order PO123", []string{"1  A-MUG  2 x 3.00 USD", "Ship to: Zoë (O'Brien) \\ Straße", "漢字"}); err != nil {
		t.Fatal(err)
	}
	objs, pages := check(t, b.Bytes())
	if objs != 5 || pages != 1 {
		t.Fatalf("%d objects, %d pages", objs, pages)
	}
	doc := b.String()
	for _, want := range []string{"(Purchase order PO123) Tj", `(1  A-MUG  2 x 3.00 USD) Tj`, `Zo\353 \(O'Brien\) \\ Stra\337e`, "(??) Tj"} {
		if !strings.Contains(doc, want) {
			t.Errorf("missing %q", want)
		}
	}
}

func TestManyPages(t *testing.T) {
	lines := make([]string, 3*linesPerPage)
	for i := range lines {
		lines[i] = fmt.Sprintf("line %d %s", i, strings.Repeat("x", 150))
	}
	var b bytes.Buffer
	if err := Write(&b, "long", lines); err != nil {
		t.Fatal(err)
	}
	_, pages := check(t, b.Bytes())
	if pages != 4 || !strings.Contains(b.String(), "(page 4 of 4) Tj") || !strings.Contains(b.String(), "line 0 "+strings.Repeat("x", 93)+`\205) Tj`) {
		t.Fatalf("%d pages", pages)
	}
	var empty bytes.Buffer
	if err := Write(&empty, "nothing", nil); err != nil {
		t.Fatal(err)
	}
	if _, p := check(t, empty.Bytes()); p != 1 {
		t.Errorf("an empty document has %d pages", p)
	}
}

// FuzzText: any string escapes to a literal with balanced escapes and
// no raw parenthesis or byte outside printable ASCII.
func FuzzText(f *testing.F) {
	f.Add("a(b)c\\d")
	f.Add("Zoë 漢字 \x00\t")
	f.Fuzz(func(t *testing.T, s string) {
		out := text(s)
		for i := 0; i < len(out); i++ {
			c := out[i]
			if c < 0x20 || c >= 0x7f {
				t.Fatalf("raw byte %#x in %q", c, out)
			}
			if c == '\\' {
				i++ // the escaped character
				continue
			}
			if c == '(' || c == ')' {
				t.Fatalf("unescaped paren in %q", out)
			}
		}
	})
}
