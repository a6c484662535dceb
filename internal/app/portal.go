package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/dropgate/dropgate/core/app/ports"
	"net/http"
	"strings"

	"github.com/dropgate/dropgate/core/app/purchasing"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/gateway/portal"
)

// supplierPortal builds /portal/ for the suppliers whose portal is on;
// nil (left unmounted) when none is.
func (a *App) supplierPortal() (http.Handler, error) {
	var users []portal.User
	for _, s := range a.Config.Suppliers {
		if !s.PortalOn() {
			continue
		}
		for _, u := range s.Portal.Users {
			users = append(users, portal.User{Supplier: s.Name, Email: u.Email, PasswordHash: u.PasswordHash})
		}
	}
	if len(users) == 0 {
		return nil, nil
	}
	p := &portal.Portal{Ops: a.Services.Operator(), Submit: portalSubmit(a.Services.Purchasing), Users: users, Log: a.Log, Now: a.Clock.Now}
	if sc, ok := a.Services.Operator().(ports.Scorecards); ok {
		p.Scorecard = sc.Scorecard
	}
	h, err := p.Handler()
	if err != nil {
		return nil, fmt.Errorf("supplier portal: %w", err)
	}
	return h, nil
}

// portalSubmit applies portal documents through the purchasing service,
// the same path as documents from EDI.
func portalSubmit(s *purchasing.Service) portal.SubmitFunc {
	return func(ctx context.Context, supplier, actor string, d connector.InboundDoc) error {
		err := s.SubmitAs(ctx, supplier, actor, d)
		if errors.Is(err, purchasing.ErrNotYours) {
			return portal.ErrNotYours
		}
		return err
	}
}

// portalURL is the portal's address beside the dashboard's.
func portalURL(uiURL string) string {
	return strings.TrimSuffix(uiURL, "/ui/") + "/portal/"
}
