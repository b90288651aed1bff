package authcore

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/verifier"
)

func TestParseBearer(t *testing.T) {
	tests := []struct {
		in      string
		tok     string
		ok      bool
		wantErr error
	}{
		{"Bearer abc.def.ghi", "abc.def.ghi", true, nil},
		{"bearer abc", "abc", true, nil},
		{"BEARER abc", "abc", true, nil},
		{"Bearer    abc  ", "abc", true, nil},
		{"Bearer", "", false, ErrBadAuthorization},
		{"Bearer   ", "", false, ErrBadAuthorization},
		{"Bearer a b", "a b", true, nil}, // Token.Single's to refuse
		{"Bearer a,b", "a,b", true, nil},
		{"Bearer a\tb", "a\tb", true, nil},
		{"Basic YWxpY2U6cHc=", "", false, nil},
		{"Bearerabc", "", false, nil},
		{"Bear", "", false, nil},
		{"", "", false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			tok, ok, err := ParseBearer(tc.in, "Bearer ")
			if tok != tc.tok || ok != tc.ok || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Errorf("ParseBearer(%q) = %q, %v, %v; want %q, %v, %v", tc.in, tok, ok, err, tc.tok, tc.ok, tc.wantErr)
			}
		})
	}
}

func TestTokenSingle(t *testing.T) {
	custom := &Source{Kind: SourceHeader, Name: "X-Api-Token"}
	tests := []struct {
		tok     Token
		wantErr string // "" for nil
	}{
		{BearerToken("abc.def.ghi"), ""},
		{BearerToken("a b"), "the Bearer credential holds more than one value"},
		{BearerToken("a,b"), "the Bearer credential holds more than one value"},
		{BearerToken("a\tb"), "the Bearer credential holds more than one value"},
		{Token{Value: "a b", header: custom}, "the X-Api-Token header holds more than one value"},
		{Token{Value: "a b"}, ""}, // a cookie, query or custom extractor: not a header value
	}
	for _, tc := range tests {
		err := tc.tok.Single()
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%q from %v: got %v; want nil", tc.tok.Value, tc.tok.header, err)
		case tc.wantErr != "" && (!errors.Is(err, ErrBadAuthorization) || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%q from %v: got %v; want ErrBadAuthorization saying %q", tc.tok.Value, tc.tok.header, err, tc.wantErr)
		}
	}
}

