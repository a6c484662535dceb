package model

import "testing"

func TestNextPayment(t *testing.T) {
	for _, c := range []struct {
		cur, next, want PaymentStatus
		moves           bool
	}{
		{"", PayAuthorized, PayAuthorized, true},
		{PayAuthorized, "", PayAuthorized, false},
		{PayAuthorized, PayPartiallyCaptured, PayPartiallyCaptured, true},
		{PayPartiallyCaptured, PayCaptured, PayCaptured, true},
		{PayCaptured, PayAuthorized, PayCaptured, false},        // a late authorisation event
		{PayCaptured, PayPartiallyCaptured, PayCaptured, false}, // an older capture event
		{PayCaptured, PayPartiallyRefunded, PayPartiallyRefunded, true},
		{PayPartiallyRefunded, PayRefunded, PayRefunded, true},
		{PayRefunded, PayCaptured, PayRefunded, false},
		{PayAuthorized, PayVoided, PayVoided, true},
		{PayAuthorized, PayFailed, PayFailed, true},
		{PayCaptured, PayVoided, PayCaptured, false},
		{PayPartiallyCaptured, PayFailed, PayPartiallyCaptured, false},
		{PayVoided, PayAuthorized, PayVoided, false},
		{PayFailed, PayAuthorized, PayAuthorized, true},
		{PayFailed, PayRefunded, PayFailed, false},
	} {
		got, moves := NextPayment(c.cur, c.next)
		if got != c.want || moves != c.moves {
			t.Errorf("NextPayment(%q, %q) = %q, %v; want %q, %v", c.cur, c.next, got, moves, c.want, c.moves)
		}
	}
}
