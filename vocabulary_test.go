package cognitokit_test

import (
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/adapters/echoauth"
	"github.com/cognitokit/cognitokit/adapters/grpcauth"
	"github.com/cognitokit/cognitokit/adapters/lambdaauth"
	"github.com/cognitokit/cognitokit/adapters/otelcognito"
	"github.com/cognitokit/cognitokit/adapters/redisstore"
	"github.com/cognitokit/cognitokit/cognitotest/oidcprovider"
	"github.com/cognitokit/cognitokit/identitypool"
	"github.com/cognitokit/cognitokit/middleware"
	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/oauth/weblogin"
	"github.com/cognitokit/cognitokit/srpclient"
	"github.com/cognitokit/cognitokit/verifier"
	"github.com/cognitokit/cognitokit/verifier/alb"
	"github.com/cognitokit/cognitokit/verifier/revocation"
	"github.com/cognitokit/cognitokit/verifier/revocation/online"
)

// TestTokensShape: oauth.Tokens and srpclient.Tokens share their common
// fields (same names, same types) and methods, and each keeps only the
// fields its documentation names as its own. A field added to one package
// fails here until it is added to the other or listed as its own.
func TestTokensShape(t *testing.T) {
	shared := []string{"AccessToken", "IDToken", "RefreshToken", "TokenType", "Expiry", "Rotated"}
	own := map[reflect.Type][]string{
		reflect.TypeFor[oauth.Tokens]():     {"IDClaims"},
		reflect.TypeFor[srpclient.Tokens](): {"Username", "DeviceKey", "NewDevice"},
	}
	o, s := reflect.TypeFor[oauth.Tokens](), reflect.TypeFor[srpclient.Tokens]()
	for _, name := range shared {
		of, ok1 := o.FieldByName(name)
		sf, ok2 := s.FieldByName(name)
		if !ok1 || !ok2 || of.Type != sf.Type {
			t.Errorf("field %s: oauth %v %v, srpclient %v %v; want both, of one type", name, ok1, of.Type, ok2, sf.Type)
		}
	}
	for typ, mine := range own {
		for i := range typ.NumField() {
			if f := typ.Field(i); f.IsExported() && !slices.Contains(shared, f.Name) && !slices.Contains(mine, f.Name) {
				t.Errorf("%v.%s: neither shared nor documented as the package's own", typ, f.Name)
			}
		}
	}
	for _, m := range []string{"Valid", "OAuth2Token"} {
		om, ok1 := reflect.PointerTo(o).MethodByName(m)
		sm, ok2 := reflect.PointerTo(s).MethodByName(m)
		// Compare the signatures without the receiver.
		if !ok1 || !ok2 || om.Type.NumIn() != sm.Type.NumIn() || om.Type.NumOut() != sm.Type.NumOut() ||
			(om.Type.NumIn() > 1 && om.Type.In(1) != sm.Type.In(1)) || om.Type.Out(0) != sm.Type.Out(0) {
			t.Errorf("method %s: oauth %v, srpclient %v; want one signature", m, om.Type, sm.Type)
		}
	}

	// The shared methods read the shared fields the same way.
	now := time.Unix(1_700_000_000, 0)
	exp := now.Add(time.Hour)
	ot := &oauth.Tokens{AccessToken: "a", IDToken: "i", RefreshToken: "r", TokenType: "Bearer", Expiry: exp}
	st := &srpclient.Tokens{AccessToken: "a", IDToken: "i", RefreshToken: "r", TokenType: "Bearer", Expiry: exp}
	for _, at := range []time.Time{now, exp, exp.Add(time.Second)} {
		if ot.Valid(at) != st.Valid(at) || ot.Valid(at) != at.Before(exp) {
			t.Errorf("Valid(%v): oauth %v, srpclient %v; want %v", at, ot.Valid(at), st.Valid(at), at.Before(exp))
		}
	}
	if (*oauth.Tokens)(nil).Valid(now) || (*srpclient.Tokens)(nil).Valid(now) {
		t.Error("Valid of nil Tokens: got true; want false")
	}
	a, b := ot.OAuth2Token(), st.OAuth2Token()
	if a.AccessToken != b.AccessToken || a.RefreshToken != b.RefreshToken || a.TokenType != b.TokenType ||
		!a.Expiry.Equal(b.Expiry) || a.Extra("id_token") != "i" || b.Extra("id_token") != "i" {
		t.Errorf("OAuth2Token: oauth %+v, srpclient %+v; want the same token with id_token i", a, b)
	}
}

