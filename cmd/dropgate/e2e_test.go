package main

// End-to-end tests: they build the real binary, start it as a separate
// process on the demo config, and speak HTTP to it, as a merchant's
// platform would. Each works in its own directory on its own ports, so
// most run in parallel: they spend their time waiting on the processes.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dropgate/dropgate/connectors/channel/shopify"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
)

var binary string // built once in TestMain

// e2eParallel is how many parallel tests run at once unless -parallel
// says otherwise: the end-to-end tests mostly wait (on leases, SLA timers,
// retry back-offs, a rate limit), so more of them than the CPUs can run
// side by side.
const e2eParallel = 4

func TestMain(m *testing.M) {
	flag.Parse()
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet {
		_ = flag.Set("test.parallel", strconv.Itoa(max(e2eParallel, runtime.GOMAXPROCS(0))))
	}
	dir, err := os.MkdirTemp("", "dropgate-e2e-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "dropgate")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building dropgate:", err)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// workdir is a copy of the repository's configs/ in a fresh directory,
// so ./var and ./configs resolve as they do for a merchant.
func workdir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "configs"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"demo.yaml", "demo-catalog.csv"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "configs", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "configs", f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// server is a running `dropgate serve`.
type server struct {
	cmd  *exec.Cmd
	url  string
	logs *bytes.Buffer
	mu   *sync.Mutex
	done chan error
}

func startServer(t *testing.T, dir string, extraEnv ...string) *server {
	t.Helper()
	return startServerWith(t, dir, serveOpts{env: extraEnv})
}

// serveOpts varies how startServerWith runs `dropgate serve`.
type serveOpts struct {
	role string   // --role; "" is the default (all)
	env  []string // added to the environment
}

// startServerWith starts `dropgate serve` on dir's configs/demo.yaml and
// waits until it is up: until the gateway listens (its URL is then
// s.url), or, for --role worker, until its workers start (s.url is then
// where it serves health and metrics).
func startServerWith(t *testing.T, dir string, o serveOpts) *server {
	t.Helper()
	args := []string{"serve", "--config", "configs/demo.yaml", "--listen", "127.0.0.1:0"}
	if o.role != "" {
		args = append(args, "--role", o.role)
	}
	ready := "gateway listening"
	if o.role == "worker" {
		ready = "workers started"
	}
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"DROPGATE_LOG_FORMAT=json"}, o.env...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, logs: &bytes.Buffer{}, mu: &sync.Mutex{}, done: make(chan error, 1)}
	addr := make(chan string, 1)
	// A worker logs where its health and metrics listen before it says
	// its workers started.
	const opsListening = "worker health and metrics listening"
	var opsAddr string
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.logs.WriteString(line + "\n")
			s.mu.Unlock()
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) != nil {
				continue
			}
			if rec.Msg == opsListening {
				opsAddr = rec.Addr
			}
			if rec.Msg == ready {
				if rec.Addr == "" {
					rec.Addr = opsAddr
				}
				select {
				case addr <- rec.Addr:
				default:
				}
			}
		}
	}()
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-s.done
		}
		if t.Failed() {
			t.Logf("server logs:\n%s", s.Logs())
		}
	})
	select {
	case a := <-addr:
		if a != "" {
			s.url = "http://" + a
		}
	case err := <-s.done:
		t.Fatalf("server exited: %v\n%s", err, s.Logs())
	case <-time.After(15 * time.Second):
		t.Fatalf("server did not start:\n%s", s.Logs())
	}
	return s
}

func (s *server) Logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.String()
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop(t *testing.T) {
	t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("server exit: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not stop on SIGTERM")
	}
}

