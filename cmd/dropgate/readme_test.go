package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeNamesEveryCommand: the README's command table lists every
// command and subcommand (a group's subcommands may share a row, as in
// `dropgate dlq list | show ID`).
func TestReadmeNamesEveryCommand(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Commands\n")
	if !ok {
		t.Fatal("README has no ## Commands section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var rows []string
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "| `dropgate ") {
			rows = append(rows, line)
		}
	}
	walk(commandTree(), func(path string, c *command) {
		if c.run == nil {
			return
		}
		words := strings.Fields(path)
		if len(words) == 1 {
			// A top-level command opens its own row's code span.
			for _, r := range rows {
				if strings.Contains(r, "`dropgate "+path+" ") || strings.Contains(r, "`dropgate "+path+"`") {
					return
				}
			}
			t.Errorf("README's command table does not name `dropgate %s`", path)
			return
		}
		group, leaf := "`dropgate "+strings.Join(words[:len(words)-1], " ")+" ", words[len(words)-1]
		name := regexp.MustCompile(`(^|[\s|\\` + "`" + `])` + regexp.QuoteMeta(leaf) + `($|[\s|\\` + "`" + `])`)
		for _, r := range rows {
			if strings.Contains(r, group) && name.MatchString(r) {
				return
			}
		}
		t.Errorf("README's command table does not name `dropgate %s`", path)
	})
}
