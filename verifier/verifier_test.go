package verifier

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"
)

// with returns a copy of base with the given members set; a nil value
// deletes the member.
func with(base map[string]any, kv ...any) map[string]any {
	m := maps.Clone(base)
	for i := 0; i < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(m, k)
		} else {
			m[k] = kv[i+1]
		}
	}
	return m
}

// tokenCase is one row of the token table.
type tokenCase struct {
	name   string
	use    TokenUse // pool token use; default TokenUseAccess
	leeway time.Duration
	policy Policy
	token  func(t testing.TB) string
	want   error // sentinel; nil means the token is accepted
	check  func(t *testing.T, c *Claims)
}

func hdr(kv ...any) []byte {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return marshal(m)
}

func tokenCases() []tokenCase {
	at := func(offset time.Duration) int64 { return testEpoch.Add(offset).Unix() }
	return []tokenCase{
		{name: "valid access token", token: func(t testing.TB) string { return mint(t, keyA, accessClaims()) },
			check: func(t *testing.T, c *Claims) {
				got := fmt.Sprintf("%s|%s|%s|%s|%v|%v|%s|%s|%s|%s|%s|%s", c.Subject, c.Username, c.ClientID, c.TokenUse,
					c.Groups, c.Scopes, c.JTI, c.OriginJTI, c.EventID, c.DeviceKey, c.UserPoolID, c.KeyID)
				want := "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111|alice|" + testClientID + "|access|[admin ops]|" +
					"[openid profile email aws.cognito.signin.user.admin]|9f8e7d6c-3333-4b5a-a1b2-EXAMPLEjti01|" +
					"4d7c5a4e-1111-4d6c-9b1a-EXAMPLEorig|e1d2c3b4-2222-4c5d-8e9f-EXAMPLEevnt|us-east-1_device-1111|" +
					testPoolID + "|" + keyA.kid
				if got != want {
					t.Errorf("claims: got %s; want %s", got, want)
				}
				if !c.ExpiresAt.Equal(testEpoch.Add(50*time.Minute)) || !c.IssuedAt.Equal(testEpoch.Add(-10*time.Minute)) ||
					!c.AuthTime.Equal(testEpoch.Add(-10*time.Minute)) || !c.NotBefore.IsZero() {
					t.Errorf("times: got exp %v iat %v auth %v nbf %v", c.ExpiresAt, c.IssuedAt, c.AuthTime, c.NotBefore)
				}
				if c.IsMachine() || !c.HasGroup("ops") || !c.HasScope("openid") || c.HasScope("open") {
					t.Errorf("helpers wrong for %v %v", c.Groups, c.Scopes)
				}
			}},
		{name: "valid ID token", use: TokenUseID, token: func(t testing.TB) string { return mint(t, keyA, idClaims()) },
			check: func(t *testing.T, c *Claims) {
				if c.TokenUse != TokenUseID || c.Username != "alice" || c.Email != "alice@example.com" || !c.EmailVerified ||
					c.PhoneNumber != "+15555550100" || c.PhoneNumberVerified || c.ClientID != testClientID {
					t.Errorf("got %+v", c)
				}
				if v, ok := c.String("custom:tenant"); !ok || v != "acme" {
					t.Errorf("custom:tenant: got %q, %v; want acme, true", v, ok)
				}
				if raw, ok := c.Get("custom:plan"); !ok || string(raw) != `"gold"` {
					t.Errorf("Get(custom:plan): got %s, %v", raw, ok)
				}
				if _, ok := c.Get("custom:nope"); ok {
					t.Errorf("Get(custom:nope) found a missing claim")
				}
				var mine struct {
					Tenant string `json:"custom:tenant"`
				}
				if err := c.Decode(&mine); err != nil || mine.Tenant != "acme" {
					t.Errorf("Decode: got %+v, %v", mine, err)
				}
			}},
		{name: "ID token where access required", token: func(t testing.TB) string { return mint(t, keyA, idClaims()) }, want: ErrWrongTokenUse},
		{name: "access token where ID required", use: TokenUseID, token: func(t testing.TB) string { return mint(t, keyA, accessClaims()) }, want: ErrWrongTokenUse},
		{name: "any accepts ID token", use: TokenUseAny, token: func(t testing.TB) string { return mint(t, keyA, idClaims()) }},
		{name: "any accepts access token", use: TokenUseAny, token: func(t testing.TB) string { return mint(t, keyA, accessClaims()) }},
		{name: "token_use refresh", use: TokenUseAny, token: func(t testing.TB) string {
			return mint(t, keyA, with(accessClaims(), "token_use", "refresh"))
		}, want: ErrWrongTokenUse},
		{name: "token_use missing", token: func(t testing.TB) string { return mint(t, keyA, with(accessClaims(), "token_use", nil)) }, want: ErrMalformed},
		{name: "expired", token: func(t testing.TB) string { return mint(t, keyA, with(accessClaims(), "exp", at(-time.Second))) }, want: ErrExpired},
		{name: "exp equals now", token: func(t testing.TB) string { return mint(t, keyA, with(accessClaims(), "exp", at(0))) }, want: ErrExpired},
		{name: "expired within leeway", leeway: 5 * time.Second, token: func(t testing.TB) string {
			return mint(t, keyA, with(accessClaims(), "exp", at(-4*time.Second)))
		}},
		{name: "missing exp", token: func(t testing.TB) string { return mint(t, keyA, with(accessClaims(), "exp", nil)) }, want: ErrMalformed},
		{name: "exp is a string", token: func(t testing.TB) string {
			return mint(t, keyA, with(accessClaims(), "exp", fmt.Sprint(at(time.Hour))))
		}, want: ErrMalformed},
		{name: "fractional exp", token: func(t testing.TB) string {
			return mint(t, keyA, with(accessClaims(), "exp", float64(at(time.Hour))+0.5))
		}},
		{name: "nbf in the future", token: func(t testing.TB) string { return mint(t, keyA, with(accessClaims(), "nbf", at(time.Minute))) }, want: ErrNotYetValid},
		{name: "nbf in the past", token: func(t testing.TB) string { return mint(t, keyA, with(accessClaims(), "nbf", at(-time.Minute))) }},
		{name: "iat in the future", token: func(t testing.TB) string { return mint(t, keyA, with(accessClaims(), "iat", at(time.Minute))) }, want: ErrNotYetValid},
		{name: "wrong issuer", token: func(t testing.TB) string {
			return mint(t, keyA, with(accessClaims(), "iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"))
		}, want: ErrWrongIssuer},
		{name: "issuer with trailing slash", token: func(t testing.TB) string {
			return mint(t, keyA, with(accessClaims(), "iss", testIssuer+"/"))
		}, want: ErrWrongIssuer},
		{name: "missing issuer", token: func(t testing.TB) string { return mint(t, keyA, with(accessClaims(), "iss", nil)) }, want: ErrMalformed},
		{name: "wrong client_id in access token", token: func(t testing.TB) string {
			return mint(t, keyA, with(accessClaims(), "client_id", "someoneelse"))
		}, want: ErrWrongClient},
		{name: "wrong aud in ID token", use: TokenUseID, token: func(t testing.TB) string {
			return mint(t, keyA, with(idClaims(), "aud", "someoneelse"))
		}, want: ErrWrongClient},
		{name: "access token with only aud", token: func(t testing.TB) string {
			return mint(t, keyA, with(accessClaims(), "client_id", nil, "aud", testClientID))
		}, want: ErrMalformed},
		{name: "second client ID accepted", token: func(t testing.TB) string {
			return mint(t, keyA, with(accessClaims(), "client_id", testClient2))
		}},
		{name: "aud as one-element array", use: TokenUseID, token: func(t testing.TB) string {
			return mint(t, keyA, with(idClaims(), "aud", []string{testClientID}))
		}},
		{name: "access token with an aud array is fine", token: func(t testing.TB) string {
			return mint(t, keyA, with(accessClaims(), "aud", []string{"api-1", "api-2"}))
		}},
		{name: "aud empty array", use: TokenUseID, token: func(t testing.TB) string {
			return mint(t, keyA, with(idClaims(), "aud", []string{}))
		}, want: ErrMalformed},
		{name: "aud with two values", use: TokenUseID, token: func(t testing.TB) string {
			return mint(t, keyA, with(idClaims(), "aud", []string{testClientID, testClient2}))
		}, want: ErrMalformed},
		{name: "unknown kid", token: func(t testing.TB) string { return mint(t, keyB, accessClaims()) }, want: ErrUnknownKey},
		{name: "right kid, wrong key", token: func(t testing.TB) string {
			return signRaw(t, keyB, "RS256", hdr("kid", keyA.kid, "alg", "RS256"), marshal(accessClaims()))
		}, want: ErrBadSignature},
		{name: "alg none", token: func(t testing.TB) string {
			return b64u(hdr("alg", "none", "kid", keyA.kid)) + "." + b64u(marshal(accessClaims())) + "."
		}, want: ErrUnsupportedAlg},
		{name: "alg None with signature", token: func(t testing.TB) string {
			return signRaw(t, keyA, "RS256", hdr("alg", "None", "kid", keyA.kid), marshal(accessClaims()))
		}, want: ErrUnsupportedAlg},
		{name: "HS256 signed with the public key", token: func(t testing.TB) string {
			pub := &testKey{kid: string(jwksOf(keyA))}
			return signRaw(t, pub, "HS256", hdr("alg", "HS256", "kid", keyA.kid), marshal(accessClaims()))
		}, want: ErrUnsupportedAlg},
		{name: "RS512 header over an RS256 signature", token: func(t testing.TB) string {
			h := hdr("alg", "RS512", "kid", keyA.kid)
			input := b64u(h) + "." + b64u(marshal(accessClaims()))
			return input + "." + b64u(signBytes(t, keyA, "RS256", []byte(input)))
		}, want: ErrUnsupportedAlg},
		{name: "PS256 with a PS256 key", token: func(t testing.TB) string { return mint(t, keyPS, accessClaims()) }},
		{name: "RS256 header with a PS256 key", token: func(t testing.TB) string {
			return signRaw(t, keyPS, "RS256", hdr("alg", "RS256", "kid", keyPS.kid), marshal(accessClaims()))
		}, want: ErrUnsupportedAlg},
		{name: "ES256 with an EC key", token: func(t testing.TB) string { return mint(t, keyEC, accessClaims()) }},
		{name: "key under 2048 bits is ignored", token: func(t testing.TB) string {
			return signRaw(t, keyA, "RS256", hdr("alg", "RS256", "kid", keySmall.kid), marshal(accessClaims()))
		}, want: ErrUnknownKey},
		{name: "tampered payload", token: func(t testing.TB) string {
			tok := mint(t, keyA, accessClaims())
			parts := strings.Split(tok, ".")
			parts[1] = b64u(marshal(with(accessClaims(), "cognito:groups", []string{"admin", "ops", "root"})))
			return strings.Join(parts, ".")
		}, want: ErrBadSignature},
		{name: "tampered signature", token: func(t testing.TB) string {
			tok := []byte(mint(t, keyA, accessClaims()))
			i := len(tok) - 10
			if tok[i] == 'A' {
				tok[i] = 'B'
			} else {
				tok[i] = 'A'
			}
			return string(tok)
		}, want: ErrBadSignature},
		{name: "signature shortened by 3 bytes", token: func(t testing.TB) string {
			tok := mint(t, keyA, accessClaims())
			dot := strings.LastIndexByte(tok, '.')
			sig, _ := base64.RawURLEncoding.DecodeString(tok[dot+1:])
			return tok[:dot+1] + b64u(sig[:len(sig)-3])
		}, want: ErrBadSignature},
		{name: "signature cut to an impossible base64 length", token: func(t testing.TB) string {
			tok := mint(t, keyA, accessClaims()) // 342 signature characters
			return tok[:len(tok)-1]              // 341 = 1 mod 4 is never valid
		}, want: ErrMalformed},
		{name: "truncated mid-payload", token: func(t testing.TB) string {
			tok := mint(t, keyA, accessClaims())
			return tok[:strings.IndexByte(tok, '.')+20]
		}, want: ErrMalformed},
		{name: "empty", token: func(testing.TB) string { return "" }, want: ErrMalformed},
		{name: "dots only", token: func(testing.TB) string { return ".." }, want: ErrMalformed},
		{name: "padding in base64", token: func(t testing.TB) string {
			h := hdr("alg", "RS256", "kid", keyA.kid, "x", "ab") // length chosen to need padding
			seg := b64u(h)
			for len(seg)%4 != 0 {
				seg += "="
			}
			return seg + "." + b64u(marshal(accessClaims())) + "." + b64u(make([]byte, 256))
		}, want: ErrMalformed},
		{name: "standard base64 alphabet", token: func(t testing.TB) string {
			tok := mint(t, keyA, accessClaims())
			return strings.NewReplacer("-", "+", "_", "/").Replace(tok) + "+/"
		}, want: ErrMalformed},
		{name: "non-canonical base64 trailing bits", token: func(t testing.TB) string {
			tok := mint(t, keyA, accessClaims())
			// The last signature character carries 4 padding bits for 256
			// bytes (342 chars); make them non-zero.
			last := tok[len(tok)-1]
			const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
			idx := strings.IndexByte(alphabet, last)
			return tok[:len(tok)-1] + string(alphabet[idx|1])
		}, want: ErrMalformed},
		{name: "newline inside", token: func(t testing.TB) string {
			tok := mint(t, keyA, accessClaims())
			return tok[:10] + "\n" + tok[10:]
		}, want: ErrMalformed},
		{name: "Bearer prefix", token: func(t testing.TB) string { return "Bearer " + mint(t, keyA, accessClaims()) }, want: ErrMalformed},
		{name: "five segments (JWE)", token: func(t testing.TB) string { return mint(t, keyA, accessClaims()) + ".a.b" }, want: ErrMalformed},
		{name: "duplicated alg in header", token: func(t testing.TB) string {
			h := []byte(`{"kid":"` + keyA.kid + `","alg":"RS256","alg":"none"}`)
			return signRaw(t, keyA, "RS256", h, marshal(accessClaims()))
		}, want: ErrMalformed},
		{name: "duplicated kid with escape", token: func(t testing.TB) string {
			h := []byte(`{"kid":"` + keyA.kid + `","alg":"RS256","k\u0069d":"kidB"}`)
			return signRaw(t, keyA, "RS256", h, marshal(accessClaims()))
		}, want: ErrMalformed},
		{name: "jku header", token: func(t testing.TB) string {
			return signRaw(t, keyA, "RS256", hdr("alg", "RS256", "kid", keyA.kid, "jku", "https://evil.example/jwks"), marshal(accessClaims()))
		}, want: ErrMalformed},
		{name: "jwk header", token: func(t testing.TB) string {
			return signRaw(t, keyA, "RS256", hdr("alg", "RS256", "kid", keyA.kid, "jwk", keyA.jwk()), marshal(accessClaims()))
		}, want: ErrMalformed},
		{name: "x5u header", token: func(t testing.TB) string {
			return signRaw(t, keyA, "RS256", hdr("alg", "RS256", "kid", keyA.kid, "x5u", "https://evil.example/cert"), marshal(accessClaims()))
		}, want: ErrMalformed},
		{name: "crit header", token: func(t testing.TB) string {
			return signRaw(t, keyA, "RS256", hdr("alg", "RS256", "kid", keyA.kid, "crit", []string{"exp"}), marshal(accessClaims()))
		}, want: ErrMalformed},
		{name: "typ header is fine", token: func(t testing.TB) string {
			return signRaw(t, keyA, "RS256", hdr("alg", "RS256", "kid", keyA.kid, "typ", "JWT"), marshal(accessClaims()))
		}},
		{name: "header without kid", token: func(t testing.TB) string {
			return signRaw(t, keyA, "RS256", hdr("alg", "RS256"), marshal(accessClaims()))
		}, want: ErrMalformed},
		{name: "header is not JSON", token: func(t testing.TB) string {
			return signRaw(t, keyA, "RS256", []byte(`{"alg":"RS256","kid":"x"`), marshal(accessClaims()))
		}, want: ErrMalformed},
		{name: "duplicated exp in payload", token: func(t testing.TB) string {
			p := marshal(accessClaims())
			p = append(p[:len(p)-1], fmt.Sprintf(`,"exp":%d}`, at(time.Hour*24*365))...)
			return signRaw(t, keyA, "RS256", hdr("alg", "RS256", "kid", keyA.kid), p)
		}, want: ErrMalformed},
		{name: "duplicate among many claims", token: func(t testing.TB) string {
			m := accessClaims()
			for i := range 40 {
				m[fmt.Sprintf("custom:attr%02d", i)] = i
			}
			p := marshal(m)
			p = append(p[:len(p)-1], `,"custom:attr07":"again"}`...)
			return signRaw(t, keyA, "RS256", hdr("alg", "RS256", "kid", keyA.kid), p)
		}, want: ErrMalformed},
		{name: "many distinct claims", token: func(t testing.TB) string {
			m := accessClaims()
			for i := range 40 {
				m[fmt.Sprintf("custom:attr%02d", i)] = i
			}
			return mint(t, keyA, m)
		}, check: func(t *testing.T, c *Claims) {
			if raw, ok := c.Get("custom:attr39"); !ok || string(raw) != "39" {
				t.Errorf("Get(custom:attr39): got %s, %v", raw, ok)
			}
		}},
		{name: "header with too many members", token: func(t testing.TB) string {
			return signRaw(t, keyA, "RS256", hdr("alg", "RS256", "kid", keyA.kid, "a", 1, "b", 2, "c", 3, "d", 4, "e", 5, "f", 6, "g", 7), marshal(accessClaims()))
		}, want: ErrMalformed},
		{name: "deeply nested custom claim", token: func(t testing.TB) string {
			p := marshal(accessClaims())
			p = append(p[:len(p)-1], `,"custom:deep":`+strings.Repeat("[", 40)+strings.Repeat("]", 40)+`}`...)
			return signRaw(t, keyA, "RS256", hdr("alg", "RS256", "kid", keyA.kid), p)
		}, want: ErrMalformed},
		{name: "invalid UTF-8 in a claim", token: func(t testing.TB) string {
			p := marshal(accessClaims())
			p = append(p[:len(p)-1], ",\"custom:x\":\"\xff\"}"...)
			return signRaw(t, keyA, "RS256", hdr("alg", "RS256", "kid", keyA.kid), p)
		}, want: ErrMalformed},
		{name: "lone surrogate escape", token: func(t testing.TB) string {
			p := marshal(accessClaims())
			p = append(p[:len(p)-1], `,"custom:x":"\ud800"}`...)
			return signRaw(t, keyA, "RS256", hdr("alg", "RS256", "kid", keyA.kid), p)
		}, want: ErrMalformed},
		{name: "payload with trailing garbage", token: func(t testing.TB) string {
			p := append(marshal(accessClaims()), `{}`...)
			return signRaw(t, keyA, "RS256", hdr("alg", "RS256", "kid", keyA.kid), p)
		}, want: ErrMalformed},
		{name: "username and cognito:username disagree", token: func(t testing.TB) string {
			return mint(t, keyA, with(accessClaims(), "cognito:username", "mallory"))
		}, want: ErrMalformed},
		{name: "oversized", token: func(t testing.TB) string {
			return mint(t, keyA, with(accessClaims(), "custom:blob", strings.Repeat("x", 16<<10)))
		}, want: ErrTooLarge},
		{name: "M2M access token", policy: Policy{AllScopes: []string{"orders/read"}}, token: func(t testing.TB) string {
			return mint(t, keyA, with(accessClaims(), "username", nil, "cognito:groups", nil, "device_key", nil,
				"auth_time", nil, "sub", testClientID, "scope", "orders/read orders/write"))
		}, check: func(t *testing.T, c *Claims) {
			if !c.IsMachine() || c.Username != "" || c.Groups != nil || len(c.Scopes) != 2 || c.Subject != testClientID {
				t.Errorf("M2M claims: got %+v", c)
			}
		}},
		{name: "groups present, any-of satisfied", policy: Policy{AnyGroups: []string{"root", "ops"}},
			token: func(t testing.TB) string { return mint(t, keyA, accessClaims()) }},
		{name: "groups absent, any-of required", policy: Policy{AnyGroups: []string{"admin"}},
			token: func(t testing.TB) string { return mint(t, keyA, with(accessClaims(), "cognito:groups", nil)) }, want: ErrMissingGroup},
		{name: "all-of groups, one missing", policy: Policy{AllGroups: []string{"admin", "billing"}},
			token: func(t testing.TB) string { return mint(t, keyA, accessClaims()) }, want: ErrMissingGroup},
		{name: "all-of groups satisfied", policy: Policy{AllGroups: []string{"admin", "ops"}},
			token: func(t testing.TB) string { return mint(t, keyA, accessClaims()) }},
		{name: "scope any-of satisfied", policy: Policy{AnyScopes: []string{"orders/write", "email"}},
			token: func(t testing.TB) string { return mint(t, keyA, accessClaims()) }},
		{name: "scope any-of missing", policy: Policy{AnyScopes: []string{"orders/write", "orders/admin"}},
			token: func(t testing.TB) string { return mint(t, keyA, accessClaims()) }, want: ErrMissingScope},
		{name: "scope all-of satisfied", policy: Policy{AllScopes: []string{"openid", "email"}},
			token: func(t testing.TB) string { return mint(t, keyA, accessClaims()) }},
		{name: "scope all-of missing one", policy: Policy{AllScopes: []string{"openid", "orders/write"}},
			token: func(t testing.TB) string { return mint(t, keyA, accessClaims()) }, want: ErrMissingScope},
		{name: "custom check rejects", policy: Policy{Check: func(_ context.Context, c *Claims) error {
			if v, _ := c.String("custom:tenant"); v != "acme" {
				return errors.New("wrong tenant")
			}
			return nil
		}}, token: func(t testing.TB) string { return mint(t, keyA, accessClaims()) }, want: ErrCheckFailed},
		{name: "custom check accepts", use: TokenUseID, policy: Policy{Check: func(_ context.Context, c *Claims) error {
			if v, _ := c.String("custom:tenant"); v != "acme" {
				return errors.New("wrong tenant")
			}
			return nil
		}}, token: func(t testing.TB) string { return mint(t, keyA, idClaims()) }},
		{name: "email_verified as string", use: TokenUseID, token: func(t testing.TB) string {
			return mint(t, keyA, with(idClaims(), "email_verified", "true"))
		}, check: func(t *testing.T, c *Claims) {
			if !c.EmailVerified {
				t.Errorf("EmailVerified: got false; want true")
			}
		}},
		{name: "groups of the wrong type", token: func(t testing.TB) string {
			return mint(t, keyA, with(accessClaims(), "cognito:groups", "admin"))
		}, want: ErrMalformed},
		{name: "escaped and unicode claims", use: TokenUseID, token: func(t testing.TB) string {
			return mint(t, keyA, with(idClaims(), "cognito:username", "al\"ice\u00e9😀", "custom:x", map[string]any{"a": []any{1, "b", nil}}))
		}, check: func(t *testing.T, c *Claims) {
			if c.Username != "al\"ice\u00e9😀" {
				t.Errorf("Username: got %q", c.Username)
			}
		}},
	}
}

