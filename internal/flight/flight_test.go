package flight

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
)

type ctxKey struct{}

// TestOneCallForManyCallers: 100 goroutines asking at once cause one call,
// and all get its result.
func TestOneCallForManyCallers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g Group[int]
		var calls atomic.Int32
		release := make(chan struct{})
		var wg sync.WaitGroup
		results := make([]int, 100)
		errs := make([]error, 100)
		for i := range 100 {
			wg.Go(func() {
				results[i], errs[i], _ = g.Do(context.Background(), "k", func(context.Context) (int, error) {
					calls.Add(1)
					<-release
					return 42, nil
				})
			})
		}
		synctest.Wait() // every caller is now waiting on the one call
		close(release)
		wg.Wait()
		if n := calls.Load(); n != 1 {
			t.Errorf("calls: got %d; want 1", n)
		}
		for i := range 100 {
			if results[i] != 42 || errs[i] != nil {
				t.Fatalf("caller %d: got %d, %v; want 42, nil", i, results[i], errs[i])
			}
		}
	})
}

// TestWaiterGivesUp: a caller whose context is cancelled returns
// context.Canceled at once while the call still hangs; the call goes on
// with its values, and a patient caller gets its result.
func TestWaiterGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g Group[string]
		release := make(chan struct{})
		var inner context.Context
		fn := func(ctx context.Context) (string, error) {
			inner = ctx
			<-release
			return "done", ctx.Err()
		}
		ctx, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "v"))
		errc := make(chan error, 1)
		go func() {
			_, err, _ := g.Do(ctx, "k", fn)
			errc <- err
		}()
		synctest.Wait() // the call runs, started by the impatient caller
		patient := make(chan string, 1)
		go func() {
			v, _, _ := g.Do(context.Background(), "k", fn)
			patient <- v
		}()
		synctest.Wait()
		cancel()
		synctest.Wait() // no time passes in the bubble: "at once"
		select {
		case err := <-errc:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled waiter: got %v; want context.Canceled", err)
			}
		default:
			t.Fatal("cancelled waiter still blocked while the call hangs")
		}
		if got := inner.Value(ctxKey{}); got != "v" {
			t.Errorf("call context value: got %v; want v (values are kept)", got)
		}
		if err := inner.Err(); err != nil {
			t.Errorf("the call's context ended with its starter: %v; want it detached", err)
		}
		close(release)
		if v := <-patient; v != "done" {
			t.Errorf("patient caller: got %q; want done", v)
		}
	})
}

func TestCancelledBeforeCall(t *testing.T) {
	var g Group[int]
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	_, err, _ := g.Do(ctx, "k", func(context.Context) (int, error) { called = true; return 1, nil })
	if !errors.Is(err, context.Canceled) || called {
		t.Errorf("got %v, called %v; want context.Canceled without a call", err, called)
	}
}

func TestErrorAndNilInterface(t *testing.T) {
	var g Group[error]
	boom := errors.New("boom")
	if _, err, _ := g.Do(context.Background(), "k", func(context.Context) (error, error) { return nil, boom }); err != boom {
		t.Errorf("got %v; want boom", err)
	}
	v, err, _ := g.Do(context.Background(), "k", func(context.Context) (error, error) { return nil, nil })
	if v != nil || err != nil {
		t.Errorf("nil interface result: got %v, %v; want nil, nil", v, err)
	}
}