// TestSingleCheckedBeforeCustomVerifiers: a custom verifier never sees a
// header value holding two credentials; the built-in verifier, which
// refuses them itself, is asked first and the answer is the same 400.
func TestSingleCheckedBeforeCustomVerifiers(t *testing.T) {
	called := false
	custom := verifierFunc(func(context.Context, string) (*verifier.Claims, error) {
		called = true
		return &verifier.Claims{Subject: "x"}, nil
	})
	e, err := NewEngine(custom, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c, rej := e.Authenticate(context.Background(), BearerToken("a b"), nil); c != nil || rej == nil || rej.Kind != KindBadRequest || called {
		t.Errorf("custom verifier: got %v, %+v (verifier called: %v); want a 400 without calling it", c, rej, called)
	}
	if _, rej := e.Authenticate(context.Background(), Token{Value: "a b"}, nil); rej != nil || !called {
		t.Errorf("a cookie's value is the verifier's to judge: got %+v (called %v)", rej, called)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwks := fmt.Sprintf(`{"keys":[{"kty":"EC","kid":"k","crv":"P-256","x":%q,"y":%q}]}`,
		base64.RawURLEncoding.EncodeToString(ec.X.FillBytes(make([]byte, 32))), base64.RawURLEncoding.EncodeToString(ec.Y.FillBytes(make([]byte, 32))))
	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: "us-east-1_abc", ClientIDs: []string{"c"},
		TokenUse: verifier.TokenUseAny, JWKS: []byte(jwks)}}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	b, err := NewEngine(v, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !b.builtin {
		t.Fatalf("an engine on *verifier.Verifier does not know it")
	}
	for _, tok := range []string{"a b", "a.b.c, d.e.f", "a\tb"} {
		if _, rej := b.Authenticate(context.Background(), BearerToken(tok), nil); rej == nil || rej.Kind != KindBadRequest || rej.Reason != "bad_authorization" {
			t.Errorf("built-in verifier, %q: got %+v; want 400 bad_authorization", tok, rej)
		}
	}
}

type verifierFunc func(context.Context, string) (*verifier.Claims, error)

func (f verifierFunc) Verify(ctx context.Context, tok string) (*verifier.Claims, error) {
	return f(ctx, tok)
}

func TestParseLookup(t *testing.T) {
	good := []struct {
		spec string
		want []Source
	}{
		{"header:Authorization:Bearer ", []Source{AuthorizationBearer}},
		{"header:authorization:Bearer ,cookie:token", []Source{AuthorizationBearer, {Kind: SourceCookie, Name: "token"}}},
		{"header:X-Api-Token,query:access_token", []Source{{Kind: SourceHeader, Name: "X-Api-Token"}, {Kind: SourceQuery, Name: "access_token"}}},
	}
	for _, tc := range good {
		got, err := ParseLookup(tc.spec)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("ParseLookup(%q) = %v, %v; want %v", tc.spec, got, err, tc.want)
		}
	}
	bad := []string{
		"", " ", "header", "form:token", "param:id", "cookie:", "cookie:a:b", "query:x:y",
		"header:Bad Name:Bearer ", "header:X\x00", "cookie:tok,cookie:tok",
		"header:A:" + strings.Repeat("x", 65),
		strings.Repeat("cookie:a,", 8) + "cookie:z",
	}
	for _, spec := range bad {
		if got, err := ParseLookup(spec); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("ParseLookup(%q) = %v, %v; want ErrInvalidConfig", spec, got, err)
		}
	}
}

func TestExtract(t *testing.T) {
	full, err := ParseLookup("header:Authorization:Bearer ,cookie:tok,query:access_token")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		headers []string
		cookies []string
		query   string
		custom  string
		want    string
		wantErr error
		single  error // Token.Single's error
	}{
		{name: "none", wantErr: ErrNoToken},
		{name: "header", headers: []string{"Bearer h"}, want: "h"},
		{name: "two headers", headers: []string{"Bearer h", "Bearer h"}, wantErr: ErrAmbiguousToken},
		{name: "cookie", cookies: []string{"c"}, want: "c"},
		{name: "header and equal cookie", headers: []string{"Bearer x"}, cookies: []string{"x"}, want: "x"},
		{name: "header and other cookie", headers: []string{"Bearer x"}, cookies: []string{"y"}, wantErr: ErrAmbiguousToken},
		{name: "two cookies", cookies: []string{"a", "b"}, wantErr: ErrAmbiguousToken},
		{name: "query", query: "access_token=q", want: "q"},
		{name: "two queries", query: "access_token=q&access_token=q", wantErr: ErrAmbiguousToken},
		{name: "basic header and cookie", headers: []string{"Basic abc"}, cookies: []string{"c"}, want: "c"},
		{name: "bad bearer", headers: []string{"Bearer a b"}, want: "a b", single: ErrBadAuthorization},
		{name: "bad bearer and equal cookie", headers: []string{"Bearer a,b"}, cookies: []string{"a,b"}, want: "a,b", single: ErrBadAuthorization},
		{name: "cookie and custom", cookies: []string{"a b"}, custom: "a b", want: "a b"},
		{name: "custom", custom: "z", want: "z"},
		{name: "custom disagrees", headers: []string{"Bearer h"}, custom: "z", wantErr: ErrAmbiguousToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/?"+tc.query, nil)
			for _, h := range tc.headers {
				r.Header.Add("Authorization", h)
			}
			for _, c := range tc.cookies {
				r.AddCookie(&http.Cookie{Name: "tok", Value: c})
			}
			l := Lookup{Sources: full, Custom: func(*http.Request) (string, error) { return tc.custom, nil }}
			got, err := l.Extract(r)
			if got.Value != tc.want || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Errorf("Extract = %q, %v; want %q, %v", got.Value, err, tc.want, tc.wantErr)
			}
			if serr := got.Single(); !errors.Is(serr, tc.single) || (tc.single == nil) != (serr == nil) {
				t.Errorf("Single = %v; want %v", serr, tc.single)
			}
		})
	}
}

