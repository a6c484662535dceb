package main

import (
	"context"
	"io"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/gateway"
)

// runConnectors is `dropgate connectors`: each connector's health.
func runConnectors(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	_, af, c, help, err := adminCommand("connectors", args, stderr, nil)
	if help || err != nil {
		return err
	}
	var res struct{ Connectors []gateway.ConnectorStatus }
	return show(ctx, c, af, stdout, "GET", "/connectors", nil, &res, func() error {
		var rows [][]string
		for _, s := range res.Connectors {
			rows = append(rows, []string{s.Name, s.Kind, s.Type, when(s.LastSuccess), strconv.FormatInt(s.Successes, 10),
				strconv.FormatInt(s.Failures, 10), strconv.FormatInt(s.QueueDepth, 10), when(s.LastErrorAt), dash(s.LastError)})
		}
		return printTable(stdout, []string{"NAME", "KIND", "TYPE", "LAST SUCCESS", "OK", "FAILED", "QUEUED", "LAST ERROR AT", "LAST ERROR"}, rows)
	})
}

// runQueues is `dropgate queues`: depth and oldest age per queue.
func runQueues(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	_, af, c, help, err := adminCommand("queues", args, stderr, nil)
	if help || err != nil {
		return err
	}
	var res struct{ Queues []store.QueueStats }
	return show(ctx, c, af, stdout, "GET", "/queues", nil, &res, func() error {
		var rows [][]string
		n := func(v int64) string { return strconv.FormatInt(v, 10) }
		for _, q := range res.Queues {
			rows = append(rows, []string{q.Queue, n(q.Ready), n(q.Scheduled), n(q.InFlight), n(q.Waiting), n(q.Dead), age(q.OldestAge)})
		}
		return printTable(stdout, []string{"QUEUE", "READY", "SCHEDULED", "IN FLIGHT", "WAITING", "DEAD", "OLDEST READY"}, rows)
	})
}

// age formats how long the oldest job has waited ("-" for none).
func age(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
