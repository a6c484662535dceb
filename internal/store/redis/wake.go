package redis

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// notifier hands the process's Pub/Sub messages to its idle Dequeue calls
// and its reaper. The channel is classic Pub/Sub: on a Cluster every node
// relays every message over the cluster bus, one small message per job
// made ready, which is cheap at queue rates and lets a process subscribe
// once for all queues whatever their slots (sharded Pub/Sub would need a
// subscription per node and Redis 7). One message announces n jobs of one queue ready, so it
// wakes up to n waiters of that queue (each process gets every message;
// one worker per process per job races for it, not all of them).
type notifier struct {
	mu      sync.Mutex
	waiters []*waiter
	poke    chan struct{} // wakes the reaper; buffered 1, a poke is never lost
}

// waiter is one idle Dequeue call.
type waiter struct {
	queues []string
	ch     chan struct{} // buffered 1: a wake-up is never lost
}

func newNotifier() *notifier { return &notifier{poke: make(chan struct{}, 1)} }

func newWaiter(queues []string) *waiter {
	return &waiter{queues: queues, ch: make(chan struct{}, 1)}
}

func (w *waiter) wants(queue string) bool {
	for _, q := range w.queues {
		if q == queue {
			return true
		}
	}
	return false
}

// register lists w as idle; a waiter woken is unlisted until it registers
// again, so n wake-ups reach n different waiters.
func (n *notifier) register(w *waiter) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, x := range n.waiters {
		if x == w {
			return
		}
	}
	n.waiters = append(n.waiters, w)
}

func (n *notifier) unregister(w *waiter) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for i, x := range n.waiters {
		if x == w {
			n.waiters = append(n.waiters[:i], n.waiters[i+1:]...)
			return
		}
	}
}

// wake wakes up to count waiters of queue.
func (n *notifier) wake(queue string, count int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for i := 0; i < len(n.waiters) && count > 0; {
		w := n.waiters[i]
		if !w.wants(queue) {
			i++
			continue
		}
		n.waiters = append(n.waiters[:i], n.waiters[i+1:]...)
		signal(w.ch)
		count--
	}
}

// wakeAll wakes every waiter: after a (re)subscription, messages may have
// been missed, so everyone looks again.
func (n *notifier) wakeAll() {
	n.mu.Lock()
	ws := n.waiters
	n.waiters = nil
	n.mu.Unlock()
	for _, w := range ws {
		signal(w.ch)
	}
}

func (n *notifier) pokeReaper() { signal(n.poke) }

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// handle dispatches one message: "r<n>:<queue>" (n jobs ready) or
// "s<n>:<queue>" (a job scheduled earlier than anything before it).
func (n *notifier) handle(payload string) {
	head, queue, ok := strings.Cut(payload, ":")
	if !ok || len(head) < 2 {
		return
	}
	count, err := strconv.Atoi(head[1:])
	if err != nil || count <= 0 {
		return
	}
	switch head[0] {
	case 'r':
		n.wake(queue, count)
	case 's':
		n.pokeReaper()
	}
}

// readyQueue returns the queue of an "r<n>:<queue>" announcement.
func readyQueue(payload string) (string, bool) {
	if !strings.HasPrefix(payload, "r") {
		return "", false
	}
	_, queue, ok := strings.Cut(payload, ":")
	return queue, ok
}

// listenTimeout is how long the subscription may stay silent before it is
// pinged: a connection that died without a FIN (a NAT that forgot it)
// would otherwise leave this process deaf until the idle rechecks.
const listenTimeout = 30 * time.Second

// subscribe starts the process's subscription and its listener once.
func (s *Store) subscribe() {
	if s.subscribed.Load() {
		return
	}
	s.subMu.Lock()
	defer s.subMu.Unlock()
	if s.ps != nil || s.closed.Load() {
		return
	}
	s.ps = s.rdb.Subscribe(s.bg, s.keys.channel())
	s.subscribed.Store(true)
	s.wg.Add(1)
	go s.listen(s.ps)
}

// listen reads the process's subscription until Close. go-redis reconnects
// and resubscribes on the next read after an error; each (re)subscription
// wakes everyone, since messages sent while it was down are gone.
func (s *Store) listen(ps *goredis.PubSub) {
	defer s.wg.Done()
	backoff := 50 * time.Millisecond
	for !s.closed.Load() {
		msg, err := ps.ReceiveTimeout(s.bg, listenTimeout)
		if err != nil {
			if s.closed.Load() {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				if perr := ps.Ping(s.bg); perr == nil {
					continue
				}
			}
			s.log.Debug("redis store: subscription", "err", err, "retry_in", backoff)
			select {
			case <-s.stop:
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 2*time.Second)
			continue
		}
		backoff = 50 * time.Millisecond
		switch m := msg.(type) {
		case *goredis.Subscription:
			if m.Kind == "subscribe" {
				s.heads.lost()
				s.note.wakeAll()
				s.note.pokeReaper()
			}
		case *goredis.Message:
			if q, ok := readyQueue(m.Payload); ok {
				s.heads.announced(q)
			}
			s.note.handle(m.Payload)
		}
	}
}