type fakeVerifier struct {
	claims *verifier.Claims
	err    error
}

func (f fakeVerifier) Verify(context.Context, string) (*verifier.Claims, error) {
	return f.claims, f.err
}

func TestReject(t *testing.T) {
	e, err := NewEngine(fakeVerifier{}, Options{Realm: "r", RetryAfter: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		err       error
		status    int
		kind      Kind
		reason    string
		challenge string
		retry     int
	}{
		{"no token", ErrNoToken, 401, KindMissing, "no_token", `Bearer realm="r"`, 0},
		{"ambiguous", fmt.Errorf("%w: x", ErrAmbiguousToken), 400, KindBadRequest, "ambiguous_token",
			`Bearer realm="r", error="invalid_request", error_description="Send exactly one bearer token."`, 0},
		{"expired", fmt.Errorf("%w: x", verifier.ErrExpired), 401, KindInvalidToken, "expired",
			`Bearer realm="r", error="invalid_token", error_description="The token has expired."`, 0},
		{"unknown error", errors.New("boom"), 401, KindInvalidToken, "other",
			`Bearer realm="r", error="invalid_token", error_description="The token is invalid."`, 0},
		{"keys", fmt.Errorf("%w: down", verifier.ErrKeysUnavailable), 503, KindUnavailable, "keys_unavailable", "", 2},
		{"scope", &verifier.PolicyError{Sentinel: verifier.ErrMissingScope, Missing: []string{"a/b", "bad\"scope", "c"}}, 403, KindForbidden, "missing_scope",
			`Bearer realm="r", error="insufficient_scope", error_description="The token lacks a required scope.", scope="a/b c"`, 0},
		{"check", &verifier.PolicyError{Sentinel: verifier.ErrCheckFailed, Err: errors.New("tenant")}, 403, KindForbidden, "check_failed",
			`Bearer realm="r", error="insufficient_scope", error_description="The token is not allowed to access this resource."`, 0},
		{"check says wrong use", &verifier.PolicyError{Sentinel: verifier.ErrCheckFailed, Err: fmt.Errorf("%w: id", verifier.ErrWrongTokenUse)}, 401, KindInvalidToken, "wrong_token_use",
			`Bearer realm="r", error="invalid_token", error_description="The token is of the wrong type (ID or access token)."`, 0},
		{"check says keys down", &verifier.PolicyError{Sentinel: verifier.ErrCheckFailed, Err: verifier.ErrKeysUnavailable}, 503, KindUnavailable, "keys_unavailable", "", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Reject(tc.err)
			if r.Status != tc.status || r.Kind != tc.kind || r.Reason != tc.reason || r.Challenge != tc.challenge || r.RetryAfter != tc.retry {
				t.Errorf("got %d %d %q %q %d; want %d %d %q %q %d", r.Status, r.Kind, r.Reason, r.Challenge, r.RetryAfter,
					tc.status, tc.kind, tc.reason, tc.challenge, tc.retry)
			}
			if !errors.Is(r, tc.err) {
				t.Errorf("rejection does not unwrap to %v", tc.err)
			}
		})
	}
}

