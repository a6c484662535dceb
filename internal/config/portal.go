package config

import (
	"fmt"
	"net/mail"
	"reflect"
	"strings"

	"golang.org/x/crypto/bcrypt"
	"gopkg.in/yaml.v3"
)

// portalKey is a supplier's `portal:` block, decoded apart from its
// connector's own keys: any supplier may offer the portal.
const portalKey = "portal"

// PortalType is the supplier type whose only medium is the portal: its
// portal is on without `enabled: true`.
const PortalType = "portal"

// Portal is a supplier's `portal:` block: who may log in to /portal/ for
// it. Passwords are stored only as bcrypt hashes (`dropgate portal
// hash-password`).
type Portal struct {
	Enabled bool         `yaml:"enabled"`
	Users   []PortalUser `yaml:"users"`
}

// PortalUser is one login of a supplier.
type PortalUser struct {
	Email        string `yaml:"email" required:"true"`
	PasswordHash string `yaml:"password_hash" required:"true"`
}

// PortalOn reports whether supplier c has a portal login.
func (c *Connector) PortalOn() bool {
	return c.Portal != nil && (c.Portal.Enabled || c.Type == PortalType)
}

// decodePortal decodes a supplier's portal block.
func (d *decoder) decodePortal(n *yaml.Node, path string) *Portal {
	p := &Portal{}
	d.decode(n, reflect.ValueOf(p).Elem(), path)
	return p
}

// validatePortal checks the logins of a supplier whose portal is on:
// at least one, unique addresses, real bcrypt hashes (a plain password
// pasted by mistake is refused, never stored).
func (d *decoder) validatePortal(cfg *Config, c *Connector, item *yaml.Node, path string) {
	if c.Type == PortalType && c.Portal == nil {
		d.errorf(item, path+".portal", "a portal supplier needs portal.users (each an email and a password_hash from `dropgate portal hash-password`)")
		return
	}
	if !c.PortalOn() {
		return
	}
	if len(c.Portal.Users) == 0 {
		d.errorf(nodeAt(item, "portal"), path+".portal.users", "the portal is on but has no users")
	}
	seen := map[string]bool{}
	for i, u := range c.Portal.Users {
		up := fmt.Sprintf("portal.users[%d]", i)
		if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
			d.errorf(nodeAt(item, up+".email"), path+"."+up+".email", "%q is not an e-mail address", u.Email)
		}
		key := strings.ToLower(u.Email)
		if seen[key] {
			d.errorf(nodeAt(item, up+".email"), path+"."+up+".email", "%s is listed twice", u.Email)
		}
		seen[key] = true
		if other := portalOwner(cfg, c, key); other != "" {
			d.errorf(nodeAt(item, up+".email"), path+"."+up+".email", "%s is already a portal login of supplier %s (a login acts for one supplier)", u.Email, other)
		}
		if _, err := bcrypt.Cost([]byte(u.PasswordHash)); err != nil {
			d.errorf(nodeAt(item, up+".password_hash"), path+"."+up+".password_hash", "not a bcrypt hash (make one with `dropgate portal hash-password`)")
		}
	}
}

// portalOwner names the supplier before c in cfg with a portal login for
// email (lower case), or "".
func portalOwner(cfg *Config, c *Connector, email string) string {
	for _, s := range cfg.Suppliers {
		if s == c {
			return ""
		}
		if !s.PortalOn() {
			continue
		}
		for _, u := range s.Portal.Users {
			if strings.ToLower(u.Email) == email {
				return s.Name
			}
		}
	}
	return ""
}
