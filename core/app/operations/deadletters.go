package operations

import (
	"context"
	"errors"
	"fmt"

	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/store"
)

// DeadLettered raises the exception that makes a dead letter visible in
// the operator's list (the worker calls it when it buries a job).
func (s *Service) DeadLettered(ctx context.Context, j *store.Job, cause error) {
	subj := job.SubjectOf(j)
	x := model.Exception{Kind: model.ExDeadLetter, Ref: j.ID, OrderID: subj.Order, PONumber: subj.PO,
		Supplier: subj.Connector, Actions: []string{"retry", "discard"},
		Reason: fmt.Sprintf("%s job failed: %v", j.Kind, cause)}
	if err := s.Raise(ctx, x); err != nil {
		s.d.Log.Error("raising dead-letter exception", "job", j.ID, "err", err)
	}
}

// ReplayDeadLetter puts a dead job back on its queue and closes its
// exception.
func (s *Service) ReplayDeadLetter(ctx context.Context, jobID, actor string) error {
	if err := s.d.Queue.Replay(ctx, jobID); err != nil {
		return err
	}
	return s.closeDeadLetter(ctx, jobID, "retry", actor)
}

// DiscardDeadLetter deletes a dead job and closes its exception.
func (s *Service) DiscardDeadLetter(ctx context.Context, jobID, actor string) error {
	if err := s.d.Queue.Discard(ctx, jobID); err != nil {
		return err
	}
	return s.closeDeadLetter(ctx, jobID, "discard", actor)
}

func (s *Service) closeDeadLetter(ctx context.Context, jobID, action, actor string) error {
	xs, _, err := s.d.Exceptions.Where(ctx, map[string]string{"ref": jobID, "kind": string(model.ExDeadLetter), "status": "open"}, repo.Page{Limit: 50})
	if err != nil {
		return err
	}
	for _, x := range xs {
		if _, err := s.resolve(ctx, x.ID, action, actor, ""); err != nil && !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return nil
}
