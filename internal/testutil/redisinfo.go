package testutil

import (
	"strconv"
	"strings"
)

// RedisInfoCPU is the CPU time, in seconds, that redis-server reports in
// the text of `INFO cpu` (used_cpu_sys + used_cpu_user): benchmarks take
// it before and after a run for Redis's own CPU per operation.
func RedisInfoCPU(info string) float64 {
	var s float64
	for _, line := range strings.Split(info, "\n") {
		line = strings.TrimSpace(line)
		for _, f := range []string{"used_cpu_sys:", "used_cpu_user:"} {
			if v, ok := strings.CutPrefix(line, f); ok {
				x, _ := strconv.ParseFloat(v, 64)
				s += x
			}
		}
	}
	return s
}
