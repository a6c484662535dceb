package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// dockerfile reads the repository's Dockerfile: its instructions (with
// continuation lines joined) by keyword.
func dockerfile(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	var cur string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		cur += line
		if strings.HasSuffix(cur, "\\") {
			cur = strings.TrimSuffix(cur, "\\") + " "
			continue
		}
		kw, rest, _ := strings.Cut(cur, " ")
		out[strings.ToUpper(kw)] = append(out[strings.ToUpper(kw)], strings.TrimSpace(rest))
		cur = ""
	}
	return out
}

// execForm decodes a JSON-array instruction argument.
func execForm(t *testing.T, s string) []string {
	t.Helper()
	var v []string
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not exec form (the image has no shell): %s", s)
	}
	return v
}

// TestDockerImage reads the Dockerfile (no engine runs here): the health
// check is `dropgate healthcheck` in exec form (no shell, no curl in the
// image), a .dockerignore keeps state and history out of the context, and
// the image's default command, run as the image runs it, refuses to serve
// the admin API on 0.0.0.0 with the published demo token.
func TestDockerImage(t *testing.T) {
	df := dockerfile(t)
	hc := df["HEALTHCHECK"]
	if len(hc) != 1 {
		t.Fatalf("HEALTHCHECK instructions: %q", hc)
	}
	_, cmd, ok := strings.Cut(hc[0], "CMD ")
	if !ok {
		t.Fatalf("HEALTHCHECK without CMD: %s", hc[0])
	}
	probe := execForm(t, cmd)
	if len(probe) < 2 || probe[0] != "/usr/local/bin/dropgate" || probe[1] != "healthcheck" || lookup("healthcheck") == nil {
		t.Errorf("the health check does not run dropgate healthcheck: %q", probe)
	}
	if _, _, code := dg(t, append(probe[1:], "-h")...); code != 0 {
		t.Errorf("the health check's flags are not dropgate healthcheck's: %q", probe)
	}

	ignore, err := os.ReadFile(filepath.Join("..", "..", ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".git", "**/var/", "*.db"} {
		if !slices.Contains(strings.Fields(string(ignore)), want) {
			t.Errorf(".dockerignore lacks %s", want)
		}
	}

	// The default command with the image's environment.
	var listen string
	for _, env := range df["ENV"] {
		if v, ok := strings.CutPrefix(env, "DROPGATE_LISTEN="); ok {
			listen = v
		}
	}
	entry, args := execForm(t, df["ENTRYPOINT"][0]), execForm(t, df["CMD"][0])
	if len(entry) != 2 || entry[1] != "serve" || len(args) != 2 || args[0] != "--config" || filepath.Base(args[1]) != "demo.yaml" || listen == "" {
		t.Fatalf("default command %q %q with DROPGATE_LISTEN=%q", entry, args, listen)
	}
	t.Setenv("DROPGATE_ADMIN_TOKEN", "")
	t.Setenv("DROPGATE_ALLOW_DEMO_TOKEN", "")
	t.Setenv("DROPGATE_LISTEN", listen)
	out, errOut, code := dg(t, "serve", "--config", demoConfigIn(t, t.TempDir()))
	if code != exitUser || !strings.Contains(errOut, "published demo token") {
		t.Errorf("the image's default command served (exit %d):\n%s%s", code, out, errOut)
	}
}
