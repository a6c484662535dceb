package config

import (
	"net/mail"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/dropgate/dropgate/core/app/notify"
	drv "github.com/dropgate/dropgate/internal/notify"
)

// validateNotifications checks the `notifications:` block: addresses,
// e-mail kinds, the templates, endpoint URLs, secrets and event types.
func (d *decoder) validateNotifications(cfg *Config, root *yaml.Node) {
	n := cfg.Notifications
	if n == nil {
		return
	}
	if e := n.Email; e != nil {
		const p = "notifications.email"
		if e.From != "" {
			if _, err := mail.ParseAddress(e.From); err != nil {
				d.errorf(nodeAt(root, p+".from"), p+".from", "%q is not an e-mail address: %v", e.From, err)
			}
		}
		if e.ReplyTo != "" {
			if _, err := mail.ParseAddress(e.ReplyTo); err != nil {
				d.errorf(nodeAt(root, p+".reply_to"), p+".reply_to", "%q is not an e-mail address: %v", e.ReplyTo, err)
			}
		}
		for i, k := range e.Send {
			if !slices.Contains(notify.MailKinds, k) {
				path := p + ".send[" + strconv.Itoa(i) + "]"
				d.errorf(nodeAt(root, path), path, "unknown e-mail %q (known: %s)", k, strings.Join(notify.MailKinds, ", "))
			}
		}
		for ch := range e.Channels {
			if !slices.ContainsFunc(cfg.Channels, func(c *Connector) bool { return c.Name == ch }) {
				path := p + ".channels." + ch
				d.errorf(nodeAt(root, path), path, "no channel is named %q", ch)
			}
		}
		if e.Templates != "" {
			dir := cfg.Resolve(e.Templates)
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				d.errorf(nodeAt(root, p+".templates"), p+".templates", "%s is not a directory", dir)
			} else if _, err := drv.NewMailer(drv.Email{From: "a@b.c"}, dir, nil); err != nil {
				d.errorf(nodeAt(root, p+".templates"), p+".templates", "%v", err)
			}
		}
	}
	seen := map[string]bool{}
	for i, e := range n.Events {
		p := "notifications.events[" + strconv.Itoa(i) + "]"
		if e.Name != "" && !nameRE.MatchString(e.Name) {
			d.errorf(nodeAt(root, p+".name"), p+".name", "%q: use lower-case letters, digits, - and _", e.Name)
		}
		if seen[e.Name] && e.Name != "" {
			d.errorf(nodeAt(root, p+".name"), p+".name", "duplicate endpoint name %q", e.Name)
		}
		seen[e.Name] = true
		if e.URL != "" {
			if u, err := url.Parse(e.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				d.errorf(nodeAt(root, p+".url"), p+".url", "%q is not an http(s) URL", e.URL)
			}
		}
		if e.Secret.IsZero() && valueNode(nodeAt(root, p), "secret") != nodeAt(root, p) {
			d.errorf(nodeAt(root, p+".secret"), p+".secret", "is empty: the receiver could not verify deliveries (set it from the environment, ${VAR})")
		}
		if strings.HasPrefix(e.Secret.Reveal(), "whsec_") {
			if _, err := drv.SecretKey(e.Secret.Reveal()); err != nil {
				d.errorf(nodeAt(root, p+".secret"), p+".secret", "whsec_ must be followed by base64")
			}
		}
		known := notify.EventTypes()
		for j, t := range e.Types {
			if t != "*" && !slices.Contains(known, t) {
				path := p + ".types[" + strconv.Itoa(j) + "]"
				d.errorf(nodeAt(root, path), path, "unknown event type %q (known: %s, or *)", t, strings.Join(known, ", "))
			}
		}
	}
}
