package cognitotest_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/srp"
)

func decodeB64(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }

// claimsOf decodes the payload of a JWT without verifying it.
func claimsOf(t testing.TB, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts; want 3", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestUserPasswordAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: testPassword, Email: "alice@example.com", Groups: []string{"admin"},
		Attributes: map[string]string{"custom:tenant": "acme", "name": "Alice"}})

	out, err := e.passwordLogin(e.public, "alice", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	r := out.AuthenticationResult
	if r == nil || *r.IdToken == "" || *r.AccessToken == "" || *r.RefreshToken == "" {
		t.Fatalf("got %+v; want three tokens", r)
	}
	if r.ExpiresIn != 3600 || *r.TokenType != "Bearer" {
		t.Errorf("got ExpiresIn %d TokenType %s; want 3600 Bearer", r.ExpiresIn, *r.TokenType)
	}
	id := claimsOf(t, *r.IdToken)
	wantID := map[string]any{"token_use": "id", "aud": e.public.ID, "cognito:username": "alice", "email": "alice@example.com",
		"email_verified": true, "custom:tenant": "acme", "name": "Alice", "iss": e.pool.Issuer()}
	for k, v := range wantID {
		if id[k] != v {
			t.Errorf("id token %s: got %v; want %v", k, id[k], v)
		}
	}
	for _, k := range []string{"sub", "auth_time", "exp", "iat", "jti", "origin_jti", "event_id"} {
		if _, ok := id[k]; !ok {
			t.Errorf("id token lacks %s", k)
		}
	}
	if g, _ := id["cognito:groups"].([]any); len(g) != 1 || g[0] != "admin" {
		t.Errorf("id token cognito:groups: got %v; want [admin]", id["cognito:groups"])
	}
	acc := claimsOf(t, *r.AccessToken)
	wantAcc := map[string]any{"token_use": "access", "client_id": e.public.ID, "username": "alice", "scope": "aws.cognito.signin.user.admin", "version": float64(2)}
	for k, v := range wantAcc {
		if acc[k] != v {
			t.Errorf("access token %s: got %v; want %v", k, acc[k], v)
		}
	}
	for _, k := range []string{"aud", "email", "cognito:username", "device_key"} {
		if _, ok := acc[k]; ok {
			t.Errorf("access token has %s; want none", k)
		}
	}
	if acc["origin_jti"] != id["origin_jti"] || acc["sub"] != id["sub"] {
		t.Errorf("origin_jti/sub differ between tokens")
	}
	if got := int64(acc["exp"].(float64)); got != e.clock.Now().Add(time.Hour).Unix() {
		t.Errorf("exp: got %d; want iat+1h", got)
	}

	gu, err := e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: r.AccessToken})
	if err != nil {
		t.Fatal(err)
	}
	if *gu.Username != "alice" {
		t.Errorf("GetUser: got %s; want alice", *gu.Username)
	}

	t.Run("wrong password", func(t *testing.T) {
		_, err := e.passwordLogin(e.public, "alice", "Wrong-Password-1")
		ex := wantErr[*types.NotAuthorizedException](t, err, "wrong password")
		if got := ex.ErrorMessage(); got != "Incorrect username or password." {
			t.Errorf("message: got %q", got)
		}
	})
	t.Run("unknown user", func(t *testing.T) {
		_, err := e.passwordLogin(e.public, "bob", testPassword)
		wantErr[*types.UserNotFoundException](t, err, "unknown user")
	})
	t.Run("unknown user with PreventUserExistenceErrors", func(t *testing.T) {
		c := e.pool.MustCreateClient(cognitotest.ClientConfig{PreventUserExistenceErrors: true})
		_, err := e.passwordLogin(c, "bob", testPassword)
		wantErr[*types.NotAuthorizedException](t, err, "unknown user")
	})
	t.Run("secret hash", func(t *testing.T) {
		if _, err := e.passwordLogin(e.secret, "alice", testPassword); err != nil {
			t.Fatalf("right SECRET_HASH: %v", err)
		}
		_, err := e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(e.secret.ID),
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword, "SECRET_HASH": e.secret.SecretHash("bob")}})
		wantErr[*types.NotAuthorizedException](t, err, "wrong SECRET_HASH")
		_, err = e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(e.secret.ID),
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
		ex := wantErr[*types.NotAuthorizedException](t, err, "missing SECRET_HASH")
		if !strings.Contains(ex.ErrorMessage(), "SECRET_HASH was not received") {
			t.Errorf("message: got %q", ex.ErrorMessage())
		}
	})
	t.Run("unknown client", func(t *testing.T) {
		_, err := e.passwordLogin(cognitotest.AppClient{ID: "nope"}, "alice", testPassword)
		wantErr[*types.ResourceNotFoundException](t, err, "unknown client")
	})
	t.Run("flow not enabled", func(t *testing.T) {
		c := e.pool.MustCreateClient(cognitotest.ClientConfig{ExplicitAuthFlows: []string{cognitotest.FlowUserSRP}})
		_, err := e.passwordLogin(c, "alice", testPassword)
		wantErr[*types.InvalidParameterException](t, err, "flow not enabled")
	})
}