func TestNewEngineErrors(t *testing.T) {
	tests := []struct {
		name string
		v    TokenVerifier
		opts Options
	}{
		{"nil verifier", nil, Options{}},
		{"quote in realm", fakeVerifier{}, Options{Realm: `a"b`}},
		{"newline in realm", fakeVerifier{}, Options{Realm: "a\nb"}},
		{"negative retry", fakeVerifier{}, Options{RetryAfter: -time.Second}},
		{"huge retry", fakeVerifier{}, Options{RetryAfter: 48 * time.Hour}},
		{"empty group", fakeVerifier{}, Options{Policy: verifier.Policy{AnyGroups: []string{""}}}},
		{"scope with space", fakeVerifier{}, Options{Policy: verifier.Policy{AllScopes: []string{"a b"}}}},
	}
	for _, tc := range tests {
		if _, err := NewEngine(tc.v, tc.opts); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: err = %v; want ErrInvalidConfig", tc.name, err)
		}
	}
}

func TestAuthenticateNilClaims(t *testing.T) {
	e, err := NewEngine(fakeVerifier{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c, rej := e.Authenticate(context.Background(), Token{Value: "t"}, nil); c != nil || rej == nil || rej.Status != 401 {
		t.Errorf("Authenticate with a verifier returning nil, nil = %v, %v; want a 401", c, rej)
	}
}

func TestDecodeAsOnce(t *testing.T) {
	e, err := NewEngine(fakeVerifier{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_ = e
	if _, err := DecodeAs[struct{}](nil); !errors.Is(err, ErrNoClaims) {
		t.Errorf("DecodeAs(nil) err = %v; want ErrNoClaims", err)
	}
	if _, err := DecodeAs[struct{}](&State{}); !errors.Is(err, ErrNoClaims) {
		t.Errorf("DecodeAs(no claims) err = %v; want ErrNoClaims", err)
	}
}

func TestStateConcurrentDecode(t *testing.T) {
	// Claims with a payload can only come from a verifier; the transport
	// tests cover decoding. Here: concurrent DecodeAs on one state returns
	// one pointer.
	st := &State{Claims: claimsWithPayload(t)}
	type tenant struct {
		Tenant string `json:"custom:tenant"`
	}
	var wg sync.WaitGroup
	ptrs := make([]*tenant, 8)
	for i := range ptrs {
		wg.Go(func() {
			p, err := DecodeAs[tenant](st)
			if err != nil {
				t.Error(err)
			}
			ptrs[i] = p
		})
	}
	wg.Wait()
	for _, p := range ptrs {
		if p != ptrs[0] {
			t.Fatalf("DecodeAs returned different pointers %p and %p", p, ptrs[0])
		}
	}
	if ptrs[0].Tenant != "acme" {
		t.Errorf("tenant = %q; want acme", ptrs[0].Tenant)
	}
}

func TestIsPreflight(t *testing.T) {
	tests := []struct {
		method string
		hdr    map[string]string
		want   bool
	}{
		{"OPTIONS", map[string]string{"Access-Control-Request-Method": "DELETE"}, true},
		{"OPTIONS", map[string]string{"access-control-request-method": "GET"}, true},
		{"OPTIONS", map[string]string{"Access-Control-Request-Method": ""}, true}, // present, even empty
		{"OPTIONS", map[string]string{"Origin": "https://a.example"}, false},
		{"OPTIONS", nil, false},
		{"GET", map[string]string{"Access-Control-Request-Method": "GET"}, false},
		{"options", map[string]string{"Access-Control-Request-Method": "GET"}, false}, // methods are case-sensitive
	}
	for _, tc := range tests {
		r := httptest.NewRequest(tc.method, "/", nil)
		for k, v := range tc.hdr {
			r.Header.Set(k, v)
		}
		if got := IsPreflight(r); got != tc.want {
			t.Errorf("IsPreflight(%s %v) = %v; want %v", tc.method, tc.hdr, got, tc.want)
		}
	}
}
