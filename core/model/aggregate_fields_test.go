package model

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/money"
)

// The hand-written codec names every field it writes. A field added to
// one of the types it covers, and not to the codec, would be dropped
// silently when it has omitempty (encoding/json omits it too while it is
// zero, so the byte-for-byte test still passes). fullAggregate must
// therefore set every field of those types: then a new field shows up
// here until it is set there, and the byte-for-byte test catches the
// codec that leaves it out.
func TestFullAggregateSetsEveryCodecField(t *testing.T) {
	// Parts the codec hands to encoding/json whole: nothing to forget.
	delegated := map[reflect.Type]bool{
		reflect.TypeOf(Shipment{}): true, reflect.TypeOf(Invoice{}): true, reflect.TypeOf(Payment{}): true,
		reflect.TypeOf(Return{}): true, reflect.TypeOf(Exception{}): true, reflect.TypeOf(Settlement{}): true,
	}
	// A field counts as covered when one value of its type sets it: the
	// empty billing address is there on purpose, the shipping address
	// fills every Address field.
	set := map[string]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Struct:
			if delegated[v.Type()] || !covered(v.Type()) {
				return
			}
			for i := range v.NumField() {
				f := v.Type().Field(i)
				if !f.IsExported() || f.Tag.Get("json") == "-" {
					continue
				}
				key := v.Type().Name() + "." + f.Name
				if _, seen := set[key]; !seen {
					set[key] = false
				}
				if !v.Field(i).IsZero() {
					set[key] = true
					walk(v.Field(i))
				}
			}
		}
	}
	walk(reflect.ValueOf(fullAggregate()).Elem())
	var zero []string
	for key, ok := range set {
		if !ok {
			zero = append(zero, key)
		}
	}
	slices.Sort(zero)
	if len(zero) > 0 {
		t.Fatalf("fullAggregate never sets these fields; set them so the codec tests cover them:\n%s", strings.Join(zero, "\n"))
	}
	if len(set) < 100 {
		t.Fatalf("only %d fields walked: the walk lost its way", len(set))
	}
}

// covered: the types of this package and money's, which the codec writes
// field by field (time.Time and the like are written whole).
func covered(t reflect.Type) bool {
	p := t.PkgPath()
	return p == reflect.TypeOf(Aggregate{}).PkgPath() || p == reflect.TypeOf(money.Money{}).PkgPath()
}
