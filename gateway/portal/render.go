package portal

import (
	"bytes"
	"html/template"
	"net/http"
	"time"

	"github.com/dropgate/dropgate/gateway/websession"
)

var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04Z")
	},
}

func parseTemplates() map[string]*template.Template { return websession.Templates(files, funcs) }

func (p *Portal) render(w http.ResponseWriter, r *http.Request, name string, data map[string]any) {
	t, ok := p.tmpl[name]
	if !ok {
		http.Error(w, "no template "+name, http.StatusInternalServerError)
		return
	}
	if data == nil {
		data = map[string]any{}
	}
	s := sessionOf(r)
	if _, set := data["CSRF"]; !set {
		data["CSRF"] = s.CSRF
	}
	data["LoggedIn"] = s.CSRF != ""
	data["Supplier"] = s.V.supplier
	data["Email"] = s.V.email
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		p.Log.Error("portal render", "page", name, "err", err)
		http.Error(w, "page failed to render", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

func (p *Portal) fail(w http.ResponseWriter, r *http.Request, code int, msg string) {
	w.WriteHeader(code)
	p.render(w, r, "error", map[string]any{"Message": msg})
}
