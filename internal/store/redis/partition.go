package redis

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/dropgate/dropgate/core/store"
)

// Partitions. Every key of a queue shares one hash tag, so on Redis
// Cluster one queue lives on one node however many nodes there are. A
// queue with Options.Partitions[q] = N > 1 is N physical queues,
// "<q>#0" … "<q>#N-1", each with its own hash tag and so, in general, its
// own slot and node. A job goes to the partition of its group (an order's
// jobs stay together, so their order is kept) or, without a group, of its
// id. Dequeue of q looks at q's partitions starting at a rotating one, so
// workers spread over them. A leased job's Queue is its partition, which
// Ack, Retry and Bury need; Stats adds partitions back up under q.
//
// Changing N for a queue that holds grouped jobs may put a group's new
// jobs in another partition than its waiting ones: drain first (or accept
// that those orders' jobs may run out of order once).

// partSep separates a queue's name from its partition number.
const partSep = "#"

// maxPartitions bounds Options.Partitions values.
const maxPartitions = 1024

// checkPartitions validates Options.Partitions.
func checkPartitions(p map[string]int) error {
	for q, n := range p {
		if n < 1 || n > maxPartitions {
			return fmt.Errorf("redis: partitions of queue %q: %d: must be 1 to %d", q, n, maxPartitions)
		}
		if strings.Contains(q, partSep) {
			return fmt.Errorf("redis: partitions: queue name %q may not contain %q", q, partSep)
		}
	}
	return nil
}

// partitionsOf is how many partitions queue has (1: not partitioned). The
// key "*" is the default for queues not listed.
func (s *Store) partitionsOf(queue string) int {
	if n, ok := s.opts.Partitions[queue]; ok {
		return n
	}
	if n, ok := s.opts.Partitions["*"]; ok {
		return n
	}
	return 1
}

// placeJob names the physical queue j goes to.
func (s *Store) placeJob(j *store.Job) string {
	n := s.partitionsOf(j.Queue)
	if n <= 1 || strings.Contains(j.Queue, partSep) {
		return j.Queue
	}
	by := j.Group
	if by == "" {
		by = j.ID
	}
	h := fnv.New32a()
	h.Write([]byte(by))
	return partitionName(j.Queue, int(h.Sum32()%uint32(n)))
}

func partitionName(queue string, p int) string { return queue + partSep + strconv.Itoa(p) }

// logicalQueue is the queue a physical one belongs to.
func logicalQueue(name string) string {
	i := strings.LastIndex(name, partSep)
	if i < 0 {
		return name
	}
	if _, err := strconv.Atoi(name[i+1:]); err != nil {
		return name
	}
	return name[:i]
}

// expand turns the queues a Dequeue asks for into their physical queues,
// in priority order, each partitioned queue's partitions starting at a
// rotating offset so that concurrent workers start on different ones.
func (s *Store) expand(queues []string) [][]string {
	out := make([][]string, len(queues))
	for i, q := range queues {
		n := s.partitionsOf(q)
		if n <= 1 {
			out[i] = []string{q}
			continue
		}
		start := int(s.rot.Add(1) % uint64(n))
		parts := make([]string, n)
		for k := range n {
			parts[k] = partitionName(q, (start+k)%n)
		}
		out[i] = parts
	}
	return out
}

// mergeStats adds partitions' figures up under their queue's name.
func mergeStats(in []store.QueueStats) []store.QueueStats {
	out := make([]store.QueueStats, 0, len(in))
	at := make(map[string]int, len(in))
	for _, st := range in {
		name := logicalQueue(st.Queue)
		i, ok := at[name]
		if !ok {
			st.Queue = name
			at[name] = len(out)
			out = append(out, st)
			continue
		}
		m := &out[i]
		m.Ready += st.Ready
		m.Scheduled += st.Scheduled
		m.InFlight += st.InFlight
		m.Waiting += st.Waiting
		m.Dead += st.Dead
		m.OldestAge = max(m.OldestAge, st.OldestAge)
		for k, v := range st.Keys {
			if m.Keys == nil {
				m.Keys = make(map[string]int64)
			}
			m.Keys[k] += v
		}
	}
	return out
}
