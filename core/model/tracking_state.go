package model

// TrackingRank orders the canonical statuses along a parcel's journey:
// an event of a lower rank than the package's current one is older news
// and does not move it back.
func (s TrackingStatus) TrackingRank() int {
	switch s {
	case TrackLabelCreated:
		return 1
	case TrackInTransit:
		return 2
	case TrackOutForDelivery, TrackAvailableForPickup, TrackDeliveryAttempted, TrackReturningToSender:
		return 3
	case TrackDelivered, TrackReturned, TrackFailure, TrackCancelled:
		return 4
	}
	return 0
}

// NextTracking is the tracking state table: the status a package moves to
// when a carrier reports next while it stands at cur, and whether it moves.
//
//   - unknown (or empty) never overwrites a known status;
//   - from a final status (delivered, returned, cancelled) only
//     delivered → returning_to_sender / returned (the customer refused or
//     sent it back) is allowed; anything else is a late event and ignored;
//   - failure → delivered is allowed (a lost parcel was found);
//     failure otherwise holds like a final state;
//   - returning_to_sender moves only to returned, delivered or failure;
//   - otherwise the status moves to next unless next ranks lower than cur
//     (a late "in transit" after "out for delivery" is ignored); statuses
//     of equal rank replace each other (attempted → out for delivery again).
func NextTracking(cur, next TrackingStatus) (TrackingStatus, bool) {
	if next == "" || next == TrackUnknown || next == cur {
		return cur, false
	}
	if cur == "" || cur == TrackUnknown {
		return next, true
	}
	switch cur {
	case TrackDelivered:
		if next == TrackReturningToSender || next == TrackReturned {
			return next, true
		}
		return cur, false
	case TrackReturned, TrackCancelled:
		return cur, false
	case TrackFailure:
		if next == TrackDelivered {
			return next, true
		}
		return cur, false
	case TrackReturningToSender:
		if next == TrackReturned || next == TrackDelivered || next == TrackFailure {
			return next, true
		}
		return cur, false
	}
	if next.TrackingRank() < cur.TrackingRank() {
		return cur, false
	}
	return next, true
}

// ParseTrackingStatus returns the canonical status named s, or false.
func ParseTrackingStatus(s string) (TrackingStatus, bool) {
	switch t := TrackingStatus(s); t {
	case TrackLabelCreated, TrackInTransit, TrackOutForDelivery, TrackAvailableForPickup, TrackDeliveryAttempted,
		TrackDelivered, TrackReturningToSender, TrackReturned, TrackFailure, TrackCancelled, TrackUnknown:
		return t, true
	}
	return "", false
}
