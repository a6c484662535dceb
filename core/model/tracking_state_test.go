package model

import "testing"

func TestNextTracking(t *testing.T) {
	cases := []struct {
		cur, next, want TrackingStatus
		moved           bool
	}{
		{"", TrackLabelCreated, TrackLabelCreated, true},
		{TrackLabelCreated, TrackInTransit, TrackInTransit, true},
		{TrackInTransit, TrackOutForDelivery, TrackOutForDelivery, true},
		{TrackOutForDelivery, TrackInTransit, TrackOutForDelivery, false},
		{TrackOutForDelivery, TrackDeliveryAttempted, TrackDeliveryAttempted, true},
		{TrackDeliveryAttempted, TrackOutForDelivery, TrackOutForDelivery, true},
		{TrackOutForDelivery, TrackDelivered, TrackDelivered, true},
		{TrackDelivered, TrackInTransit, TrackDelivered, false},
		{TrackDelivered, TrackOutForDelivery, TrackDelivered, false},
		{TrackDelivered, TrackUnknown, TrackDelivered, false},
		{TrackDelivered, TrackReturningToSender, TrackReturningToSender, true},
		{TrackReturningToSender, TrackInTransit, TrackReturningToSender, false},
		{TrackReturningToSender, TrackReturned, TrackReturned, true},
		{TrackReturned, TrackDelivered, TrackReturned, false},
		{TrackCancelled, TrackInTransit, TrackCancelled, false},
		{TrackFailure, TrackInTransit, TrackFailure, false},
		{TrackFailure, TrackDelivered, TrackDelivered, true},
		{TrackInTransit, TrackUnknown, TrackInTransit, false},
	}
	for _, c := range cases {
		got, moved := NextTracking(c.cur, c.next)
		if got != c.want || moved != c.moved {
			t.Errorf("NextTracking(%q, %q) = %q, %v; want %q, %v", c.cur, c.next, got, moved, c.want, c.moved)
		}
	}
}
