package packagetests_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/cognitokit/cognitokit/cognitotest/internal/upstream"
)

// answer is what the fuzzed provider answers next.
type answer struct {
	mu          sync.Mutex
	status      int
	contentType string
	body        []byte
}

func (a *answer) set(status int, ct string, body []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.status, a.contentType, a.body = status, ct, body
}

func (a *answer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	w.Header().Set("Content-Type", a.contentType)
	w.WriteHeader(a.status)
	w.Write(a.body)
}

// FuzzProviderAnswers: whatever a provider's token, userinfo or discovery
// endpoint answers (status, content type, body), the client returns a
// result that holds what it promises or an error of the package's kinds,
// and never panics.
func FuzzProviderAnswers(f *testing.F) {
	f.Add(200, "application/json", []byte(`{"access_token":"a","token_type":"Bearer","id_token":"x.y.z"}`))
	f.Add(200, "application/json; charset=utf-8", []byte(`{"sub":"1","email":"a@example.com","email_verified":true,"n":1.5,"o":{"a":[1]}}`))
	f.Add(400, "application/json", []byte(`{"error":"invalid_grant","error_description":"bad code"}`))
	f.Add(200, "application/jwt", []byte(`x.y.z`))
	f.Add(200, "application/json", []byte(`null`))
	f.Add(200, "application/json", []byte(`{"issuer":"ISSUER","authorization_endpoint":"https://a.example/a","token_endpoint":"https://a.example/t","jwks_uri":"http://127.0.0.1/k"}`))
	f.Add(500, "text/html", []byte(`<html>`))
	a := &answer{}
	srv := httptest.NewServer(a)
	f.Cleanup(srv.Close)
	c := upstream.New(time.Now)
	ctx := context.Background()
	kind := func(t *testing.T, err error) {
		t.Helper()
		var pe *upstream.Error
		if !errors.Is(err, upstream.ErrUnavailable) && !errors.As(err, &pe) {
			t.Fatalf("error of no kind: %v", err)
		}
		if pe != nil && (len(pe.Code) > 64+3 || len(pe.Description) > 256+3 || !errors.Is(err, upstream.ErrProvider)) {
			t.Fatalf("provider error: %#v", pe)
		}
	}
	f.Fuzz(func(t *testing.T, status int, ct string, body []byte) {
		if status < 200 || status > 599 || status == http.StatusSwitchingProtocols || len(ct) > 200 {
			return
		}
		a.set(status, ct, body)
		if tok, err := c.Exchange(ctx, srv.URL+"/token", url.Values{"code": {"c"}}); err != nil {
			kind(t, err)
		} else if tok.AccessToken == "" && tok.IDToken == "" {
			t.Fatalf("Exchange returned no token: %+v", tok)
		}
		if info, err := c.UserInfo(ctx, srv.URL+"/userinfo", http.MethodGet, "at"); err != nil {
			kind(t, err)
		} else if info == nil {
			t.Fatal("UserInfo returned nil claims")
		}
		// The discovery document of the server's issuer.
		a.set(status, ct, []byte(replaceIssuer(string(body), srv.URL)))
		if d, err := c.Discover(ctx, srv.URL); err != nil {
			if !errors.Is(err, upstream.ErrUnavailable) && !errors.Is(err, upstream.ErrInvalidURL) && !errors.Is(err, upstream.ErrProvider) {
				t.Fatalf("Discover: error of no kind: %v", err)
			}
		} else {
			for _, u := range []string{d.AuthorizationEndpoint, d.TokenEndpoint, d.JWKSURI} {
				if upstream.CheckURL(u) != nil {
					t.Fatalf("Discover accepted the endpoint %q", u)
				}
			}
		}
	})
}

func replaceIssuer(s, issuer string) string {
	b, _ := json.Marshal(issuer)
	out := []byte{}
	for i := 0; i < len(s); {
		if i+8 <= len(s) && s[i:i+8] == `"ISSUER"` {
			out = append(out, b...)
			i += 8
			continue
		}
		out = append(out, s[i])
		i++
	}
	return string(out)
}

// FuzzIDTokenClaims: an ID token signed with the provider's key whose
// payload is anything passes VerifyIDToken only with a JSON object that
// has the issuer, the audience, a future exp, the nonce and a sub; an
// unsigned or foreign raw token never passes.
func FuzzIDTokenClaims(f *testing.F) {
	now := time.Date(2026, 3, 5, 14, 0, 0, 0, time.UTC)
	good := `{"iss":"https://idp.example","aud":"client","exp":` + strconv.FormatInt(now.Add(time.Hour).Unix(), 10) + `,"nonce":"n","sub":"1"}`
	f.Add([]byte(good), "")
	f.Add([]byte(`{"iss":"https://idp.example/","aud":["x","client"],"exp":1e12,"nonce":"n","sub":"1","nbf":1e11,"iat":0}`), "")
	f.Add([]byte(`{"aud":"client","exp":"soon","nonce":"n","sub":""}`), "")
	f.Add([]byte(`[]`), "eyJhbGciOiJub25lIn0.e30.")
	f.Add([]byte(`null`), "a.b.c")
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	priv, err := jwk.Import(key)
	if err != nil {
		f.Fatal(err)
	}
	priv.Set(jwk.KeyIDKey, "k1")
	priv.Set(jwk.AlgorithmKey, jwa.ES256())
	pub, err := priv.PublicKey()
	if err != nil {
		f.Fatal(err)
	}
	set := jwk.NewSet()
	set.AddKey(pub)
	jwks, err := json.Marshal(set)
	if err != nil {
		f.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(jwks)
	}))
	f.Cleanup(srv.Close)
	c := upstream.New(func() time.Time { return now })
	chk := upstream.IDTokenCheck{JWKSURI: srv.URL, Issuer: "https://idp.example", Audience: "client", Nonce: "n"}
	// The target is not vacuous: a good token verifies.
	signed, err := jws.Sign([]byte(good), jws.WithKey(jwa.ES256(), priv))
	if err != nil {
		f.Fatal(err)
	}
	if _, err := c.VerifyIDToken(context.Background(), string(signed), chk); err != nil {
		f.Fatalf("a good token: %v", err)
	}
	f.Fuzz(func(t *testing.T, payload []byte, raw string) {
		if raw != "" {
			if _, err := c.VerifyIDToken(context.Background(), raw, chk); err == nil {
				t.Fatalf("an unsigned token %q verified", raw)
			}
			return
		}
		signed, err := jws.Sign(payload, jws.WithKey(jwa.ES256(), priv))
		if err != nil {
			return
		}
		claims, err := c.VerifyIDToken(context.Background(), string(signed), chk)
		if err != nil {
			if !errors.Is(err, upstream.ErrInvalidToken) {
				t.Fatalf("error of another kind: %v", err)
			}
			return
		}
		exp, _ := claims["exp"].(float64)
		sub, _ := claims["sub"].(string)
		if sub == "" || claims["nonce"] != "n" || !upstream.HasAudience(claims["aud"], "client") || !now.Before(time.Unix(int64(exp), 0).Add(upstream.Leeway)) {
			t.Fatalf("verified claims %v", claims)
		}
	})
}
