package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/cognitokit/cognitokit/adapters/grpcauth"
	"github.com/cognitokit/cognitokit/examples/internal/stage"
	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/srpclient"
)

// client is a connection to the Orders service that sends the tokens of
// one caller.
type client struct {
	name string
	conn *grpc.ClientConn
}

// dial connects over TLS, trusting roots. With a token source, every call
// carries "authorization: Bearer <access token>", refreshed by the source.
func dial(addr string, roots *x509.CertPool, name string, ts oauth2.TokenSource) (*client, error) {
	opts := []grpc.DialOption{grpc.WithTransportCredentials(credentials.NewClientTLSFromCert(roots, ""))}
	if ts != nil {
		opts = append(opts, grpc.WithPerRPCCredentials(grpcauth.TokenCredentials{Source: ts}))
	}
	conn, err := grpc.NewClient(addr, opts...)
	if err != nil {
		return nil, err
	}
	return &client{name: name, conn: conn}, nil
}

func (c *client) get(ctx context.Context, method, id string) (string, error) {
	out := new(wrapperspb.StringValue)
	err := c.conn.Invoke(ctx, "/"+serviceName+"/"+method, wrapperspb.String(id), out)
	return out.Value, err
}

func (c *client) watch(ctx context.Context) ([]string, error) {
	st, err := c.conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, "/"+serviceName+"/Watch")
	if err != nil {
		return nil, err
	}
	if err := st.SendMsg(&emptypb.Empty{}); err != nil {
		return nil, err
	}
	if err := st.CloseSend(); err != nil {
		return nil, err
	}
	var events []string
	for {
		m := new(wrapperspb.StringValue)
		if err := st.RecvMsg(m); err == io.EOF {
			return events, nil
		} else if err != nil {
			return events, err
		}
		events = append(events, m.Value)
	}
}

// userSource signs a user in over SRP and returns srpclient's TokenSource,
// which refreshes the access token before it expires.
func userSource(ctx context.Context, st *stage.Stage, username string) (oauth2.TokenSource, error) {
	c, err := st.SRPClient()
	if err != nil {
		return nil, err
	}
	tokens, err := st.SignIn(ctx, username)
	if err != nil {
		return nil, fmt.Errorf("sign-in of %s: %w", username, err)
	}
	return c.NewTokenSource(tokens, srpclient.TokenSourceConfig{})
}

// selfCheckRun calls every method as anonymous, bob, alice and a machine
// client and checks each answer.
func selfCheckRun(ctx context.Context, st *stage.Stage, addr string, roots *x509.CertPool, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	expect := func(who, what string, got string, err error, want codes.Code, contains string) error {
		code := status.Code(err)
		fmt.Fprintf(out, "%-10s %-22s -> %-16s %s\n", who, what, code, got)
		if code != want {
			return fmt.Errorf("%s as %s: got %v (%v); want %v", what, who, code, err, want)
		}
		if !strings.Contains(got, contains) {
			return fmt.Errorf("%s as %s: got %q; want it to contain %q", what, who, got, contains)
		}
		return nil
	}

	anon, err := dial(addr, roots, "anonymous", nil)
	if err != nil {
		return err
	}
	defer anon.conn.Close()
	h, err := grpc_health_v1.NewHealthClient(anon.conn).Check(ctx, &grpc_health_v1.HealthCheckRequest{Service: serviceName})
	if err := expect("anonymous", "Health/Check", h.GetStatus().String(), err, codes.OK, "SERVING"); err != nil {
		return err
	}
	got, err := anon.get(ctx, "Get", "o-1")
	if err := expect("anonymous", "Orders/Get", got, err, codes.Unauthenticated, ""); err != nil {
		return err
	}

	users := []string{"bob", "alice"}
	if st.Emu == nil {
		users = nil
		for u := range st.Users {
			users = append(users, u)
		}
	}
	for _, u := range users {
		ts, err := userSource(ctx, st, u)
		if err != nil {
			return err
		}
		c, err := dial(addr, roots, u, ts)
		if err != nil {
			return err
		}
		defer c.conn.Close()
		got, err := c.get(ctx, "Get", "o-1")
		if err := expect(u, "Orders/Get", got, err, codes.OK, "read by "+u); err != nil {
			return err
		}
		events, err := c.watch(ctx)
		if err := expect(u, "Orders/Watch (stream)", strings.Join(events, "; "), err, codes.OK, "event 3 for "+u); err != nil {
			return err
		}
		if st.Emu == nil {
			continue // the groups of a real user are unknown
		}
		want, contains := codes.PermissionDenied, ""
		if u == "alice" {
			want, contains = codes.OK, "cancelled by alice"
		}
		got, err = c.get(ctx, "Cancel", "o-1")
		if err := expect(u, "Orders/Cancel (admin)", got, err, want, contains); err != nil {
			return err
		}
	}

	if st.M2MID != "" {
		oc, err := oauth.New(oauth.Config{Domain: st.Domain, ClientID: st.M2MID, ClientSecret: st.M2MSecret, UserPoolID: st.PoolID, Issuer: st.Issuer})
		if err != nil {
			return err
		}
		defer oc.Close()
		ts, err := oc.ClientCredentials()
		if err != nil {
			return err
		}
		c, err := dial(addr, roots, "machine", ts)
		if err != nil {
			return err
		}
		defer c.conn.Close()
		got, err := c.get(ctx, "Get", "o-2")
		if err := expect("machine", "Orders/Get", got, err, codes.OK, "read by machine "+st.M2MID); err != nil {
			return err
		}
		got, err = c.get(ctx, "Cancel", "o-2")
		if err := expect("machine", "Orders/Cancel (admin)", got, err, codes.PermissionDenied, ""); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return errors.New("self-check timed out")
	}
	return nil
}