// TestRevokeShape: both clients revoke a refresh token with one name and
// one signature.
func TestRevokeShape(t *testing.T) {
	om, ok1 := reflect.TypeFor[*oauth.Client]().MethodByName("Revoke")
	sm, ok2 := reflect.TypeFor[*srpclient.Client]().MethodByName("Revoke")
	if !ok1 || !ok2 || om.Type.NumIn() != sm.Type.NumIn() {
		t.Fatalf("Revoke: oauth %v, srpclient %v", om.Type, sm.Type)
	}
	for i := 1; i < om.Type.NumIn(); i++ {
		if om.Type.In(i) != sm.Type.In(i) {
			t.Errorf("Revoke argument %d: oauth %v, srpclient %v", i, om.Type.In(i), sm.Type.In(i))
		}
	}
}

// TestMaxTokenSize: package oauth accepts tokens up to the verifier's
// default size, under the same name.
func TestMaxTokenSize(t *testing.T) {
	if oauth.MaxTokenSize != verifier.DefaultMaxTokenSize {
		t.Errorf("oauth.MaxTokenSize %d; want verifier.DefaultMaxTokenSize %d", oauth.MaxTokenSize, verifier.DefaultMaxTokenSize)
	}
}

// TestConfigVocabulary: a setting has one name and one type in every
// Config, and the settings every token or credentials cache has are there.
func TestConfigVocabulary(t *testing.T) {
	configs := []reflect.Type{
		reflect.TypeFor[verifier.Config](), reflect.TypeFor[verifier.Pool](), reflect.TypeFor[alb.Config](),
		reflect.TypeFor[lambdaauth.Config](),
		reflect.TypeFor[middleware.Config](), reflect.TypeFor[echoauth.Config](), reflect.TypeFor[grpcauth.Config](),
		reflect.TypeFor[oauth.Config](), reflect.TypeFor[weblogin.Config](),
		reflect.TypeFor[weblogin.CookieStoreConfig](), reflect.TypeFor[weblogin.MemoryStoreConfig](),
		reflect.TypeFor[srpclient.Config](), reflect.TypeFor[srpclient.TokenSourceConfig](),
		reflect.TypeFor[identitypool.Config](), reflect.TypeFor[identitypool.DeveloperConfig](),
		reflect.TypeFor[revocation.Config](), reflect.TypeFor[online.Config](),
		reflect.TypeFor[redisstore.SessionStoreConfig](), reflect.TypeFor[redisstore.RevocationSyncConfig](),
		reflect.TypeFor[otelcognito.Config](), reflect.TypeFor[oidcprovider.Config](),
	}
	types := map[string]reflect.Type{
		"Now":          reflect.TypeFor[func() time.Time](),
		"HTTPClient":   reflect.TypeFor[*http.Client](),
		"Logger":       reflect.TypeFor[*slog.Logger](),
		"EarlyExpiry":  reflect.TypeFor[time.Duration](),
		"MaxTokenSize": reflect.TypeFor[int](),
	}
	for _, c := range configs {
		for i := range c.NumField() {
			f := c.Field(i)
			if want, ok := types[f.Name]; ok && f.Type != want {
				t.Errorf("%v.%s is %v; want %v", c, f.Name, f.Type, want)
			}
		}
	}
	for _, c := range []reflect.Type{
		reflect.TypeFor[oauth.Config](), reflect.TypeFor[srpclient.TokenSourceConfig](),
		reflect.TypeFor[weblogin.Config](), reflect.TypeFor[identitypool.Config](),
	} {
		if _, ok := c.FieldByName("EarlyExpiry"); !ok {
			t.Errorf("%v has no EarlyExpiry", c)
		}
	}
	// The two token sources have the same methods.
	for _, m := range []string{"Token", "TokenContext", "Invalidate"} {
		om, ok1 := reflect.TypeFor[*oauth.TokenSource]().MethodByName(m)
		sm, ok2 := reflect.TypeFor[*srpclient.TokenSource]().MethodByName(m)
		if !ok1 || !ok2 || om.Type.NumIn() != sm.Type.NumIn() || om.Type.NumOut() != sm.Type.NumOut() {
			t.Errorf("TokenSource.%s: oauth %v, srpclient %v; want one signature", m, om.Type, sm.Type)
		}
	}
}
