package connectortest

import (
	"fmt"
	"reflect"
	"time"
)

// diff lists where got differs from want, by path ("Order.Lines[1].UnitPrice.Amount:
// got 0, want 500"), so a failed comparison of a whole decoded order says
// which value is wrong. Times compare by instant.
func diff(want, got any) []string {
	var out []string
	diffValue("", reflect.ValueOf(want), reflect.ValueOf(got), &out)
	return out
}

var timeType = reflect.TypeFor[time.Time]()

func diffValue(path string, w, g reflect.Value, out *[]string) {
	if len(*out) >= 20 {
		return
	}
	if !w.IsValid() || !g.IsValid() {
		if w.IsValid() != g.IsValid() {
			*out = append(*out, fmt.Sprintf("%s: got %v, want %v", orRoot(path), show(g), show(w)))
		}
		return
	}
	if w.Type() != g.Type() {
		*out = append(*out, fmt.Sprintf("%s: got a %s, want a %s", orRoot(path), g.Type(), w.Type()))
		return
	}
	if w.Type() == timeType {
		if !w.Interface().(time.Time).Equal(g.Interface().(time.Time)) {
			*out = append(*out, fmt.Sprintf("%s: got %v, want %v", orRoot(path), g.Interface(), w.Interface()))
		}
		return
	}
	switch w.Kind() {
	case reflect.Pointer, reflect.Interface:
		if w.IsNil() || g.IsNil() {
			if w.IsNil() != g.IsNil() {
				*out = append(*out, fmt.Sprintf("%s: got %v, want %v", orRoot(path), show(g), show(w)))
			}
			return
		}
		diffValue(path, w.Elem(), g.Elem(), out)
	case reflect.Struct:
		for i := range w.NumField() {
			if w.Type().Field(i).IsExported() {
				diffValue(path+"."+w.Type().Field(i).Name, w.Field(i), g.Field(i), out)
			}
		}
	case reflect.Slice, reflect.Array:
		if w.Len() != g.Len() {
			*out = append(*out, fmt.Sprintf("%s: got %d items, want %d: %v", orRoot(path), g.Len(), w.Len(), show(g)))
			return
		}
		for i := range w.Len() {
			diffValue(fmt.Sprintf("%s[%d]", path, i), w.Index(i), g.Index(i), out)
		}
	case reflect.Map:
		if !reflect.DeepEqual(w.Interface(), g.Interface()) {
			*out = append(*out, fmt.Sprintf("%s: got %v, want %v", orRoot(path), show(g), show(w)))
		}
	default:
		if !reflect.DeepEqual(w.Interface(), g.Interface()) {
			*out = append(*out, fmt.Sprintf("%s: got %#v, want %#v", orRoot(path), g.Interface(), w.Interface()))
		}
	}
}

func show(v reflect.Value) any {
	if !v.IsValid() {
		return "nothing"
	}
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		return fmt.Sprintf("&%+v", v.Elem().Interface())
	}
	return fmt.Sprintf("%+v", v.Interface())
}

func orRoot(path string) string {
	if path == "" {
		return "value"
	}
	return path[1:]
}
