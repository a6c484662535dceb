package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/gateway/portal/portaltest"
)

// TestSupplierPortalEndToEnd: the demo's EDI supplier gets a portal login
// (its hash made by `dropgate portal hash-password`); `dropgate serve`
// logs the portal's address; an order's PO appears in the portal, the
// supplier acknowledges it and ships it with a tracking number there, and
// the order, read through the admin API, is shipped with the supplier's
// user on its timeline. The portal session opens no admin API.
func TestSupplierPortalEndToEnd(t *testing.T) {
	dir := portalWorkdir(t)
	s := startServer(t, dir)
	if !waitUntil(time.Minute, func() bool { return strings.Contains(s.Logs(), s.url+"/portal/") }) {
		t.Fatalf("serve does not log the portal's address:\n%s", s.Logs())
	}
	d := newDelivery(t, shop(t))
	if code, err := d.post(s.url); err != nil || code != http.StatusOK {
		t.Fatalf("post: %d %v", code, err)
	}
	po := model.PONumber(d.orderID, "acme", 1)

	c := portaltest.New(t, s.url)
	c.MustLogin("ops@acme.example", "acme-portal-password")
	if !waitUntil(time.Minute, func() bool { return strings.Contains(c.Get("/portal/").Body, po) }) {
		t.Fatalf("PO %s never listed in the portal", po)
	}
	page := "/portal/pos/" + po
	c.Get(page)
	if r := c.Post(page+"/ack", url.Values{}); r.Status != http.StatusSeeOther {
		t.Fatalf("ack: %d %s", r.Status, r.Body)
	}
	if !waitUntil(time.Minute, func() bool { return strings.Contains(c.Get(page).Body, string(model.POAcknowledged)) }) {
		t.Fatalf("PO %s never acknowledged", po)
	}
	if r := c.Post(page+"/ship", url.Values{"carrier": {"ups"}, "tracking": {"1Z999AA10123456785"}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a wrong check digit: %d", r.Status)
	}
	if r := c.Post(page+"/ship", url.Values{"carrier": {"ups"}, "tracking": {"1Z999AA10123456784"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("ship: %d %s", r.Status, r.Body)
	}
	checkShippedByPortal(t, s.url, "demo-admin-token", d.orderID, false) // the demo's shop is not reachable
	// The portal's cookies open no admin API.
	req, _ := http.NewRequest(http.MethodGet, s.url+"/api/v1/orders", nil)
	u, _ := url.Parse(s.url + "/portal/")
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		req.AddCookie(ck)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("admin API with portal cookies: %d, want 401", res.StatusCode)
	}
}

// portalWorkdir is the demo's working directory with a portal login
// (ops@acme.example, its hash made by `dropgate portal hash-password`)
// for the EDI supplier acme.
func portalWorkdir(t *testing.T) string {
	t.Helper()
	dir := workdir(t)
	hash := portalHash(t)
	cfgPath := filepath.Join(dir, "configs", "demo.yaml")
	cfg, _ := os.ReadFile(cfgPath)
	block := "    type: edi_x12\n    portal:\n      enabled: true\n      users:\n        - { email: ops@acme.example, password_hash: \"" + hash + "\" }\n"
	patched := strings.Replace(string(cfg), "    type: edi_x12\n", block, 1)
	if patched == string(cfg) {
		t.Fatal("demo.yaml has no edi_x12 supplier to give a portal")
	}
	if err := os.WriteFile(cfgPath, []byte(patched), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// checkShippedByPortal waits for the order, read through the admin API,
// to be shipped with the portal user's shipment on its timeline and, with
// pushed, the fulfilment pushed to the channel.
func checkShippedByPortal(t *testing.T, base, token, orderID string, pushed bool) {
	t.Helper()
	var got struct {
		Order     struct{ Status string }
		Shipments []struct {
			ChannelFulfillmentID string `json:"channel_fulfillment_id"`
		}
		Timeline []struct {
			Event string
			Cause struct{ Kind, Ref string }
		}
	}
	shipped := waitUntil(time.Minute, func() bool {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/orders/"+orderID, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		defer res.Body.Close()
		return json.NewDecoder(res.Body).Decode(&got) == nil && got.Order.Status == string(model.OrderShipped) &&
			len(got.Shipments) == 1 && (!pushed || got.Shipments[0].ChannelFulfillmentID != "")
	})
	if !shipped {
		t.Fatalf("order never shipped with its fulfilment on the channel: %+v", got)
	}
	by := false
	for _, e := range got.Timeline {
		by = by || (e.Event == "po.shipped" && e.Cause.Ref == "portal:acme:ops@acme.example")
	}
	if !by {
		t.Fatalf("the shipment is not the portal user's on the timeline: %+v", got.Timeline)
	}
}

// portalHash is the bcrypt hash of "acme-portal-password" made by
// `dropgate portal hash-password`.
func portalHash(t *testing.T) string {
	t.Helper()
	hashCmd := exec.Command(binary, "portal", "hash-password", "--cost", "10")
	hashCmd.Stdin = strings.NewReader("acme-portal-password\n")
	out, err := hashCmd.Output()
	if err != nil {
		t.Fatalf("hash-password: %v", err)
	}
	return strings.TrimSpace(string(out))
}
