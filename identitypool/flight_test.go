package identitypool_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/cognitokit/cognitokit/identitypool"
)

// hangingGetID answers GetId only when release is closed, or fails when
// the request's context ends.
type hangingGetID struct {
	identitypool.API // other operations panic: a test calling them is wrong

	release chan struct{}
	calls   atomic.Int32
}

func (h *hangingGetID) GetId(ctx context.Context, _ *ci.GetIdInput, _ ...func(*ci.Options)) (*ci.GetIdOutput, error) {
	h.calls.Add(1)
	select {
	case <-h.release:
		return &ci.GetIdOutput{IdentityId: aws.String("us-east-1:00000000-0000-4000-8000-000000000001")}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// TestIdentityIDWaitersGiveUp: while GetId hangs, a caller whose context
// is cancelled returns ErrUnavailable and context.Canceled at once, and 100
// other callers share the one GetId, which goes on and serves them all.
func TestIdentityIDWaitersGiveUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hangingGetID{release: make(chan struct{})}
		p, err := identitypool.New(identitypool.Config{API: h, IdentityPoolID: "us-east-1:00000000-0000-4000-8000-00000000000a", AllowGuest: true})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		first := make(chan error, 1)
		go func() {
			_, err := p.IdentityID(ctx)
			first <- err
		}()
		synctest.Wait()
		var wg sync.WaitGroup
		ids := make([]string, 100)
		errs := make([]error, 100)
		for i := range 100 {
			wg.Go(func() { ids[i], errs[i] = p.IdentityID(context.Background()) })
		}
		cancel()
		synctest.Wait()
		select {
		case err := <-first:
			if !errors.Is(err, context.Canceled) || !errors.Is(err, identitypool.ErrUnavailable) {
				t.Errorf("cancelled waiter: got %v; want ErrUnavailable and context.Canceled", err)
			}
		default:
			t.Fatal("cancelled waiter still blocked while GetId hangs")
		}
		close(h.release)
		wg.Wait()
		for i := range 100 {
			if errs[i] != nil || ids[i] != "us-east-1:00000000-0000-4000-8000-000000000001" {
				t.Fatalf("caller %d: got %q, %v; want the one GetId's identity", i, ids[i], errs[i])
			}
		}
		if n := h.calls.Load(); n != 1 {
			t.Errorf("GetId calls: got %d; want 1", n)
		}
	})
}

func TestNilContext(t *testing.T) {
	h := &hangingGetID{release: make(chan struct{})}
	p, err := identitypool.New(identitypool.Config{API: h, IdentityPoolID: "us-east-1:00000000-0000-4000-8000-00000000000a", AllowGuest: true})
	if err != nil {
		t.Fatal(err)
	}
	d, err := identitypool.NewDeveloper(identitypool.DeveloperConfig{API: unusedDeveloperAPI{}, IdentityPoolID: "us-east-1:00000000-0000-4000-8000-00000000000a", ProviderName: "login.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	var nilCtx context.Context
	calls := map[string]func() error{
		"Provider.Retrieve":    func() error { _, err := p.Retrieve(nilCtx); return err },
		"Provider.IdentityID":  func() error { _, err := p.IdentityID(nilCtx); return err },
		"Credentials.Retrieve": func() error { _, err := p.CredentialsCache().Retrieve(nilCtx); return err },
		"Developer.Token": func() error {
			_, err := d.Token(nilCtx, identitypool.DeveloperTokenInput{UserID: "u"})
			return err
		},
		"Developer.Lookup": func() error { _, err := d.Lookup(nilCtx, "u"); return err },
		"Developer.UserIDs": func() error {
			_, err := d.UserIDs(nilCtx, "us-east-1:00000000-0000-4000-8000-000000000001")
			return err
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, identitypool.ErrInvalidInput) {
			t.Errorf("%s(nil context): got %v; want ErrInvalidInput", name, err)
		}
	}
	if h.calls.Load() != 0 {
		t.Error("a call with a nil context reached the API")
	}
}

// unusedDeveloperAPI panics on any call: the nil-context checks come first.
type unusedDeveloperAPI struct{ identitypool.DeveloperAPI }
