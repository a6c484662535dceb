package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// TestConformanceDirProbesBesideTheModule: without the variable, a
// checkout finds ../shared/conformance next to its module root, from any
// package directory below it.
func TestConformanceDirProbesBesideTheModule(t *testing.T) {
	base := t.TempDir()
	repo := filepath.Join(base, "wt", "dropgate")
	samples := filepath.Join(base, "shared", "conformance")
	pkg := filepath.Join(repo, "internal", "x12")
	for _, d := range []string{samples, pkg} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(repo, "go.mod"), []byte("module example.com/x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DROPGATE_CONFORMANCE_DIR", "")
	t.Chdir(pkg)
	if got := ConformanceDir(t); got != samples {
		t.Fatalf("ConformanceDir = %s; want %s", got, samples)
	}
	// The variable wins over the probe.
	other := t.TempDir()
	t.Setenv("DROPGATE_CONFORMANCE_DIR", other)
	if got := ConformanceDir(t); got != other {
		t.Fatalf("ConformanceDir with the variable = %s; want %s", got, other)
	}
}

func TestConformanceProbeMissing(t *testing.T) {
	repo := t.TempDir()
	if err := os.WriteFile(filepath.Join(repo, "go.mod"), []byte("module example.com/x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(repo)
	if dir, err := probeConformance(); err == nil {
		t.Fatalf("probe found %s beside %s, where there is none", dir, repo)
	}
}

func TestRedisInfoCPU(t *testing.T) {
	info := "# CPU\r\nused_cpu_sys:1.250000\r\nused_cpu_user:2.500000\r\nused_cpu_sys_children:9.0\r\nused_cpu_user_children:0.5\r\n"
	if got := RedisInfoCPU(info); got != 3.75 {
		t.Fatalf("RedisInfoCPU = %v, want 3.75 (sys + user, children left out)", got)
	}
	if got := RedisInfoChildCPU(info); got != 9.5 {
		t.Fatalf("RedisInfoChildCPU = %v, want 9.5 (the children's sys + user)", got)
	}
}
