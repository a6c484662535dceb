package config

import (
	"encoding"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/decimal"
)

// decoder maps YAML nodes onto Go structs strictly: every unknown key,
// wrong type and missing required key becomes a Problem with its line and
// key path, and decoding goes on so one run reports everything.
//
// yaml.v3's own Decode stops at the first error and its messages carry no
// key path, which is why dropgate walks the nodes itself.
type decoder struct {
	file     string
	problems []Problem
	// fromEnv marks scalars whose text referenced ${VAR}: secrets set
	// inline (without it) earn a warning.
	fromEnv map[*yaml.Node]bool
	lookup  func(string) (string, bool)
}

var (
	durationType  = reflect.TypeOf(time.Duration(0))
	decimalType   = reflect.TypeOf(decimal.Decimal{})
	secretType    = reflect.TypeOf(connector.Secret(""))
	textUnmarshal = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
)

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	d.problems = append(d.problems, Problem{File: d.file, Line: line, Path: path, Message: fmt.Sprintf(format, args...)})
}

func (d *decoder) warnf(n *yaml.Node, path, format string, args ...any) {
	d.errorf(n, path, format, args...)
	d.problems[len(d.problems)-1].Warning = true
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// decode fills v (settable) from n.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Tag == "!!null" && n.Kind == yaml.ScalarNode {
		return // an explicit null leaves the default
	}
	t := v.Type()
	switch {
	case t == durationType:
		d.scalar(n, path, "a duration such as 30s, 4h or 2d", func(s string) error {
			dur, err := ParseDuration(s)
			if err == nil {
				v.SetInt(int64(dur))
			}
			return err
		})
		return
	case t == decimalType:
		d.scalar(n, path, "a decimal number such as 12.50", func(s string) error {
			dec, err := decimal.Parse(s)
			if err == nil {
				v.Set(reflect.ValueOf(dec))
			}
			return err
		})
		return
	case t == secretType:
		d.scalar(n, path, "a string", func(s string) error {
			v.SetString(s)
			return nil
		})
		if n.Kind == yaml.ScalarNode && n.Value != "" && !d.fromEnv[n] {
			d.warnf(n, path, "secret set inline; use ${ENV_VAR} so it stays out of the file")
		}
		return
	case reflect.PointerTo(t).Implements(textUnmarshal) && t.Kind() != reflect.Struct:
		d.scalar(n, path, "a string", func(s string) error {
			return v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
		})
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		d.decode(n, v.Elem(), path)
	case reflect.Struct:
		d.decodeStruct(n, v, path, nil)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.errorf(n, path, "expected a list, got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.errorf(n, path, "expected a mapping, got %s", describe(n))
			return
		}
		if t.Key().Kind() != reflect.String {
			d.errorf(n, path, "internal: map key must be a string")
			return
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(t))
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if v.MapIndex(reflect.ValueOf(n.Content[i].Value).Convert(t.Key())).IsValid() {
				continue // a duplicate key, reported by checkDuplicateKeys
			}
			k, val := n.Content[i], n.Content[i+1]
			elem := reflect.New(t.Elem()).Elem()
			d.decode(val, elem, join(path, k.Value))
			v.SetMapIndex(reflect.ValueOf(k.Value).Convert(t.Key()), elem)
		}
	case reflect.String:
		d.scalar(n, path, "a string", func(s string) error {
			v.SetString(s)
			return nil
		})
	case reflect.Bool:
		d.scalar(n, path, "true or false", func(s string) error {
			b, err := parseBool(s)
			if err == nil {
				v.SetBool(b)
			}
			return err
		})
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		d.scalar(n, path, "an integer", func(s string) error {
			i, err := strconv.ParseInt(s, 10, t.Bits())
			if err == nil {
				v.SetInt(i)
			}
			return err
		})
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		d.scalar(n, path, "a non-negative integer", func(s string) error {
			i, err := strconv.ParseUint(s, 10, t.Bits())
			if err == nil {
				v.SetUint(i)
			}
			return err
		})
	case reflect.Float32, reflect.Float64:
		d.scalar(n, path, "a number", func(s string) error {
			f, err := strconv.ParseFloat(s, t.Bits())
			if err == nil {
				v.SetFloat(f)
			}
			return err
		})
	case reflect.Interface:
		// Only used for "anything" fields (templates' free-form data).
		var x any
		if err := n.Decode(&x); err != nil {
			d.errorf(n, path, "%v", err)
			return
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
	default:
		d.errorf(n, path, "internal: cannot decode into %s", t)
	}
}

