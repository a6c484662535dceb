package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestRouteSampleIsExact: the sample of docs/ROUTING.md, where routing one
// line at a time costs 22.70 and the order can ship for 22.40, routes at
// 22.40 and says the exact search decided.
func TestRouteSampleIsExact(t *testing.T) {
	t.Chdir("../..") // the sample's paths are relative to the repository, like configs/demo.yaml's
	t.Setenv("DROPGATE_URL", "")
	out, errOut, code := runCLI("route", "--config", "cmd/dropgate/testdata/route/config.yaml", "--explain", "cmd/dropgate/testdata/route/order.json")
	if code != 0 {
		t.Fatalf("exit %d:\n%s\n%s", code, out, errOut)
	}
	for _, re := range []string{
		`(?m)^search: exact \(branch and bound, \d+ nodes?; 0\.30 USD below the one-line-at-a-time plan\)$`,
		`(?m)^  acme      1, 2   13\.90 USD  8\.50 USD  22\.40 USD$`,
		`(?m)^  total\s+22\.40 USD$`,
		`(?m)^  why      acme keeps the whole order cheapest, 22\.40 USD; moving the line alone to bargain .* would cost the order 0\.30 USD more$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output lacks %s:\n%s", re, out)
		}
	}
	if strings.Contains(out, "22.70") {
		t.Errorf("the heuristic's plan came out:\n%s", out)
	}
}
