package store

import (
	"context"
	"time"
)

// Job is a unit of work in the queue. Payload is opaque to the queue.
type Job struct {
	ID      string // assigned by Enqueue when empty
	Queue   string // "ingest", "orders", "outbound", "inbound"
	Kind    string // handler name: "webhook", "po.send", …
	Payload []byte
	Meta    map[string]string
	// Group orders jobs: jobs with the same non-empty group run one at a
	// time, in enqueue order (an order's creation before its cancellation).
	// A job waiting for a retry holds its group.
	Group string
	// Key is the rate-limit key the job spends from, for observability.
	Key string
	// UniqueKey deduplicates: while a key is remembered (UniqueTTL, 0 for
	// the job's lifetime only) a second Enqueue with it returns
	// ErrDuplicate and stores nothing.
	UniqueKey string
	UniqueTTL time.Duration
	// FreshID says ID was just generated at random (ids.New) for this
	// Enqueue, as a handler's held jobs are: no stored job can have it, so
	// a store may skip looking for one when a unique key guards against a
	// resend. Never set it on an id that came from anywhere else.
	FreshID bool

	// Blobs are stored with the job, durably before Enqueue returns, and
	// kept only when it is admitted: the embedded store writes them in
	// the job's commit; Redis sets them in the job's pipeline, just
	// before its script (on Cluster, whose pipelines run in parallel per
	// node, in a round trip before it), and deletes them when the script
	// refuses a duplicate. A blob's key replaces what was there, as PutBlob.
	// A webhook's raw body is kept this way as it is queued, so the job
	// carries the body's key rather than a second copy of it.
	Blobs []Blob

	MaxAttempts int       // 0: the driver default (25)
	RunAt       time.Time // zero: now
	Attempt     int       // attempts made so far (set by the queue)
	CreatedAt   time.Time
	Errors      []AttemptError
	// Lease is set by Dequeue and proves ownership to Ack/Retry/Bury.
	Lease      string
	LeaseUntil time.Time
	DeadAt     time.Time // set on dead letters
}

// Blob is one blob stored with a job (Job.Blobs).
type Blob struct {
	Key  string
	Data []byte
}

// AttemptError records one failed attempt.
type AttemptError struct {
	Attempt int       `json:"attempt"`
	At      time.Time `json:"at"`
	Error   string    `json:"error"`
}

// Queue is a durable at-least-once job queue with leases, delayed retries,
// ordered groups and dead letters.
type Queue interface {
	// Enqueue durably stores the job before returning; it returns the job
	// id. With a UniqueKey already present it returns ErrDuplicate.
	Enqueue(ctx context.Context, j Job) (string, error)
	// Dequeue blocks until a job of one of queues is ready (or ctx ends)
	// and leases it for lease. Queues are in priority order: the oldest
	// ready job of the first queue that has one is taken (the worker varies
	// the order to share capacity). An idle worker wakes within
	// milliseconds of an Enqueue, never by polling once a second.
	Dequeue(ctx context.Context, queues []string, lease time.Duration) (*Job, error)
	// Extend renews a lease; ErrLeaseLost when it was reclaimed.
	Extend(ctx context.Context, j *Job, lease time.Duration) error
	// Ack completes a job.
	Ack(ctx context.Context, j *Job) error
	// Retry schedules the job again at runAt, recording err. With
	// countAttempt false (throttling) the attempt is given back.
	Retry(ctx context.Context, j *Job, runAt time.Time, err error, countAttempt bool) error
	// Bury moves the job to the dead letters, keeping payload and errors.
	Bury(ctx context.Context, j *Job, err error) error

	// DeadLetters lists dead jobs, newest first.
	DeadLetters(ctx context.Context, cursor string, limit int) ([]Job, string, error)
	// DeadLetter returns one dead job.
	DeadLetter(ctx context.Context, id string) (*Job, error)
	// Replay moves a dead job back to its queue with its attempts reset.
	Replay(ctx context.Context, id string) error
	// Discard deletes a dead job.
	Discard(ctx context.Context, id string) error
	// Stats reports depth and age per queue.
	Stats(ctx context.Context) ([]QueueStats, error)
}

// QueueStats is the observable state of one queue.
type QueueStats struct {
	Queue     string        `json:"queue"`
	Ready     int64         `json:"ready"`
	Scheduled int64         `json:"scheduled"` // waiting for a retry or a delay
	InFlight  int64         `json:"in_flight"`
	Waiting   int64         `json:"waiting"` // parked behind an earlier job of their group
	Dead      int64         `json:"dead"`
	OldestAge time.Duration `json:"oldest_age"` // of the oldest ready job
	// Keys counts the queue's pending jobs (ready, scheduled, waiting) per
	// rate-limit key ("supplier:acme"), for per-connector depth. Drivers
	// may leave it nil when they cannot count it cheaply.
	Keys map[string]int64 `json:"keys,omitempty"`
}
