package grpcauth_test

import (
	"context"
	"net"
	"slices"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
	"github.com/cognitokit/cognitokit/middleware/auth"
)

func grpcCode(k auth.Kind) codes.Code {
	switch k {
	case 0:
		return codes.OK
	case auth.KindForbidden:
		return codes.PermissionDenied
	case auth.KindUnavailable:
		return codes.Unavailable
	}
	return codes.Unauthenticated
}

func TestSharedTable(t *testing.T) {
	f := authtest.Get(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conn := newGRPC(t, f, lis)
	for _, c := range f.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			before := f.Hits.Load()
			got, err := call(ctx, conn, c.Route, c.AuthHeaders())
			hits := f.Hits.Load() - before
			st := status.Convert(err)
			if want := grpcCode(c.Want.Kind); st.Code() != want {
				t.Fatalf("code = %v (%q); want %v", st.Code(), st.Message(), want)
			}
			if wantHits := map[bool]int64{true: 1, false: 0}[c.Want.Handler]; hits != wantHits {
				t.Errorf("handler ran %d times; want %d", hits, wantHits)
			}
			switch {
			case c.Want.Kind == auth.KindUnavailable:
				var delay time.Duration
				for _, d := range st.Details() {
					if ri, ok := d.(*errdetails.RetryInfo); ok {
						delay = ri.RetryDelay.AsDuration()
					}
				}
				if delay != 10*time.Second {
					t.Errorf("RetryInfo delay = %v; want 10s", delay)
				}
			case c.Want.Kind == auth.KindForbidden && c.Route == authtest.RouteOrders:
				if want := "The token lacks a required scope. Needed scope: orders/read."; st.Message() != want {
					t.Errorf("message = %q; want %q", st.Message(), want)
				}
			case c.Want.Kind == 0 && c.Route == authtest.RouteStream:
				want := []string{"chunk 0 for sub-alice", "chunk 1 for sub-alice", "chunk 2 for sub-alice"}
				if !slices.Equal(got, want) {
					t.Errorf("stream = %q; want %q", got, want)
				}
			case c.Want.Kind == 0 && c.Route == authtest.RoutePublic:
				if !slices.Equal(got, []string{"SERVING"}) {
					t.Errorf("health = %q; want SERVING", got)
				}
			case c.Want.Kind == 0:
				if len(got) != 1 || got[0] == "anonymous" || got[0] == "" {
					t.Errorf("handler saw subject %q; want the token's", got)
				}
			}
		})
	}
}
