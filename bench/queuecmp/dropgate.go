package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dropgate/dropgate/core/store"
	redisstore "github.com/dropgate/dropgate/internal/store/redis"
)

// dropgateQueue is dropgate's Redis queue: a Store that enqueues (the
// gateway) and a Store whose Dequeue loops are the workers (a worker
// process), as `dropgate serve --role gateway|worker` open them.
type dropgateQueue struct {
	url, prefix string
	rdb         *goredis.Client // for deleting the prefix's keys afterwards

	producer, worker *redisstore.Store
	wg               sync.WaitGroup
	stop             context.CancelFunc
}

const dropgateQueueName = "bench"

func (d *dropgateQueue) name() string { return "dropgate" }

func (d *dropgateQueue) open(ctx context.Context) error {
	var err error
	d.producer, err = redisstore.Open(ctx, redisstore.Options{URL: d.url, Prefix: d.prefix})
	return err
}

func (d *dropgateQueue) startWorkers(ctx context.Context, workers int, rec *recorder) error {
	var err error
	if d.worker, err = redisstore.Open(ctx, redisstore.Options{URL: d.url, Prefix: d.prefix}); err != nil {
		return err
	}
	ctx, d.stop = context.WithCancel(ctx)
	for range workers {
		d.wg.Go(func() {
			for ctx.Err() == nil {
				j, err := d.worker.Dequeue(ctx, []string{dropgateQueueName}, 30*time.Second)
				if err != nil || j == nil {
					if err != nil && ctx.Err() == nil {
						log.Printf("dropgate: dequeue: %v", err)
						time.Sleep(100 * time.Millisecond)
					}
					continue
				}
				rec.started(j.Payload)
				if err := d.worker.Ack(ctx, j); err != nil {
					log.Printf("dropgate: ack: %v", err)
					continue
				}
				rec.finished()
			}
		})
	}
	return nil
}

func (d *dropgateQueue) enqueue(ctx context.Context, payload []byte) error {
	_, err := d.producer.Enqueue(ctx, store.Job{Queue: dropgateQueueName, Kind: "bench", Payload: payload})
	return err
}

// drain has nothing to wait for: a job counts once its Ack returned.
func (d *dropgateQueue) drain(context.Context) error { return nil }

func (d *dropgateQueue) close() error {
	if d.stop != nil {
		d.stop()
	}
	d.wg.Wait()
	var errs []error
	for _, s := range []*redisstore.Store{d.producer, d.worker} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	errs = append(errs, deletePrefix(context.Background(), d.rdb, d.prefix))
	return errors.Join(errs...)
}

// deletePrefix removes every key under prefix, a SCAN page at a time.
func deletePrefix(ctx context.Context, rdb *goredis.Client, prefix string) error {
	var cursor uint64
	for {
		keys, next, err := rdb.Scan(ctx, cursor, prefix+":*", 1000).Result()
		if err != nil {
			return fmt.Errorf("deleting %s:*: %w", prefix, err)
		}
		if len(keys) > 0 {
			if err := rdb.Unlink(ctx, keys...).Err(); err != nil {
				return fmt.Errorf("deleting %s:*: %w", prefix, err)
			}
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}
