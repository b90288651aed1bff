package grpcauth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	"github.com/cognitokit/cognitokit/adapters/grpcauth"
	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
)

// The requirement helpers build the policies of Config.Methods under the
// names of the HTTP transports, with the same verdicts.
func TestRequirementHelpers(t *testing.T) {
	f := authtest.Get(t)
	errMachine := errors.New("machines only")
	admins := grpcauth.RequireTokenUse(verifier.TokenUseAccess)
	admins.AnyGroups = []string{"admin"}
	a, err := grpcauth.New(f.Verifier, grpcauth.Config{Methods: map[string]verifier.Policy{
		"/svc.A/AnyGroup":   grpcauth.RequireAnyGroup("admin", "ops"),
		"/svc.A/AllGroups":  grpcauth.RequireAllGroups("admin", "ops"),
		"/svc.A/AnyScope":   grpcauth.RequireAnyScope("orders/read", "orders/write"),
		"/svc.A/AllScopes":  grpcauth.RequireAllScopes("openid", "orders/read"),
		"/svc.A/Access":     grpcauth.RequireTokenUse(verifier.TokenUseAccess),
		"/svc.A/ID":         grpcauth.RequireTokenUse(verifier.TokenUseID),
		"/svc.A/AccessAdmn": admins,
		"/svc.A/Func": grpcauth.RequireFunc(func(_ context.Context, c *verifier.Claims) error {
			if !c.IsMachine() {
				return errMachine
			}
			return nil
		}),
	}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, tok string
		want        codes.Code
	}{
		{"/svc.A/AnyGroup", f.AliceAccess, codes.OK},
		{"/svc.A/AnyGroup", f.BobAccess, codes.PermissionDenied},
		{"/svc.A/AllGroups", f.AliceAccess, codes.PermissionDenied}, // admin only, not ops
		{"/svc.A/AnyScope", f.M2M, codes.OK},
		{"/svc.A/AnyScope", f.BobAccess, codes.PermissionDenied},
		{"/svc.A/AllScopes", f.AliceAccess, codes.OK},
		{"/svc.A/AllScopes", f.M2M, codes.PermissionDenied},
		{"/svc.A/Access", f.AliceAccess, codes.OK},
		{"/svc.A/Access", f.AliceID, codes.Unauthenticated},
		{"/svc.A/ID", f.AliceID, codes.OK},
		{"/svc.A/ID", f.AliceAccess, codes.Unauthenticated},
		{"/svc.A/AccessAdmn", f.AliceAccess, codes.OK},
		{"/svc.A/AccessAdmn", f.BobAccess, codes.PermissionDenied},
		{"/svc.A/AccessAdmn", f.AliceID, codes.Unauthenticated},
		{"/svc.A/Func", f.M2M, codes.OK},
		{"/svc.A/Func", f.AliceAccess, codes.PermissionDenied},
	}
	for _, tc := range tests {
		_, err := a.Authenticate(withToken(tc.tok), tc.method)
		if got := status.Code(err); got != tc.want {
			t.Errorf("%s: code %v (%v); want %v", tc.method, got, err, tc.want)
		}
	}
	for name, fn := range map[string]func(){
		"empty group":   func() { grpcauth.RequireAnyGroup("") },
		"no groups":     func() { grpcauth.RequireAllGroups() },
		"scope w/space": func() { grpcauth.RequireAnyScope("a b") },
		"no scopes":     func() { grpcauth.RequireAllScopes() },
		"token use any": func() { grpcauth.RequireTokenUse(verifier.TokenUseAny) },
		"nil func":      func() { grpcauth.RequireFunc(nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			fn()
		}()
	}
}

// A nil context is an error wrapping auth.ErrInvalidInput with
// codes.Internal, never a panic.
func TestNilContext(t *testing.T) {
	f := authtest.Get(t)
	a, err := grpcauth.New(f.Verifier, grpcauth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	static := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"})
	for name, call := range map[string]func() error{
		"Authenticate": func() error {
			//lint:ignore SA1012 a nil context is the input under test
			_, err := a.Authenticate(nil, "/svc.A/M")
			return err
		},
		"AuthFunc": func() error {
			//lint:ignore SA1012 a nil context is the input under test
			_, err := a.AuthFunc(nil)
			return err
		},
		"GetRequestMetadata": func() error {
			//lint:ignore SA1012 a nil context is the input under test
			_, err := grpcauth.TokenCredentials{Source: static}.GetRequestMetadata(nil)
			return err
		},
		"ClaimsAs": func() error {
			//lint:ignore SA1012 a nil context is the input under test
			_, err := grpcauth.ClaimsAs[struct{}](nil)
			return err
		},
	} {
		err := call()
		if !errors.Is(err, auth.ErrInvalidInput) {
			t.Errorf("%s(nil): %v; want auth.ErrInvalidInput", name, err)
		}
		if name != "ClaimsAs" && status.Code(err) != codes.Internal {
			t.Errorf("%s(nil): code %v; want Internal", name, status.Code(err))
		}
	}
	//lint:ignore SA1012 a nil context is the input under test
	if c, ok := grpcauth.ClaimsFromContext(nil); ok || c != nil {
		t.Errorf("ClaimsFromContext(nil) = %v, %v; want nil, false", c, ok)
	}
}

// ctxSource records the context TokenCredentials asks it with.
type ctxSource struct{ got context.Context }

func (s *ctxSource) Token() (*oauth2.Token, error) {
	return nil, errors.New("Token called; want TokenContext")
}

func (s *ctxSource) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	s.got = ctx
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &oauth2.Token{AccessToken: "tok", Expiry: time.Now().Add(time.Hour)}, nil
}

// A source with TokenContext (srpclient's, oauth's) is asked with the
// call's context, so a cancelled call stops waiting for a refresh.
func TestTokenCredentialsUseTokenContext(t *testing.T) {
	type key struct{}
	secure := credentials.RequestInfo{AuthInfo: credentials.TLSInfo{CommonAuthInfo: credentials.CommonAuthInfo{SecurityLevel: credentials.PrivacyAndIntegrity}}}
	ctx := context.WithValue(credentials.NewContextWithRequestInfo(context.Background(), secure), key{}, "call")
	src := &ctxSource{}
	md, err := grpcauth.TokenCredentials{Source: src}.GetRequestMetadata(ctx)
	if err != nil || md["authorization"] != "Bearer tok" {
		t.Fatalf("got %v, %v; want the bearer token", md, err)
	}
	if src.got == nil || src.got.Value(key{}) != "call" {
		t.Error("TokenContext did not get the call's context")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = grpcauth.TokenCredentials{Source: src}.GetRequestMetadata(cancelled)
	if !errors.Is(err, context.Canceled) || status.Code(err) != codes.Unavailable {
		t.Errorf("cancelled call: %v (code %v); want context.Canceled, Unavailable", err, status.Code(err))
	}
}

// The names of before v1 are the same values and types.
func TestDeprecatedNames(t *testing.T) {
	f := authtest.Get(t)
	for _, e := range []struct{ old, new error }{
		{grpcauth.ErrNoToken, auth.ErrNoToken},
		{grpcauth.ErrAmbiguousToken, auth.ErrAmbiguousToken},
		{grpcauth.ErrBadAuthorization, auth.ErrBadAuthorization},
		{grpcauth.ErrNoClaims, auth.ErrNoClaims},
	} {
		if e.old != e.new {
			t.Errorf("%v is not %v", e.old, e.new)
		}
	}
	var old grpcauth.TokenVerifier = f.Verifier
	if _, err := grpcauth.New(old, grpcauth.Config{}); err != nil {
		t.Error(err)
	}
}
