package app

import (
	"fmt"

	"github.com/dropgate/dropgate/core/app/notify"
	"github.com/dropgate/dropgate/internal/config"
	drv "github.com/dropgate/dropgate/internal/notify"
)

// notifySettings builds the customer e-mails and outbound events of the
// `notifications:` block (none when it is absent).
func (a *App) notifySettings(cfg *config.Config) (notify.Settings, error) {
	var s notify.Settings
	n := cfg.Notifications
	if n == nil {
		return s, nil
	}
	if n.Email != nil {
		dir := ""
		if n.Email.Templates != "" {
			dir = cfg.Resolve(n.Email.Templates)
		}
		m, err := drv.NewMailer(*n.Email, dir, a.Clock)
		if err != nil {
			return s, fmt.Errorf("notifications.email: %w", err)
		}
		s.Mailer, s.Send = m, n.Email.Send
		for ch, on := range n.Email.Channels {
			if !on {
				s.Silent = append(s.Silent, ch)
			}
		}
	}
	if len(n.Events) > 0 {
		s.Sender = drv.NewSender(n.Events, a.Clock, nil)
		for _, e := range n.Events {
			s.Endpoints = append(s.Endpoints, notify.Endpoint{Name: e.Name, URL: e.URL, Types: e.Types})
		}
	}
	return s, nil
}
