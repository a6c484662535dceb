package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompletionScripts: `dropgate completion bash|zsh` prints a script
// that names every command, subcommand and flag, and is valid shell.
func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh"} {
		script, errOut, code := dg(t, "completion", shell)
		if code != 0 {
			t.Fatalf("completion %s: exit %d %s", shell, code, errOut)
		}
		walk(commandTree(), func(path string, c *command) {
			if !strings.Contains(script, `"`+path+`"`) {
				t.Errorf("%s script does not know %q", shell, path)
			}
		})
		for _, flag := range []string{"--status", "--allow-demo-token", "--ship-after", "--dry-run", "--control"} {
			if !strings.Contains(script, flag) {
				t.Errorf("%s script lacks %s", shell, flag)
			}
		}
		f := filepath.Join(t.TempDir(), "dropgate."+shell)
		os.WriteFile(f, []byte(script), 0o644)
		if sh, err := exec.LookPath(shell); err == nil {
			if out, err := exec.Command(sh, "-n", f).CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v\n%s", shell, err, out)
			}
		} else {
			t.Logf("%s not installed: its script is checked for content only", shell)
		}
	}
}

// TestBashCompletes runs the bash script's function on command lines and
// checks what it offers.
func TestBashCompletes(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("bash is needed to check the bash completion script")
	}
	script, _, _ := dg(t, "completion", "bash")
	f := filepath.Join(t.TempDir(), "dropgate.bash")
	os.WriteFile(f, []byte(script), 0o644)
	for line, want := range map[string]string{
		"dropgate ":                               "completion connectors demo dlq edi exceptions feed healthcheck orders payables portal queues reconcile reports returns route serve suppliers trigger validate version",
		"dropgate ord":                            "orders",
		"dropgate orders ":                        "cancel list release return show",
		"dropgate returns ":                       "authorize list received reject show",
		"dropgate returns list --status re":       "received refunded rejected requested",
		"dropgate dlq re":                         "replay",
		"dropgate orders list --st":               "--status",
		"dropgate orders list --status ":          "cancelled delivered on_hold partially_shipped processing received routed shipped",
		"dropgate orders list --status on":        "on_hold",
		"dropgate exceptions list --kind sla":     "sla_breach",
		"dropgate --url x orders list --json --l": "--limit",
		"dropgate serve --role w":                 "worker",
		"dropgate completion ":                    "bash zsh",
		"dropgate edi parse --j":                  "--json",
		"dropgate reports ":                       "margin",
		"dropgate reports margin --by ":           "channel supplier",
		"dropgate reports margin --format c":      "csv",
	} {
		words := strings.Split(line, " ")
		cmd := exec.Command(bash, "--norc", "-c", `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _dropgate; printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '`, "bash", f)
		cmd.Args = append(cmd.Args, words...)
		out, err := cmd.CombinedOutput()
		if got := strings.TrimSpace(string(out)); err != nil || got != want {
			t.Errorf("%q completes to %q, want %q (%v)", line, got, want, err)
		}
	}
}

// TestZshCompletes runs the zsh script's function with the completion
// system's builtins stubbed to print what they are given.
func TestZshCompletes(t *testing.T) {
	zsh, err := exec.LookPath("zsh")
	if err != nil {
		t.Log("zsh not installed: the zsh script is checked for content only (TestCompletionScripts)")
		return
	}
	script, _, _ := dg(t, "completion", "zsh")
	f := filepath.Join(t.TempDir(), "_dropgate")
	os.WriteFile(f, []byte(script), 0o644)
	stubs := `_describe() { print -r -- "${(@P)4}" }; compadd() { shift; print -r -- "${(@P)1}" }; _files() { print FILES }; compdef() { : }; source "$1"; shift; words=("$@"); CURRENT=$#; _dropgate`
	for line, want := range map[string][]string{
		"dropgate ":                           {"orders:orders of a running server", "healthcheck:probe"},
		"dropgate orders ":                    {"list:list orders, newest first", "show:"},
		"dropgate orders list --st":           {"--status:only orders in this status", "--json:"},
		"dropgate exceptions list --kind ":    {"sla_breach", "price_refused"},
		"dropgate edi parse ":                 {"FILES"},
		"dropgate completion ":                {"bash:", "zsh:"},
		"dropgate serve --config x.yaml --ro": {"--role:"},
	} {
		cmd := exec.Command(zsh, "-f", "-c", stubs, "zsh", f)
		cmd.Args = append(cmd.Args, strings.Split(line, " ")...)
		out, err := cmd.CombinedOutput()
		for _, w := range want {
			if err != nil || !strings.Contains(string(out), w) {
				t.Errorf("%q: %q not offered (%v):\n%s", line, w, err, out)
			}
		}
	}
}
