package testutil

import (
	"strconv"
	"strings"
)

// RedisInfoCPU is the CPU time, in seconds, that redis-server reports in
// the text of `INFO cpu` (used_cpu_sys + used_cpu_user): benchmarks take
// it before and after a run for Redis's own CPU per operation.
func RedisInfoCPU(info string) float64 {
	return infoSum(info, "used_cpu_sys:", "used_cpu_user:")
}

// RedisInfoChildCPU is the CPU time, in seconds, of redis-server's forked
// children that have exited (used_cpu_sys_children + used_cpu_user_children):
// with AOF, the rewrites Redis forks as the file grows. They run beside
// the server, on the same cores, and RedisInfoCPU does not count them.
func RedisInfoChildCPU(info string) float64 {
	return infoSum(info, "used_cpu_sys_children:", "used_cpu_user_children:")
}

func infoSum(info string, fields ...string) float64 {
	var s float64
	for _, line := range strings.Split(info, "\n") {
		line = strings.TrimSpace(line)
		for _, f := range fields {
			if v, ok := strings.CutPrefix(line, f); ok {
				x, _ := strconv.ParseFloat(v, 64)
				s += x
			}
		}
	}
	return s
}