func TestSRPAuth(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []cognitotest.Option
	}{
		{"positive salts", nil},
		{"negative salts", []cognitotest.Option{cognitotest.WithNegativeSalts()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, cognitotest.PoolConfig{UsernameAttributes: []string{"email"}}, tc.opts...)
			u := e.pool.MustCreateUser(cognitotest.UserConfig{Email: "carol@example.com", Password: testPassword})
			if !strings.Contains(u.Username, "-") || u.Username != u.Sub {
				t.Fatalf("username %q: want the sub UUID", u.Username)
			}
			for _, c := range []cognitotest.AppClient{e.public, e.secret} {
				cl, out, err := e.srpStart(c, "carol@example.com")
				if err != nil {
					t.Fatal(err)
				}
				p := out.ChallengeParameters
				if p["USER_ID_FOR_SRP"] != u.Username || p["USERNAME"] != u.Username {
					t.Fatalf("USER_ID_FOR_SRP %q; want %q", p["USER_ID_FOR_SRP"], u.Username)
				}
				if neg := strings.HasPrefix(p["SALT"], "-"); neg != (tc.opts != nil) {
					t.Errorf("SALT %q: negative %v; want %v", p["SALT"], neg, tc.opts != nil)
				}
				res, err := e.api.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ChallengeName: out.ChallengeName,
					ClientId: aws.String(c.ID), Session: out.Session, ChallengeResponses: e.verifierResponses(c, cl, p, testPassword, e.now())})
				if err != nil {
					t.Fatalf("client %s: %v", c.Name, err)
				}
				if res.AuthenticationResult == nil || res.AuthenticationResult.RefreshToken == nil {
					t.Fatalf("no tokens")
				}
				if got := claimsOf(t, *res.AuthenticationResult.IdToken)["cognito:username"]; got != u.Username {
					t.Errorf("cognito:username %v; want %v", got, u.Username)
				}
				// Replaying the session fails.
				_, err = e.api.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ChallengeName: out.ChallengeName,
					ClientId: aws.String(c.ID), Session: out.Session, ChallengeResponses: e.verifierResponses(c, cl, p, testPassword, e.now())})
				ex := wantErr[*types.NotAuthorizedException](t, err, "replayed session")
				if ex.ErrorMessage() != "Invalid session for the user." {
					t.Errorf("replay message %q", ex.ErrorMessage())
				}
			}
		})
	}
}

func TestSRPFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{AliasAttributes: []string{"email"}})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "dave", Email: "dave@example.com", Password: testPassword})
	respond := func(c cognitotest.AppClient, out *cip.InitiateAuthOutput, r map[string]string) error {
		_, err := e.api.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ChallengeName: types.ChallengeNameTypePasswordVerifier,
			ClientId: aws.String(c.ID), Session: out.Session, ChallengeResponses: r})
		return err
	}
	t.Run("alias sign-in", func(t *testing.T) {
		if _, err := e.srpLogin(e.secret, "dave@example.com", testPassword); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		_, err := e.srpLogin(e.public, "dave", "Wrong-Pass-1")
		wantErr[*types.NotAuthorizedException](t, err, "wrong password")
	})
	t.Run("unknown user", func(t *testing.T) {
		_, _, err := e.srpStart(e.public, "nobody")
		wantErr[*types.UserNotFoundException](t, err, "unknown user")
	})
	t.Run("unknown user, existence errors prevented", func(t *testing.T) {
		c := e.pool.MustCreateClient(cognitotest.ClientConfig{PreventUserExistenceErrors: true})
		cl, out, err := e.srpStart(c, "nobody")
		if err != nil {
			t.Fatalf("decoy challenge: %v", err)
		}
		err = respond(c, out, e.verifierResponses(c, cl, out.ChallengeParameters, testPassword, e.now()))
		wantErr[*types.NotAuthorizedException](t, err, "decoy")
	})
	t.Run("SECRET_HASH with the alias after the challenge", func(t *testing.T) {
		cl, out, err := e.srpStart(e.secret, "dave@example.com")
		if err != nil {
			t.Fatal(err)
		}
		r := e.verifierResponses(e.secret, cl, out.ChallengeParameters, testPassword, e.now())
		r["SECRET_HASH"] = e.secret.SecretHash("dave@example.com")
		wantErr[*types.NotAuthorizedException](t, respond(e.secret, out, r), "alias SECRET_HASH")
	})
	t.Run("zero-padded TIMESTAMP", func(t *testing.T) {
		cl, out, _ := e.srpStart(e.public, "dave")
		r := e.verifierResponses(e.public, cl, out.ChallengeParameters, testPassword, e.now())
		r["TIMESTAMP"] = e.now().UTC().Format("Mon Jan 02 15:04:05 UTC 2006")
		wantErr[*types.InvalidParameterException](t, respond(e.public, out, r), "zero-padded day")
	})
	t.Run("TIMESTAMP outside the window", func(t *testing.T) {
		cl, out, _ := e.srpStart(e.public, "dave")
		r := e.verifierResponses(e.public, cl, out.ChallengeParameters, testPassword, e.now().Add(-10*time.Minute))
		wantErr[*types.NotAuthorizedException](t, respond(e.public, out, r), "old TIMESTAMP")
	})
	t.Run("tampered signature", func(t *testing.T) {
		cl, out, _ := e.srpStart(e.public, "dave")
		r := e.verifierResponses(e.public, cl, out.ChallengeParameters, testPassword, e.now())
		r["PASSWORD_CLAIM_SIGNATURE"] = base64.StdEncoding.EncodeToString(make([]byte, 32))
		wantErr[*types.NotAuthorizedException](t, respond(e.public, out, r), "tampered signature")
	})
	t.Run("A mod N == 0", func(t *testing.T) {
		for _, a := range []string{srp.N().Text(16), "0", "-" + srp.N().Text(16)} {
			_, err := e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(e.public.ID),
				AuthParameters: map[string]string{"USERNAME": "dave", "SRP_A": a}})
			wantErr[*types.NotAuthorizedException](t, err, "A = "+a[:1])
		}
	})
	t.Run("stale session", func(t *testing.T) {
		cl, out, _ := e.srpStart(e.public, "dave")
		e.clock.Advance(3*time.Minute + time.Second)
		r := e.verifierResponses(e.public, cl, out.ChallengeParameters, testPassword, e.now())
		ex := wantErr[*types.NotAuthorizedException](t, respond(e.public, out, r), "stale session")
		if !strings.Contains(ex.ErrorMessage(), "Invalid session") {
			t.Errorf("message %q", ex.ErrorMessage())
		}
	})
	t.Run("garbage session", func(t *testing.T) {
		cl, out, _ := e.srpStart(e.public, "dave")
		r := e.verifierResponses(e.public, cl, out.ChallengeParameters, testPassword, e.now())
		out.Session = aws.String("garbage")
		wantErr[*types.NotAuthorizedException](t, respond(e.public, out, r), "garbage session")
	})
	t.Run("session of another client", func(t *testing.T) {
		cl, out, _ := e.srpStart(e.public, "dave")
		r := e.verifierResponses(e.public, cl, out.ChallengeParameters, testPassword, e.now())
		r["SECRET_HASH"] = e.secret.SecretHash("dave")
		wantErr[*types.NotAuthorizedException](t, respond(e.secret, out, r), "other client")
	})
}