func (tc tokenCase) config() Config {
	use := tc.use
	if use == "" {
		use = TokenUseAccess
	}
	cfg := staticConfig(use, keyA, keyPS, keyEC, keySmall)
	cfg.Pools[0].ClientIDs = []string{testClientID, testClient2}
	cfg.Pools[0].Policy = tc.policy
	cfg.Leeway = tc.leeway
	return cfg
}

func TestVerifyTable(t *testing.T) {
	t.Parallel() // CPU-bound and self-contained: runs beside the others at the end of the binary
	keys(t)
	cases := tokenCases()
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok := tc.token(t)
			for _, cacheSize := range []int{-1, 0} {
				cfg := tc.config()
				cfg.CacheSize = cacheSize
				v := mustNew(t, cfg)
				// Twice: the second call is served by the cache when on.
				for round := range 2 {
					c, err := v.Verify(context.Background(), tok)
					if tc.want == nil {
						if err != nil {
							t.Fatalf("cache %d round %d: got error %v; want success", cacheSize, round, err)
						}
						if tc.check != nil {
							tc.check(t, c)
						}
						continue
					}
					if !errors.Is(err, tc.want) {
						t.Fatalf("cache %d round %d: got %v; want %v", cacheSize, round, err, tc.want)
					}
					if c != nil {
						t.Errorf("got claims with error %v", err)
					}
					checkErrorHygiene(t, err, tok)
				}
			}
		})
	}
}

// checkErrorHygiene asserts that err is in the closed set and carries no
// token material.
func checkErrorHygiene(t *testing.T, err error, tok string) {
	t.Helper()
	if Reason(err) == "other" {
		t.Errorf("error %v matches no sentinel", err)
	}
	msg := err.Error()
	for _, seg := range strings.Split(tok, ".") {
		if len(seg) >= 8 && strings.Contains(msg, seg) {
			t.Errorf("error %q contains a token segment", msg)
		}
	}
	for _, secret := range []string{"alice", "mallory", "EXAMPLE", "someoneelse", "us-east-1_Other", "acme"} {
		if strings.Contains(msg, secret) {
			t.Errorf("error %q contains the unverified claim value %q", msg, secret)
		}
	}
}
