package edipartner

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// trackingRef stands for a connector's own type with its syntax's String.
type trackingRef struct{ Segment, Qualifier string }

func (r trackingRef) String() string { return r.Segment + "+" + r.Qualifier }

func TestParseRefs(t *testing.T) {
	syn := RefSyntax{Sep: "+", Valid: regexp.MustCompile(`^(RFF|GIN)\+[0-9A-Z]{1,3}$`), Default: Ref{"RFF", "CN"}, Want: "RFF+<qualifier> or GIN+<qualifier>"}
	got, err := ParseRefs[trackingRef](" rff+bm , GIN+BJ ", syn)
	if err != nil || !reflect.DeepEqual(got, []trackingRef{{"RFF", "BM"}, {"GIN", "BJ"}}) {
		t.Errorf("got %v, %v", got, err)
	}
	if got, err := ParseRefs[trackingRef]("  ", syn); err != nil || !reflect.DeepEqual(got, []trackingRef{{"RFF", "CN"}}) {
		t.Errorf("default = %v, %v", got, err)
	}
	for _, bad := range []string{"PCI+33E", "RFF", "RFF+ABCD", "RFF+CN,", "RFF*CN"} {
		if _, err := ParseRefs[trackingRef](bad, syn); err == nil || !strings.Contains(err.Error(), "is not RFF+<qualifier> or GIN+<qualifier>") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
