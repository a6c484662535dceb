package email

import (
	"strings"

	"golang.org/x/net/html"
)

// htmlToText turns an HTML body into plain text for the reply patterns:
// block elements and <br> become line breaks, table cells are separated
// by a tab, entities are decoded, and script, style and head are dropped.
//
// With quoted false, quoted content is dropped too: <blockquote> (what
// Apple Mail, Thunderbird and most webmails wrap the original in) and the
// quote containers of Gmail (div.gmail_quote) and Outlook
// (div#divRplyFwdMsg, div#appendonsend and what follows it). The
// plain-text quote markers of quote.go still apply to the result.
func htmlToText(src string, quoted bool) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	skip := 0          // depth inside an element whose content is dropped
	var stack []string // names of the open dropped elements, to close them
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return tidyText(b.String())
		case html.TextToken:
			if skip == 0 {
				b.WriteString(collapseSpace(string(z.Text())))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, attrs := tagInfo(z)
			if skip > 0 {
				if tt == html.StartTagToken && name == stack[len(stack)-1] {
					skip++
				}
				continue
			}
			if tt == html.StartTagToken && dropped(name, attrs, quoted) {
				if !quoted && isAppendOnSend(attrs) {
					// Outlook's marker: everything after it is the quote.
					return tidyText(b.String())
				}
				skip, stack = 1, append(stack[:0], name)
				continue
			}
			writeBreak(&b, name)
		case html.EndTagToken:
			name, _ := z.TagName()
			if skip > 0 {
				if string(name) == stack[len(stack)-1] {
					skip--
				}
				continue
			}
			if n := string(name); n != "td" && n != "th" {
				writeBreak(&b, n)
			}
		}
	}
}

// tagInfo returns the lower-case tag name and its id and class.
func tagInfo(z *html.Tokenizer) (string, map[string]string) {
	name, more := z.TagName()
	attrs := map[string]string{}
	for more {
		var k, v []byte
		k, v, more = z.TagAttr()
		switch string(k) {
		case "id", "class":
			attrs[string(k)] = strings.ToLower(string(v))
		}
	}
	return string(name), attrs
}

// dropped reports whether an element's content is not the reply's text.
func dropped(name string, attrs map[string]string, quoted bool) bool {
	switch name {
	case "script", "style", "head", "title", "template":
		return true
	}
	if quoted {
		return false
	}
	if name == "blockquote" {
		return true
	}
	id, class := attrs["id"], " "+attrs["class"]+" "
	return strings.Contains(class, " gmail_quote ") || id == "divrplyfwdmsg" || isAppendOnSend(attrs)
}

func isAppendOnSend(attrs map[string]string) bool { return attrs["id"] == "appendonsend" }

// writeBreak writes the separator an element implies.
func writeBreak(b *strings.Builder, name string) {
	switch name {
	case "br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre", "hr", "address", "section", "article", "header", "footer", "dd", "dt":
		b.WriteByte('\n')
	case "td", "th":
		b.WriteByte('\t')
	}
}

// collapseSpace folds runs of white space (HTML source line breaks
// included) into one space, as a browser renders them.
func collapseSpace(s string) string {
	if strings.TrimSpace(s) == "" {
		if s == "" {
			return ""
		}
		return " "
	}
	lead := s[0] == ' ' || s[0] == '\n' || s[0] == '\t' || s[0] == '\r'
	last := s[len(s)-1]
	trail := last == ' ' || last == '\n' || last == '\t' || last == '\r'
	out := strings.Join(strings.Fields(s), " ")
	if lead {
		out = " " + out
	}
	if trail {
		out += " "
	}
	return out
}

// tidyText trims each line and keeps at most one blank line in a row.
func tidyText(s string) string {
	var out []string
	blank := false
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(strings.ReplaceAll(l, "\u00a0", " "))
		if l == "" {
			if !blank && len(out) > 0 {
				out = append(out, "")
			}
			blank = true
			continue
		}
		blank = false
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
