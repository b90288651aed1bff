package cognitotest_test

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/cognitokit/cognitokit/cognitotest"
)

func TestGroupsAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{})
	pid := aws.String(e.pool.ID())
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "ann", Password: testPassword, Groups: []string{"a", "b"}})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "ben", Password: testPassword, Groups: []string{"b"}})
	lg := must(e.api.ListGroups(ctx(), &cip.ListGroupsInput{UserPoolId: pid}))
	if len(lg.Groups) != 2 || *lg.Groups[0].GroupName != "a" {
		t.Errorf("ListGroups: %+v", lg.Groups)
	}
	lu := must(e.api.ListUsersInGroup(ctx(), &cip.ListUsersInGroupInput{UserPoolId: pid, GroupName: aws.String("b")}))
	if len(lu.Users) != 2 {
		t.Errorf("ListUsersInGroup b: %d users", len(lu.Users))
	}
	g := must(e.api.GetGroup(ctx(), &cip.GetGroupInput{UserPoolId: pid, GroupName: aws.String("a")}))
	if *g.Group.GroupName != "a" || *g.Group.UserPoolId != e.pool.ID() {
		t.Errorf("GetGroup: %+v", g.Group)
	}
	must(e.api.DeleteGroup(ctx(), &cip.DeleteGroupInput{UserPoolId: pid, GroupName: aws.String("a")}))
	_, err := e.api.GetGroup(ctx(), &cip.GetGroupInput{UserPoolId: pid, GroupName: aws.String("a")})
	wantErr[*types.ResourceNotFoundException](t, err, "deleted group")
	if u := must(e.pool.User("ann")); len(u.Groups) != 1 || u.Groups[0] != "b" {
		t.Errorf("ann's groups after DeleteGroup: %v", u.Groups)
	}
}

func TestAdminResetAndConfirm(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{})
	pid := aws.String(e.pool.ID())
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "cat", Password: testPassword, Email: "cat@example.com"})
	must(e.api.AdminResetUserPassword(ctx(), &cip.AdminResetUserPasswordInput{UserPoolId: pid, Username: aws.String("cat")}))
	_, err := e.passwordLogin(e.public, "cat", testPassword)
	wantErr[*types.PasswordResetRequiredException](t, err, "sign-in after AdminResetUserPassword")
	must(e.api.ConfirmForgotPassword(ctx(), &cip.ConfirmForgotPasswordInput{ClientId: &e.public.ID, Username: aws.String("cat"),
		ConfirmationCode: aws.String(e.srv.LastCode("cat", cognitotest.MsgForgotPassword)), Password: aws.String("Fresh-Pass-7")}))
	must(e.passwordLogin(e.public, "cat", "Fresh-Pass-7"))

	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "dog", Password: testPassword, Unconfirmed: true})
	_, err = e.passwordLogin(e.public, "dog", testPassword)
	wantErr[*types.UserNotConfirmedException](t, err, "unconfirmed")
	must(e.api.AdminConfirmSignUp(ctx(), &cip.AdminConfirmSignUpInput{UserPoolId: pid, Username: aws.String("dog")}))
	must(e.passwordLogin(e.public, "dog", testPassword))
}

func TestSMSOTPFirstFactor(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{AllowedFirstAuthFactors: []string{"SMS_OTP"}, MFA: cognitotest.MFAOptional, AliasAttributes: []string{"phone_number"}})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "eve", PhoneNumber: "+15555550142", TOTPSecret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"})
	out := must(e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserAuth, ClientId: &e.public.ID,
		AuthParameters: map[string]string{"USERNAME": "+15555550142"}}))
	if strings.Join(toStrings(out.AvailableChallenges), ",") != "SMS_OTP" {
		t.Fatalf("AvailableChallenges %v", out.AvailableChallenges)
	}
	sel := must(e.respond(e.public, out.ChallengeName, out.Session, map[string]string{"USERNAME": "eve", "ANSWER": "SMS_OTP"}))
	if sel.ChallengeName != types.ChallengeNameTypeSmsOtp {
		t.Fatalf("got %s", sel.ChallengeName)
	}
	_, err := e.respond(e.public, sel.ChallengeName, sel.Session, map[string]string{"USERNAME": "eve", "SMS_OTP_CODE": "000000"})
	wantErr[*types.CodeMismatchException](t, err, "wrong OTP")
	// The session survives a wrong code; OTP sign-in skips MFA.
	res := must(e.respond(e.public, sel.ChallengeName, sel.Session, map[string]string{"USERNAME": "eve", "SMS_OTP_CODE": e.srv.LastCode("eve", cognitotest.MsgSMSOTP)}))
	if res.AuthenticationResult == nil {
		t.Fatalf("no tokens: %s", res.ChallengeName)
	}
}

