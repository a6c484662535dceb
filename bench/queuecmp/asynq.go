package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	goredis "github.com/redis/go-redis/v9"
)

// asynqQueue is hibiken/asynq: an asynq.Client that enqueues and an
// asynq.Server with Concurrency workers, on one queue of their own.
type asynqQueue struct {
	url, queue string
	poll       time.Duration   // TaskCheckInterval; 0: asynq's default
	rdb        *goredis.Client // for deleting the queue's statistics afterwards

	opt       asynq.RedisConnOpt
	client    *asynq.Client
	server    *asynq.Server
	inspector *asynq.Inspector
}

func (a *asynqQueue) name() string {
	if a.poll > 0 {
		return fmt.Sprintf("asynq (poll %v)", a.poll)
	}
	return "asynq"
}

func (a *asynqQueue) open(context.Context) error {
	opt, err := asynq.ParseRedisURI(a.url)
	if err != nil {
		return err
	}
	a.opt = opt
	a.client = asynq.NewClient(opt)
	a.inspector = asynq.NewInspector(opt)
	return nil
}

func (a *asynqQueue) startWorkers(_ context.Context, workers int, rec *recorder) error {
	a.server = asynq.NewServer(a.opt, asynq.Config{
		Concurrency:       workers,
		Queues:            map[string]int{a.queue: 1},
		TaskCheckInterval: a.poll,
		LogLevel:          asynq.WarnLevel,
	})
	return a.server.Start(asynq.HandlerFunc(func(_ context.Context, t *asynq.Task) error {
		rec.started(t.Payload())
		rec.finished()
		return nil
	}))
}

func (a *asynqQueue) enqueue(ctx context.Context, payload []byte) error {
	_, err := a.client.EnqueueContext(ctx, asynq.NewTask("bench", payload), asynq.Queue(a.queue))
	return err
}

// drain waits until asynq has settled (deleted) every task: its handler
// returning is not the end of a task's life.
func (a *asynqQueue) drain(ctx context.Context) error {
	deadline := time.Now().Add(time.Minute)
	for {
		q, err := a.inspector.GetQueueInfo(a.queue)
		if err != nil {
			return err
		}
		if q.Pending == 0 && q.Active == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("asynq queue not drained after a minute: %d pending, %d active", q.Pending, q.Active)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

func (a *asynqQueue) close() error {
	var errs []error
	if a.server != nil {
		a.server.Shutdown()
	}
	if a.inspector != nil {
		if err := a.inspector.DeleteQueue(a.queue, true); err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
			errs = append(errs, err)
		}
		errs = append(errs, a.inspector.Close())
	}
	if a.client != nil {
		errs = append(errs, a.client.Close())
	}
	// DeleteQueue leaves the queue's processed/failed counters behind.
	errs = append(errs, deletePrefix(context.Background(), a.rdb, "asynq:{"+a.queue+"}"))
	return errors.Join(errs...)
}
