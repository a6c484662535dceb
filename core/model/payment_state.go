package model

// paymentRank orders a payment's statuses along its life: authorised,
// then captured in part and in full, then refunded in part and in full.
func paymentRank(s PaymentStatus) int {
	switch s {
	case PayAuthorized:
		return 1
	case PayPartiallyCaptured:
		return 2
	case PayCaptured:
		return 3
	case PayPartiallyRefunded:
		return 4
	case PayRefunded:
		return 5
	}
	return 0
}

// NextPayment is the payment state table: the status a payment moves to
// when its provider reports next while it stands at cur, and whether it
// moves. Providers deliver webhooks out of order, so:
//
//   - an empty status never overwrites a known one;
//   - voided and refunded are final;
//   - failed moves only to authorized or a capture (the customer paid
//     with another method on the same payment);
//   - voided and failed are reached only from authorized (nothing
//     captured yet: a release, or a lapsed authorisation);
//   - otherwise the status moves forward along authorized →
//     partially_captured → captured → partially_refunded → refunded and
//     never back (a late "authorized" after a capture is ignored).
func NextPayment(cur, next PaymentStatus) (PaymentStatus, bool) {
	if next == "" || next == cur {
		return cur, false
	}
	switch cur {
	case "":
		return next, true
	case PayVoided, PayRefunded:
		return cur, false
	case PayFailed:
		if next == PayAuthorized || next == PayPartiallyCaptured || next == PayCaptured {
			return next, true
		}
		return cur, false
	}
	if next == PayVoided || next == PayFailed {
		if cur == PayAuthorized {
			return next, true
		}
		return cur, false
	}
	if paymentRank(next) < paymentRank(cur) {
		return cur, false
	}
	return next, true
}
