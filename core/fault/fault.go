// Package fault is the small error vocabulary the core and the workers
// share (DESIGN §2.5). Connectors classify platform errors into it; the
// queue acts on the class:
//
//   - Retryable: try again later, optionally not before a given time
//     (a Retry-After header). Counts as an attempt.
//   - Throttled: our own rate-limit budget is spent; reschedule without
//     counting an attempt and without sleeping a worker.
//   - Permanent: retrying cannot help (bad payload, 4xx); dead-letter now.
//   - Partial: some lines were accepted, some rejected.
//
// Any other error is treated as retryable.
package fault

import (
	"errors"
	"fmt"
	"time"
)

// RetryableError asks for another attempt, not before NotBefore when set.
type RetryableError struct {
	Err       error
	NotBefore time.Time
}

func (e *RetryableError) Error() string { return e.Err.Error() }
func (e *RetryableError) Unwrap() error { return e.Err }

// Retryable wraps err as retryable.
func Retryable(err error) error { return &RetryableError{Err: err} }

// RetryAfter wraps err as retryable not before t.
func RetryAfter(err error, t time.Time) error { return &RetryableError{Err: err, NotBefore: t} }

// ThrottledError says a rate-limit budget is spent until NotBefore. The job
// is rescheduled without using up an attempt.
type ThrottledError struct {
	Key       string
	NotBefore time.Time
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("rate limit %q: no budget until %s", e.Key, e.NotBefore.UTC().Format(time.RFC3339Nano))
}

// Throttled returns a ThrottledError for key.
func Throttled(key string, notBefore time.Time) error {
	return &ThrottledError{Key: key, NotBefore: notBefore}
}

// PermanentError will fail the same way however often it is retried.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err as permanent.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// Permanentf formats a permanent error.
func Permanentf(format string, args ...any) error {
	return &PermanentError{Err: fmt.Errorf(format, args...)}
}

// PartialError reports that some items succeeded and some failed
// permanently; the caller keeps what succeeded.
type PartialError struct {
	Err      error
	Accepted []string
	Rejected map[string]string // item → reason
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("%v (%d accepted, %d rejected)", e.Err, len(e.Accepted), len(e.Rejected))
}
func (e *PartialError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is classified permanent.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// Class is how the queue treats an error.
type Class int

const (
	ClassNone Class = iota
	ClassRetryable
	ClassThrottled
	ClassPermanent
	ClassPartial
)

// Classify returns the class of err and, for retryable and throttled
// errors, the earliest time of the next attempt (zero when unspecified).
func Classify(err error) (Class, time.Time) {
	if err == nil {
		return ClassNone, time.Time{}
	}
	var th *ThrottledError
	if errors.As(err, &th) {
		return ClassThrottled, th.NotBefore
	}
	var p *PermanentError
	if errors.As(err, &p) {
		return ClassPermanent, time.Time{}
	}
	var pe *PartialError
	if errors.As(err, &pe) {
		return ClassPartial, time.Time{}
	}
	var r *RetryableError
	if errors.As(err, &r) {
		return ClassRetryable, r.NotBefore
	}
	return ClassRetryable, time.Time{}
}