// kill9 kills the server without a chance to clean up.
func (s *server) kill9() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// shop is the demo's channel, to build signed deliveries in the test.
func shop(t *testing.T) *shopify.Connector {
	t.Helper()
	c, err := shopify.New(connector.Env{Name: "shop"}, &shopify.Config{ShopDomain: "demo-shop.myshopify.com", WebhookSecret: "demo-secret", APIVersion: "2025-07"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type delivery struct {
	body    []byte
	headers http.Header
	orderID string // canonical order id
}

func newDelivery(t *testing.T, c *shopify.Connector) delivery {
	t.Helper()
	body, err := c.SamplePayload("orders/create")
	if err != nil {
		t.Fatal(err)
	}
	h, _ := c.SignWebhook("orders/create", body)
	var head struct {
		ID json.Number `json:"id"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&head); err != nil {
		t.Fatal(err)
	}
	return delivery{body: body, headers: h, orderID: model.OrderID("shop", head.ID.String())}
}

func (d delivery) post(url string) (int, error) {
	req, err := http.NewRequest(http.MethodPost, url+"/webhooks/shop", bytes.NewReader(d.body))
	if err != nil {
		return 0, err
	}
	req.Header = d.headers.Clone()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func poFile(dir, orderID string) string {
	return filepath.Join(dir, "var", "outbox", "acme", model.PONumber(orderID, "acme", 1)+".850.x12")
}

func waitFile(path string, within time.Duration) (time.Duration, bool) {
	start := time.Now()
	for time.Since(start) < within {
		if _, err := os.Stat(path); err == nil {
			return time.Since(start), true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start), false
}

// TestDemoQuickstart is README's quickstart: serve the demo config,
// trigger a Shopify order, find the 850 in ./var/outbox/acme/.
func TestDemoQuickstart(t *testing.T) {
	t.Parallel()
	dir := workdir(t)
	s := startServer(t, dir)
	trig := exec.Command(binary, "trigger", "--config", "configs/demo.yaml", "--connector", "shop", "--event", "orders/create", "--url", s.url)
	trig.Dir = dir
	out, err := trig.CombinedOutput()
	if err != nil {
		t.Fatalf("trigger: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "200 OK") || !strings.Contains(string(out), `"status":"queued"`) {
		t.Fatalf("trigger output:\n%s", out)
	}
	outbox := filepath.Join(dir, "var", "outbox", "acme")
	var files []string
	waitUntil(time.Minute, func() bool {
		files, _ = filepath.Glob(filepath.Join(outbox, "PO*.850.x12"))
		return len(files) > 0
	})
	if len(files) != 1 {
		t.Fatalf("outbox holds %v, want one 850", files)
	}
	b, _ := os.ReadFile(files[0])
	doc := string(b)
	for _, want := range []string{"ISA*00*", "*ZZ*DROPGATEDEMO   *ZZ*ACMESUPPLY     *", "ST*850*0001~", "BEG*00*DS*" + strings.TrimSuffix(filepath.Base(files[0]), ".850.x12") + "**",
		"N1*ST*Ada Lovelace~", "PO1*1*2*EA*4.20**VP*ACM-MUG-11-BK*BP*MUG-BLK-11", "PO1*2*1*EA*7.80**VP*ACM-TEE-M-WH*BP*TEE-WHT-M", "CTT*2*3~", "SE*16*0001~", "IEA*1*000000001~"} {
		if !strings.Contains(doc, want) {
			t.Errorf("850 lacks %q:\n%s", want, doc)
		}
	}
	s.stop(t)
}

// TestKill9MidBurst: SIGKILL the server while a burst of orders is being
// accepted and processed; after a restart every accepted order has
// exactly one PO, and the platform's retries of unanswered deliveries
// produce no duplicates.
func TestKill9MidBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("burst test")
	}
	t.Parallel()
	dir := workdir(t)
	c := shop(t)
	const n = 240
	ds := make([]delivery, n)
	for i := range ds {
		ds[i] = newDelivery(t, c)
	}
	s := startServer(t, dir)
	outbox := filepath.Join(dir, "var", "outbox", "acme")
	accepted := make([]bool, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	var count, atKill int
	killed := false
	next := make(chan int)
	go func() {
		for i := range ds {
			next <- i
		}
		close(next)
	}()
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				code, err := ds[i].post(s.url)
				mu.Lock()
				if err == nil && code == 200 {
					accepted[i] = true
					count++
					// Once two thirds are accepted, kill the server at an
					// instant it has accepted orders whose PO is not
					// written yet: frozen (SIGSTOP), the outbox is
					// counted; if it is all done, it runs on until the
					// next acceptance.
					if !killed && count >= 2*n/3 {
						_ = s.cmd.Process.Signal(syscall.SIGSTOP)
						if atKill = countPOs(outbox); atKill < count {
							s.kill9()
							killed = true
						} else {
							_ = s.cmd.Process.Signal(syscall.SIGCONT)
						}
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if !killed {
		t.Fatalf("every accepted order had its PO whenever the server was frozen: nothing was in flight to kill, the test proves nothing")
	}
	var acked int
	for _, a := range accepted {
		if a {
			acked++
		}
	}
	t.Logf("%d of %d deliveries got 200 before SIGKILL; %d POs were written by then", acked, n, atKill)

	s2 := startServer(t, dir)
	// Everything acknowledged before the kill must come out as a PO.
	for i, a := range accepted {
		if a {
			if _, ok := waitFile(poFile(dir, ds[i].orderID), 2*time.Minute); !ok {
				t.Fatalf("accepted order %s has no PO after restart", ds[i].orderID)
			}
		}
	}
	// The platform retries what it got no 200 for, with the same
	// delivery id; some were stored before the kill, and must dedupe.
	for i, a := range accepted {
		if !a {
			if code, err := ds[i].post(s2.url); err != nil || code != 200 {
				t.Fatalf("retry %d: %d %v", i, code, err)
			}
		}
	}
	for i := range ds {
		if _, ok := waitFile(poFile(dir, ds[i].orderID), 2*time.Minute); !ok {
			t.Fatalf("order %d has no PO", i)
		}
	}
	s2.stop(t)
	files, _ := filepath.Glob(filepath.Join(dir, "var", "outbox", "acme", "*.850.x12"))
	if len(files) != n {
		t.Fatalf("%d PO files for %d orders", len(files), n)
	}
	// Exactly the expected POs, one per order, each carrying its own
	// number in BEG03, and never a control number twice.
	want := map[string]bool{}
	for _, d := range ds {
		want[model.PONumber(d.orderID, "acme", 1)] = true
	}
	ctrl := map[string]string{}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		doc := string(b)
		isa := doc[90:99]
		if prev, dup := ctrl[isa]; dup {
			t.Errorf("control number %s used by %s and %s", isa, prev, f)
		}
		ctrl[isa] = f
		i := strings.Index(doc, "BEG*00*DS*")
		po := strings.SplitN(doc[i+len("BEG*00*DS*"):], "*", 2)[0]
		if !want[po] || filepath.Base(f) != po+".850.x12" {
			t.Errorf("%s holds PO %s", f, po)
		}
		delete(want, po)
	}
	if len(want) != 0 {
		t.Errorf("orders without a PO: %v", want)
	}
}

// TestGracefulShutdownFinishesInFlight: a request whose body is still
// arriving when SIGTERM lands is completed and answered, then the
// process exits 0. The steps wait for events, not for time: the request
// asks for 100 Continue, which the server sends once the handler reads
// the body (so the request is in flight, not queued), and the rest of the
// body goes out only once the server refuses new connections (so the
// shutdown has begun).
func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	t.Parallel()
	dir := workdir(t)
	s := startServer(t, dir)
	d := newDelivery(t, shop(t))
	addr := strings.TrimPrefix(s.url, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Minute)) // a hang guard
	var head bytes.Buffer
	fmt.Fprintf(&head, "POST /webhooks/shop HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\nExpect: 100-continue\r\n", addr, len(d.body))
	for k, vs := range d.headers {
		for _, v := range vs {
			fmt.Fprintf(&head, "%s: %s\r\n", k, v)
		}
	}
	head.WriteString("\r\n")
	if _, err := conn.Write(head.Bytes()); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != http.StatusContinue {
		t.Fatalf("want 100 Continue once the handler reads the body: %v %v", resp, err)
	}
	half := len(d.body) / 2
	if _, err := conn.Write(d.body[:half]); err != nil {
		t.Fatal(err)
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	refused := waitUntil(time.Minute, func() bool {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return true
		}
		c.Close() // a connection that sends nothing would hold the shutdown
		return false
	})
	if !refused {
		t.Fatal("the server still accepts connections a minute after SIGTERM")
	}
	if _, err := conn.Write(d.body[half:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the in-flight request was answered %v %v; want 200", resp, err)
	}
	resp.Body.Close()
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("no exit after SIGTERM")
	}
	// The delivery answered 200 is durable: the next start processes it.
	startServer(t, dir)
	if _, ok := waitFile(poFile(dir, d.orderID), time.Minute); !ok {
		t.Fatal("the delivery accepted during shutdown was lost")
	}
}

func TestValidateExitCodes(t *testing.T) {
	t.Parallel()
	v := exec.Command(binary, "validate", "--config", "configs/demo.yaml")
	v.Dir = "../.."
	out, err := v.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ok") {
		t.Fatalf("demo config: %v\n%s", err, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("server:\n  lisen: x\nchannels:\n  - {name: shop, type: shopify, shop_domain: a.myshopify.com, webhook_secret: s}\n  - {name: shop, type: nope}\n"), 0o644)
	cmd := exec.Command(binary, "validate", "--config", bad)
	out, err = cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("exit %d (%v), want 1\n%s", code, err, out)
	}
	for _, want := range []string{
		bad + ":2: server.lisen: unknown key",
		bad + ":4: channels[0].webhook_secret: warning: secret set inline",
		// The list grows with every channel connector; shopify is in it.
		bad + `:5: channels[1].type: unknown connector type "nope" (known channel types: `,
		bad + `:5: channels[1].name: duplicate connector name "shop" (first defined at line 4)`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(string(out), "shopify") {
		t.Errorf("the known channel types do not list shopify:\n%s", out)
	}
	cmd = exec.Command(binary, "validate")
	cmd.Run()
	if cmd.ProcessState.ExitCode() != 1 {
		t.Errorf("missing --config exit %d, want 1", cmd.ProcessState.ExitCode())
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	out, err := exec.Command(binary, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "dropgate ") || !strings.Contains(string(out), "go1.") {
		t.Fatalf("version: %v %s", err, out)
	}
}
