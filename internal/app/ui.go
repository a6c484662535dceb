package app

import (
	"net"
	"net/http"

	"github.com/dropgate/dropgate/gateway"
	"github.com/dropgate/dropgate/gateway/ui"
)

// dashboard builds the operator UI over the same port as the admin API.
func (a *App) dashboard(infos []gateway.ConnectorInfo) http.Handler {
	cs := make([]ui.Connector, len(infos))
	for i, c := range infos {
		cs[i] = ui.Connector{Name: c.Name, Type: c.Type, Kind: c.Kind}
	}
	return (&ui.UI{Ops: a.Services.Operator(), Token: a.Config.Server.AdminToken, Connectors: cs, Log: a.Log, Now: a.Clock.Now, Replay: a.replayPosted}).Handler()
}

// uiURL is the dashboard's address as a person types it: a wildcard
// listen address is reached through the loopback.
func uiURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String() + "/ui/"
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/ui/"
}
