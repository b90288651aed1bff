package authcore

import (
	"context"
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
		{"Bearer a b", "", false, ErrBadAuthorization},
		{"Bearer a,b", "", false, ErrBadAuthorization},
		{"Bearer a\tb", "", false, ErrBadAuthorization},
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
		{name: "bad bearer", headers: []string{"Bearer a b"}, wantErr: ErrBadAuthorization},
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
			if got != tc.want || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Errorf("Extract = %q, %v; want %q, %v", got, err, tc.want, tc.wantErr)
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
	if c, rej := e.Authenticate(context.Background(), "t", nil); c != nil || rej == nil || rej.Status != 401 {
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
