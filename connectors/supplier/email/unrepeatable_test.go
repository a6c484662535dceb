package email

import (
	"context"
	"testing"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
)

// Over SMTP a repeated PO is a second message, so the core must store a
// send at once (app.AfterSend gives a Durable context); a file outbox
// replaces the file, so its sends ride with the job's commit.
func TestSMTPSendsAreUnrepeatable(t *testing.T) {
	pki := newPKI(t)
	_, port := startSMTP(t, pki, false)
	viaSMTP := mustNew(t, smtpConfig(pki, port))
	cfg := baseConfig()
	cfg.Transport = transportFile
	cfg.File = File{Outbox: t.TempDir()}
	viaFile := mustNew(t, cfg)

	if !viaSMTP.SendsUnrepeatable() || viaFile.SendsUnrepeatable() {
		t.Fatalf("SMTP unrepeatable %v, file %v", viaSMTP.SendsUnrepeatable(), viaFile.SendsUnrepeatable())
	}
	var _ connector.Unrepeatable = viaSMTP

	// What the core does with it: a write after an SMTP send is stored
	// when it returns, even inside a job that holds its writes.
	ctx := store.WithEffects(context.Background(), &store.Effects{})
	if got := app.AfterSend(ctx, viaSMTP); got == ctx {
		t.Error("after an SMTP send the record is held with the job's commit")
	}
	if got := app.AfterSend(ctx, viaFile); got != ctx {
		t.Error("after a file send the record is not held with the job's commit")
	}
}
