package grpcauth_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/cognitokit/cognitokit/adapters/grpcauth"
	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
	"github.com/cognitokit/cognitokit/verifier"
)

const watchService = "cognitokit.test.Watch"

// watchServer is a service with two long-lived streams:
//
//   - Watch (server streaming) sends "started", then a "tick" every few
//     milliseconds until its context is done or a send fails;
//   - Chat (bidirectional) echoes every message it receives, and closes
//     ctxDone when its context is done (from a second goroutine, since the
//     handler itself is blocked in RecvMsg).
type watchServer struct {
	mu       sync.Mutex
	received []string // Chat's messages
	causes   []error  // context.Cause of each handler's context at its end
	ctxDone  chan struct{}
}

func (w *watchServer) desc() *grpc.ServiceDesc {
	return &grpc.ServiceDesc{
		ServiceName: watchService,
		HandlerType: (*any)(nil),
		Streams: []grpc.StreamDesc{
			{StreamName: "Watch", ServerStreams: true, Handler: func(_ any, ss grpc.ServerStream) error {
				ctx := ss.Context()
				defer func() { w.addCause(context.Cause(ctx)) }()
				if err := ss.SendMsg(wrapperspb.String("started")); err != nil {
					return err
				}
				tick := time.NewTicker(5 * time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-ctx.Done():
						return ctx.Err()
					case <-tick.C:
						if err := ss.SendMsg(wrapperspb.String("tick")); err != nil {
							return err
						}
					}
				}
			}},
			{StreamName: "Chat", ServerStreams: true, ClientStreams: true, Handler: func(_ any, ss grpc.ServerStream) error {
				ctx := ss.Context()
				go func() {
					<-ctx.Done()
					w.addCause(context.Cause(ctx))
					close(w.ctxDone)
				}()
				for {
					m := new(wrapperspb.StringValue)
					if err := ss.RecvMsg(m); err != nil {
						return err
					}
					w.mu.Lock()
					w.received = append(w.received, m.Value)
					w.mu.Unlock()
					if err := ss.SendMsg(m); err != nil {
						return err
					}
				}
			}},
		},
	}
}

func (w *watchServer) addCause(err error) {
	w.mu.Lock()
	w.causes = append(w.causes, err)
	w.mu.Unlock()
}

func startWatch(t *testing.T, a *grpcauth.Authenticator) (*watchServer, *grpc.ClientConn) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := &watchServer{ctxDone: make(chan struct{})}
	s := grpc.NewServer(grpc.StreamInterceptor(a.StreamServerInterceptor()))
	s.RegisterService(w.desc(), nil)
	done := make(chan struct{})
	go func() { defer close(done); s.Serve(lis) }()
	t.Cleanup(func() { s.Stop(); <-done })
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return w, conn
}

func openStream(t *testing.T, conn *grpc.ClientConn, method, token string, bidi bool) (grpc.ClientStream, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	st, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: bidi}, "/"+watchService+"/"+method)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if !bidi {
		if err := st.SendMsg(wrapperspb.String("")); err != nil {
			t.Fatal(err)
		}
		if err := st.CloseSend(); err != nil {
			t.Fatal(err)
		}
	}
	return st, cancel
}

// drain reads a server stream to its end and returns the messages and the
// final error.
func drain(st grpc.ClientStream) ([]string, error) {
	var got []string
	for {
		m := new(wrapperspb.StringValue)
		if err := st.RecvMsg(m); err != nil {
			return got, err
		}
		got = append(got, m.Value)
	}
}

func wantExpired(t *testing.T, err error) {
	t.Helper()
	if st := status.Convert(err); st.Code() != codes.Unauthenticated || st.Message() != "The token has expired." {
		t.Fatalf("stream ended with %v %q; want Unauthenticated \"The token has expired.\"", st.Code(), st.Message())
	}
}

