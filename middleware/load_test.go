package middleware_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
	"github.com/cognitokit/cognitokit/middleware"
)

// loadPlan says how long TestLoad's clients go on: more(k) reports whether
// a client makes its call k (k = 0 always). By default (CI) each client
// makes a fixed number of calls, enough for the clients to send every kind
// of request many times and concurrently, in well under a second of CPU;
// with COGNITOKIT_LOAD=1 or COGNITOKIT_SOAK=1 they go on for 10 s (the
// issue's figure), as many calls as the machine can make.
func loadPlan() (more func(k int) bool) {
	if os.Getenv("COGNITOKIT_LOAD") == "1" || os.Getenv("COGNITOKIT_SOAK") != "" {
		deadline := time.Now().Add(10 * time.Second)
		return func(k int) bool { return k == 0 || time.Now().Before(deadline) }
	}
	rounds := 5
	if testing.Short() {
		rounds = 2
	}
	return func(k int) bool { return k < rounds }
}

// TestLoad runs 200 concurrent clients against a protected loopback server
// (see loadPlan), with a mix of good, forbidden, bad, ambiguous and
// unverifiable tokens (and 64 fresh tokens that miss the cache), checks
// that every answer is the expected one, and that no goroutine outlives
// the server.
func TestLoad(t *testing.T) {
	f := authtest.Get(t) // before IgnoreCurrent: the fixture lives on
	ignore := goleak.IgnoreCurrent()

	type call struct {
		auth   []string
		status int
	}
	calls := []call{
		{[]string{"Bearer " + f.AliceAccess}, 200},
		{[]string{"Bearer " + f.M2M}, 200},
		{[]string{"Bearer " + f.BobAccess}, 403},
		{[]string{"Bearer " + f.Expired}, 401},
		{[]string{"Bearer " + f.WrongClient}, 401},
		{[]string{"Bearer " + f.BadSignature}, 401},
		{nil, 401},
		{[]string{"Bearer " + f.AliceAccess, "Bearer " + f.M2M}, 400},
		{[]string{"Bearer " + f.Unavailable}, 503},
	}
	for range 64 {
		calls = append(calls, call{[]string{"Bearer " + f.MintAccess(t, "orders/read")}, 200})
	}

	var served atomic.Int64
	mw, err := middleware.New(f.Verifier, middleware.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mw(middleware.RequireAnyScope("orders/read")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		io.WriteString(w, "ok")
	}))))
	tr := &http.Transport{MaxIdleConnsPerHost: 256}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	const clients = 200
	start := time.Now()
	more := loadPlan()
	var total, wrong, okWant atomic.Int64
	var firstWrong sync.Once
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			for k, n := 0, i; more(k); k, n = k+1, n+clients {
				c := calls[n%len(calls)]
				req, _ := http.NewRequest("GET", srv.URL+"/orders", nil)
				for _, a := range c.auth {
					req.Header.Add("Authorization", a)
				}
				res, err := client.Do(req)
				if err != nil {
					wrong.Add(1)
					firstWrong.Do(func() { t.Errorf("request error: %v", err) })
					continue
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				total.Add(1)
				if c.status == 200 {
					okWant.Add(1)
				}
				if res.StatusCode != c.status || (c.status == 200) != (string(body) == "ok") {
					wrong.Add(1)
					firstWrong.Do(func() {
						t.Errorf("call %d: status %d body %q; want %d", n%len(calls), res.StatusCode, body, c.status)
					})
				}
			}
		})
	}
	wg.Wait()
	srv.Close()
	tr.CloseIdleConnections()

	t.Logf("%d requests in %v from %d clients (%.0f req/s), %d wrong verdicts",
		total.Load(), time.Since(start).Round(time.Millisecond), clients, float64(total.Load())/time.Since(start).Seconds(), wrong.Load())
	if wrong.Load() != 0 {
		t.Errorf("%d wrong verdicts; want 0", wrong.Load())
	}
	if total.Load() < clients {
		t.Errorf("only %d requests completed", total.Load())
	}
	if served.Load() != okWant.Load() {
		t.Errorf("handler ran %d times; want %d (the number of allowed requests)", served.Load(), okWant.Load())
	}
	if err := goleak.Find(ignore); err != nil {
		t.Error(fmt.Errorf("goroutines leaked after shutdown: %w", err))
	}
}