// scalar checks n is a scalar and applies set to its (expanded) text.
func (d *decoder) scalar(n *yaml.Node, path, want string, set func(string) error) {
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, path, "expected %s, got %s", want, describe(n))
		return
	}
	if err := set(n.Value); err != nil {
		d.errorf(n, path, "expected %s, got %q", want, n.Value)
	}
}

// field is one decodable struct field.
type field struct {
	name     string
	index    []int
	required bool
}

// fieldsOf lists the yaml-tagged fields of t, flattening `,inline` ones.
func fieldsOf(t reflect.Type) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(opts, "inline") {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			for _, sub := range fieldsOf(ft) {
				sub.index = append([]int{i}, sub.index...)
				out = append(out, sub)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out = append(out, field{name: name, index: []int{i}, required: f.Tag.Get("required") == "true"})
	}
	return out
}

// KnownKeys returns the YAML keys a struct accepts, sorted.
func KnownKeys(t reflect.Type) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var keys []string
	for _, f := range fieldsOf(t) {
		keys = append(keys, f.name)
	}
	sort.Strings(keys)
	return keys
}

// decodeStruct decodes a mapping into struct v. Keys listed in skip are
// handled by the caller (the common keys of a connector block).
func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string, skip map[string]bool) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "expected a mapping, got %s", describe(n))
		return
	}
	fields := fieldsOf(v.Type())
	byName := make(map[string]field, len(fields))
	for _, f := range fields {
		byName[f.name] = f
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if skip[k.Value] {
			continue
		}
		if seen[k.Value] {
			continue // reported by checkDuplicateKeys
		}
		f, ok := byName[k.Value]
		if !ok {
			known := make([]string, 0, len(fields)+len(skip))
			for _, f := range fields {
				known = append(known, f.name)
			}
			for s := range skip {
				known = append(known, s)
			}
			sort.Strings(known)
			d.errorf(k, join(path, k.Value), "unknown key (known keys: %s)", strings.Join(known, ", "))
			continue
		}
		seen[k.Value] = true
		d.decode(val, fieldByIndex(v, f.index), join(path, k.Value))
	}
	for _, f := range fields {
		if f.required && !seen[f.name] && fieldByIndex(v, f.index).IsZero() {
			d.errorf(n, join(path, f.name), "missing required key")
		}
	}
}

// fieldByIndex is reflect's FieldByIndex allocating nil embedded pointers.
func fieldByIndex(v reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "nothing"
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true", "yes", "on":
		return true, nil
	case "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean")
}

// ParseDuration is time.ParseDuration plus a "d" (24h) unit, since SLAs are
// naturally written in days.
func ParseDuration(s string) (time.Duration, error) {
	if strings.HasSuffix(s, "d") {
		n, err := strconv.ParseFloat(strings.TrimSuffix(s, "d"), 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	return time.ParseDuration(s)
}

// checkDuplicateKeys reports every mapping key defined twice. yaml.v3
// only complains when decoding into Go maps, and silently keeps the last
// value in a node tree: a merchant who writes a key twice must hear of it.
func (d *decoder) checkDuplicateKeys(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			d.checkDuplicateKeys(c, path)
		}
	case yaml.MappingNode:
		first := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if line, dup := first[k.Value]; dup {
				d.errorf(k, join(path, k.Value), "duplicate key (first at line %d)", line)
			} else {
				first[k.Value] = k.Line
			}
			d.checkDuplicateKeys(n.Content[i+1], join(path, k.Value))
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			d.checkDuplicateKeys(c, fmt.Sprintf("%s[%d]", path, i))
		}
	}
}