// A stream is authenticated when it starts; by default it must end with
// codes.Unauthenticated when its token expires (issue 11, item 9c). This
// uses a real token and the default clock: the token expires at the next
// whole second (exp is in seconds) at least 200 ms away, so the test waits
// 0.2 to 1.2 s. On a machine so loaded that the stream did not start
// before exp, it tries again with exp a second later, up to four times.
func TestStreamEndsWhenTheTokenExpires(t *testing.T) {
	t.Parallel() // waits for a real expiry: overlap it with the other tests
	f := authtest.Get(t)
	a, err := grpcauth.New(f.Verifier, grpcauth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	margin := 200 * time.Millisecond
	for attempt := 1; ; attempt++ {
		w, conn := startWatch(t, a)
		exp := time.Now().Add(margin + time.Second - 1).Truncate(time.Second)
		short := f.PoolA.MustMintTokens(authtest.ClientID, "alice", cognitotest.TokenIssuedAt(exp.Add(-time.Hour)), cognitotest.TokenExpiresAt(exp)).AccessToken

		st, cancel := openStream(t, conn, "Watch", short, false)
		got, err := drain(st)
		cancel()
		if len(got) == 0 && attempt < 4 && status.Code(err) == codes.Unauthenticated && time.Now().After(exp) {
			t.Logf("attempt %d: the token expired before the stream started (%v); trying with exp a second later", attempt, err)
			margin += time.Second
			continue
		}
		if len(got) < 1 || got[0] != "started" {
			t.Fatalf("stream messages = %q (%v); want \"started\" first", got, err)
		}
		wantExpired(t, err)
		if now := time.Now(); now.Before(exp) {
			t.Errorf("stream ended at %v, before the token's exp %v", now, exp)
		}
		w.mu.Lock()
		if len(w.causes) != 1 || !errors.Is(w.causes[0], verifier.ErrExpired) {
			t.Errorf("handler context causes = %v; want one matching verifier.ErrExpired", w.causes)
		}
		w.mu.Unlock()
		return
	}
}

// claimsExp returns the exp of a token, as the verifier reads it.
func claimsExp(t *testing.T, v *verifier.Verifier, tok string) time.Time {
	t.Helper()
	c, err := v.Verify(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	return c.ExpiresAt
}

// With an injected clock: a bidirectional stream whose handler is blocked
// in RecvMsg (and ignores its context) still passes no message after the
// token expires. The stream clock says the token expires 100 ms after the
// stream starts, time enough for one echo; on a machine too loaded for
// that, the test tries again with twice the time, up to 1.6 s.
func TestExpiredStreamPassesNoMessage(t *testing.T) {
	t.Parallel() // waits for a real expiry: overlap it with the other tests
	f := authtest.Get(t)
	exp := claimsExp(t, f.Verifier, f.AliceAccess)
	for left := 100 * time.Millisecond; ; left *= 2 {
		if expiredStreamPassesNoMessage(t, f, exp, left, left < 1600*time.Millisecond) {
			return
		}
		t.Logf("the token expired (after %v) before the echo came back; trying with %v", left, 2*left)
	}
}

// expiredStreamPassesNoMessage runs TestExpiredStreamPassesNoMessage with
// the token expiring left after the stream starts. When the echo before
// the expiry fails and canRetry is set, it returns false (the machine was
// too slow for left); otherwise it checks everything and returns true.
func expiredStreamPassesNoMessage(t *testing.T, f *authtest.Fixture, exp time.Time, left time.Duration, canRetry bool) bool {
	t.Helper()
	var logs syncBuffer
	// The verifier's clock says the token is valid for an hour; the
	// stream clock is skewed so that it expires left after the stream
	// starts.
	var skew atomic.Int64
	a, err := grpcauth.New(f.Verifier, grpcauth.Config{
		Now:    func() time.Time { return time.Now().Add(time.Duration(skew.Load())) },
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	w, conn := startWatch(t, a)
	skew.Store(int64(time.Until(exp) - left))
	st, cancel := openStream(t, conn, "Chat", f.AliceAccess, true)
	defer cancel()
	m := new(wrapperspb.StringValue)
	if err := st.SendMsg(wrapperspb.String("before")); err != nil {
		if canRetry {
			return false
		}
		t.Fatal(err)
	}
	if err := st.RecvMsg(m); err != nil || m.Value != "before" {
		if canRetry && status.Code(err) == codes.Unauthenticated {
			return false
		}
		t.Fatalf("echo before expiry = %q, %v; want \"before\"", m.Value, err)
	}
	select {
	case <-w.ctxDone:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler's context was not cancelled at the token's expiry")
	}
	st.SendMsg(wrapperspb.String("after")) // may fail once the server ended the stream
	_, err = drain(st)
	wantExpired(t, err)
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.received) != 1 || w.received[0] != "before" {
		t.Errorf("the handler received %q; want only \"before\"", w.received)
	}
	if len(w.causes) != 1 || !errors.Is(w.causes[0], verifier.ErrExpired) {
		t.Errorf("handler context causes = %v; want one matching verifier.ErrExpired", w.causes)
	}
	if out := logs.String(); !strings.Contains(out, "reason=expired") || !strings.Contains(out, "grpc.method=/"+watchService+"/Chat") ||
		strings.Contains(out, f.AliceAccess[:20]) {
		t.Errorf("log = %q; want one expired record for Chat, without the token", out)
	}
	return true
}

// A token that the stream clock already sees as expired (the verifier
// accepted it within its leeway) ends the stream before the handler runs,
// unless KeepExpiredStreams is set.
func TestKeepExpiredStreams(t *testing.T) {
	t.Parallel() // waits for stream ticks: overlap it with the other tests
	f := authtest.Get(t)
	exp := claimsExp(t, f.Verifier, f.AliceAccess)
	late := func() time.Time { return exp.Add(time.Second) }
	for _, keep := range []bool{false, true} {
		a, err := grpcauth.New(f.Verifier, grpcauth.Config{Now: late, KeepExpiredStreams: keep})
		if err != nil {
			t.Fatal(err)
		}
		_, conn := startWatch(t, a)
		st, cancel := openStream(t, conn, "Watch", f.AliceAccess, false)
		m := new(wrapperspb.StringValue)
		err = st.RecvMsg(m)
		if keep {
			if err != nil || m.Value != "started" {
				t.Errorf("KeepExpiredStreams: first message %q, %v; want \"started\"", m.Value, err)
			}
			if err := st.RecvMsg(m); err != nil || m.Value != "tick" {
				t.Errorf("KeepExpiredStreams: second message %q, %v; want \"tick\"", m.Value, err)
			}
		} else {
			wantExpired(t, err)
		}
		cancel()
	}
}

// Unary calls and public streams are not affected by stream expiry: a
// public method has no token.
func TestStreamExpiryLeavesPublicStreams(t *testing.T) {
	f := authtest.Get(t)
	a, err := grpcauth.New(f.Verifier, grpcauth.Config{Public: []string{"/" + watchService + "/"},
		Now: func() time.Time { return time.Now().Add(48 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	_, conn := startWatch(t, a)
	st, cancel := openStream(t, conn, "Watch", f.AliceAccess, false)
	defer cancel()
	m := new(wrapperspb.StringValue)
	if err := st.RecvMsg(m); err != nil || m.Value != "started" {
		t.Fatalf("public stream: %q, %v; want \"started\"", m.Value, err)
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
