package ui

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/gateway/websession"
)

var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	},
	"ago":   func(d time.Duration) string { return d.Round(time.Second).String() },
	"lower": strings.ToLower,
	// money and suppliers render a what-if replay (replay.go).
	"money":     moneyList,
	"suppliers": suppliersOf,
	"lastErr": func(es []store.AttemptError) string {
		if len(es) == 0 {
			return ""
		}
		return es[len(es)-1].Error
	},
}

// parseTemplates builds one template per page, each with the layout.
func parseTemplates() map[string]*template.Template { return websession.Templates(files, funcs) }

func (u *UI) render(w http.ResponseWriter, r *http.Request, name string, data map[string]any) {
	t, ok := u.tmpl[name]
	if !ok {
		http.Error(w, "no template "+name, http.StatusInternalServerError)
		return
	}
	if data == nil {
		data = map[string]any{}
	}
	if _, set := data["CSRF"]; !set {
		data["CSRF"] = csrfOf(r)
	}
	data["Path"] = r.URL.Path
	data["LoggedIn"] = csrfOf(r) != ""
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		u.Log.Error("ui render", "page", name, "err", err)
		http.Error(w, "page failed to render", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}