func TestPreTokenGeneration(t *testing.T) {
	t.Parallel()
	var sources []string
	var mu sync.Mutex
	e := newEnv(t, cognitotest.PoolConfig{Triggers: cognitotest.Triggers{PreTokenGeneration: func(_ context.Context, ev *cognitotest.PreTokenGenerationEvent) error {
		mu.Lock()
		sources = append(sources, ev.TriggerSource)
		mu.Unlock()
		ev.IDClaimsToAdd = map[string]any{"tenant": "acme"}
		ev.AccessClaimsToAdd = map[string]any{"roles": []string{"reader"}}
		ev.IDClaimsToSuppress = []string{"email"}
		return nil
	}}})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "fay", Password: testPassword, Email: "fay@example.com"})
	out := must(e.passwordLogin(e.public, "fay", testPassword))
	id, acc := claimsOf(t, *out.AuthenticationResult.IdToken), claimsOf(t, *out.AuthenticationResult.AccessToken)
	if id["tenant"] != "acme" || id["email"] != nil || acc["roles"] == nil {
		t.Errorf("claims after PreTokenGeneration: id %v access %v", id, acc)
	}
	must(e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &e.public.ID,
		AuthParameters: map[string]string{"REFRESH_TOKEN": *out.AuthenticationResult.RefreshToken}}))
	if strings.Join(sources, ",") != "TokenGeneration_Authentication,TokenGeneration_RefreshTokens" {
		t.Errorf("trigger sources %v", sources)
	}
}

func TestLoggerAndIAM(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), nil))
	e := newEnv(t, cognitotest.PoolConfig{}, cognitotest.WithLogger(logger))
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "gus", Password: testPassword})
	out := must(e.passwordLogin(e.secret, "gus", testPassword))
	e.passwordLogin(e.public, "gus", "Wrong-Pass-9")
	mu.Lock()
	logs := buf.String()
	mu.Unlock()
	if !strings.Contains(logs, "op=InitiateAuth") || !strings.Contains(logs, "error=NotAuthorizedException") {
		t.Errorf("logs lack the operation or error: %s", logs)
	}
	for _, secret := range []string{testPassword, "Wrong-Pass-9", e.secret.Secret, *out.AuthenticationResult.AccessToken, *out.AuthenticationResult.RefreshToken} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain a secret")
		}
	}

	anon := cip.NewFromConfig(e.srv.AWSConfig(), func(o *cip.Options) { o.Credentials = aws.AnonymousCredentials{}; o.RetryMaxAttempts = 1 })
	_, err := anon.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool.ID()), Username: aws.String("gus")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "MissingAuthenticationTokenException" {
		t.Errorf("AdminGetUser without credentials: %v", err)
	}
	if _, err := anon.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &e.public.ID,
		AuthParameters: map[string]string{"USERNAME": "gus", "PASSWORD": testPassword}}); err != nil {
		t.Errorf("InitiateAuth without credentials: %v", err)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestHelperErrors(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t, fastKeys())
	for _, cfg := range []cognitotest.PoolConfig{{ID: "nope"}, {MFA: "SOMETIMES"}, {UsernameAttributes: []string{"nickname"}},
		{UsernameAttributes: []string{"email"}, AliasAttributes: []string{"email"}}, {PasswordPolicy: &cognitotest.PasswordPolicy{MinimumLength: 3}}} {
		if _, err := srv.CreatePool(cfg); !errors.Is(err, cognitotest.ErrInvalidConfig) {
			t.Errorf("CreatePool(%+v): got %v; want ErrInvalidConfig", cfg, err)
		}
	}
	p := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Dup"})
	if _, err := srv.CreatePool(cognitotest.PoolConfig{ID: "us-east-1_Dup"}); !errors.Is(err, cognitotest.ErrAlreadyExists) {
		t.Errorf("duplicate pool: %v", err)
	}
	if _, err := srv.Pool("us-east-1_Nope"); !errors.Is(err, cognitotest.ErrNotFound) {
		t.Errorf("unknown pool: %v", err)
	}
	for _, cfg := range []cognitotest.ClientConfig{{ID: "bad id"}, {ExplicitAuthFlows: []string{"ALLOW_MAGIC"}}, {RetryGracePeriod: 2 * 60e9},
		{AllowedOAuthScopes: []string{"nope/read"}}, {AllowedOAuthFlows: []string{"password"}}} {
		if _, err := p.CreateClient(cfg); !errors.Is(err, cognitotest.ErrInvalidConfig) {
			t.Errorf("CreateClient(%+v): got %v; want ErrInvalidConfig", cfg, err)
		}
	}
	for _, cfg := range []cognitotest.UserConfig{{}, {Username: "a b", Password: testPassword}, {Username: "x", Password: "short"},
		{Username: "x", Password: testPassword, Email: "not-an-email"}, {Username: "x", Password: testPassword, TemporaryPassword: testPassword},
		{Username: "x", Attributes: map[string]string{"shoe_size": "9"}}, {Username: "x", SMSMFA: true}, {Username: "x", TOTPSecret: "!!"}} {
		if _, err := p.CreateUser(cfg); !errors.Is(err, cognitotest.ErrInvalidConfig) {
			t.Errorf("CreateUser(%+v): got %v; want ErrInvalidConfig", cfg, err)
		}
	}
	p.MustCreateUser(cognitotest.UserConfig{Username: "Hal", Password: testPassword})
	if _, err := p.CreateUser(cognitotest.UserConfig{Username: "hal", Password: testPassword}); !errors.Is(err, cognitotest.ErrAlreadyExists) {
		t.Errorf("case-insensitive duplicate: %v", err)
	}
	if _, err := cognitotest.TOTPCode("short", timeZero); !errors.Is(err, cognitotest.ErrInvalidConfig) {
		t.Errorf("TOTPCode bad secret: %v", err)
	}
	if _, err := cognitotest.Start(nil, cognitotest.WithRegion("mars")); !errors.Is(err, cognitotest.ErrInvalidConfig) {
		t.Errorf("bad region: %v", err)
	}
}

func TestAliasPoolUUIDUsername(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{AliasAttributes: []string{"email", "preferred_username"}})
	u := e.pool.MustCreateUser(cognitotest.UserConfig{Email: "hugo@example.com", Password: testPassword, Attributes: map[string]string{"preferred_username": "hugo"}})
	if u.Username != u.Sub || len(u.Username) != 36 {
		t.Fatalf("username %q; want the sub UUID", u.Username)
	}
	for _, login := range []string{"hugo@example.com", "HUGO@example.com", "hugo", u.Username} {
		_, out, err := e.srpStart(e.secret, login)
		if err != nil {
			t.Fatalf("%s: %v", login, err)
		}
		if out.ChallengeParameters["USER_ID_FOR_SRP"] != u.Username {
			t.Errorf("%s: USER_ID_FOR_SRP %q; want %q", login, out.ChallengeParameters["USER_ID_FOR_SRP"], u.Username)
		}
		if _, err := e.srpLogin(e.secret, login, testPassword); err != nil {
			t.Errorf("%s: %v", login, err)
		}
	}
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "ivan", Email: "ivan@example.com", UnverifiedEmail: true, Password: testPassword})
	_, _, err := e.srpStart(e.public, "ivan@example.com")
	wantErr[*types.UserNotFoundException](t, err, "unverified email alias")
}

type failingReader struct{ after int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.after <= 0 {
		return 0, errors.New("entropy exhausted")
	}
	r.after--
	return crand.Read(p)
}

func TestFailingRandomSource(t *testing.T) {
	t.Parallel()
	r := &failingReader{after: 1 << 30}
	e := newEnv(t, cognitotest.PoolConfig{}, cognitotest.WithRand(r))
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "lou", Password: testPassword})
	r.after = 0
	_, err := e.passwordLogin(e.public, "lou", testPassword)
	wantErr[*types.InternalErrorException](t, err, "random source failure")
}

func TestCORS(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{})
	req, _ := http.NewRequest("OPTIONS", e.srv.URL()+"/", nil)
	req.Header.Set("Origin", "http://localhost:3000")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type,x-amz-target,x-amz-user-agent")
	resp := must(e.srv.HTTPClient().Do(req))
	resp.Body.Close()
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "x-amz-target") {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	for _, u := range []string{e.pool.JWKSURL(), e.pool.DiscoveryURL()} {
		resp := must(e.srv.HTTPClient().Get(u))
		resp.Body.Close()
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: no CORS header", u)
		}
	}
}

func TestClientAttributePermissions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "pat", Password: testPassword, Email: "pat@example.com", Attributes: map[string]string{"name": "Pat", "custom:secret": "x"}})
	c := e.pool.MustCreateClient(cognitotest.ClientConfig{ReadAttributes: []string{"email", "name"}, WriteAttributes: []string{"name"}})
	tok := e.pool.MustMintTokens(c.ID, "pat")
	id := claimsOf(t, tok.IDToken)
	if id["name"] != "Pat" || id["custom:secret"] != nil || id["sub"] == nil {
		t.Errorf("ID token with ReadAttributes: %v", id)
	}
	gu := must(e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: &tok.AccessToken}))
	if attrValue(gu.UserAttributes, "custom:secret") != "" || attrValue(gu.UserAttributes, "sub") == "" || attrValue(gu.UserAttributes, "email") != "pat@example.com" {
		t.Errorf("GetUser with ReadAttributes: %v", gu.UserAttributes)
	}
	must(e.api.UpdateUserAttributes(ctx(), &cip.UpdateUserAttributesInput{AccessToken: &tok.AccessToken, UserAttributes: []types.AttributeType{attr("name", "Patricia")}}))
	_, err := e.api.UpdateUserAttributes(ctx(), &cip.UpdateUserAttributesInput{AccessToken: &tok.AccessToken, UserAttributes: []types.AttributeType{attr("email", "new@example.com")}})
	wantErr[*types.NotAuthorizedException](t, err, "write outside WriteAttributes")
}
