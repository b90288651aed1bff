package cognitotest_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	"github.com/aws/smithy-go"
	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// idEnv is a server with a user pool, two app clients, two users, an
// identity pool that accepts the first client, and Cognito Identity clients
// with and without credentials.
type idEnv struct {
	srv      *cognitotest.Server
	clock    *idClock
	pool     *cognitotest.Pool
	app      cognitotest.AppClient
	other    cognitotest.AppClient
	idp      cognitotest.IdentityPool
	api      *ci.Client // signed (IAM)
	anon     *ci.Client // unsigned, like an app
	provider string
}

type idClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *idClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *idClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newIDEnv(t testing.TB, cfg cognitotest.IdentityPoolConfig) *idEnv {
	t.Helper()
	clock := &idClock{t: time.Now().Truncate(time.Second)}
	srv := cognitotest.NewServer(t, cognitotest.WithClock(clock.Now), fastKeys())
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_IdTest"})
	app := pool.MustCreateClient(cognitotest.ClientConfig{Name: "app"})
	other := pool.MustCreateClient(cognitotest.ClientConfig{Name: "other"})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "ann", Password: "Passw0rd!x"})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "bob", Password: "Passw0rd!x"})
	cfg.UserPools = append(cfg.UserPools, cognitotest.IdentityPoolUserPool{UserPoolID: pool.ID(), ClientID: app.ID})
	idp := srv.MustCreateIdentityPool(cfg)
	e := &idEnv{srv: srv, clock: clock, pool: pool, app: app, other: other, idp: idp,
		provider: cognitotest.IdentityProviderName(pool.ID())}
	e.api = ci.NewFromConfig(srv.AWSConfig(), func(o *ci.Options) { o.RetryMaxAttempts = 1 })
	anonCfg := srv.AWSConfig()
	anonCfg.Credentials = aws.AnonymousCredentials{}
	e.anon = ci.NewFromConfig(anonCfg, func(o *ci.Options) { o.RetryMaxAttempts = 1 })
	return e
}

func (e *idEnv) idToken(t testing.TB, user string, opts ...cognitotest.MintOption) string {
	t.Helper()
	return e.pool.MustMintTokens(e.app.ID, user, opts...).IDToken
}

func (e *idEnv) logins(t testing.TB, user string) map[string]string {
	return map[string]string{e.provider: e.idToken(t, user)}
}

func (e *idEnv) getID(t testing.TB, logins map[string]string) string {
	t.Helper()
	out, err := e.anon.GetId(context.Background(), &ci.GetIdInput{IdentityPoolId: aws.String(e.idp.ID), Logins: logins})
	if err != nil {
		t.Fatalf("GetId: %v", err)
	}
	return aws.ToString(out.IdentityId)
}

// idErrAs asserts that err is (or wraps) a T.
func idErrAs[T error](t testing.TB, what string, err error) T {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("%s: got %v; want %T", what, err, target)
	}
	return target
}

func idErrCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestIdentityPoolManagement(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t, cognitotest.IdentityPoolConfig{})
	ctx := context.Background()
	created, err := e.api.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{
		IdentityPoolName:               aws.String("photos app"),
		AllowUnauthenticatedIdentities: true,
		AllowClassicFlow:               aws.Bool(true),
		DeveloperProviderName:          aws.String("login.example"),
		CognitoIdentityProviders: []citypes.CognitoIdentityProvider{{
			ProviderName: aws.String(e.provider), ClientId: aws.String(e.app.ID)}},
		IdentityPoolTags: map[string]string{"team": "photos"},
	})
	if err != nil {
		t.Fatalf("CreateIdentityPool: %v", err)
	}
	id := aws.ToString(created.IdentityPoolId)
	if !strings.HasPrefix(id, "us-east-1:") || len(id) != len("us-east-1:")+36 {
		t.Errorf("IdentityPoolId: got %q; want us-east-1:<uuid>", id)
	}
	desc, err := e.api.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: &id})
	if err != nil {
		t.Fatalf("DescribeIdentityPool: %v", err)
	}
	if got := aws.ToString(desc.IdentityPoolName); got != "photos app" || !desc.AllowUnauthenticatedIdentities ||
		!aws.ToBool(desc.AllowClassicFlow) || aws.ToString(desc.DeveloperProviderName) != "login.example" ||
		len(desc.CognitoIdentityProviders) != 1 || desc.IdentityPoolTags["team"] != "photos" {
		t.Errorf("DescribeIdentityPool: got %+v", desc)
	}

	upd, err := e.api.UpdateIdentityPool(ctx, &ci.UpdateIdentityPoolInput{IdentityPoolId: &id,
		IdentityPoolName: aws.String("photos"), AllowUnauthenticatedIdentities: false,
		DeveloperProviderName: aws.String("login.example")})
	if err != nil {
		t.Fatalf("UpdateIdentityPool: %v", err)
	}
	if aws.ToString(upd.IdentityPoolName) != "photos" || upd.AllowUnauthenticatedIdentities || len(upd.CognitoIdentityProviders) != 0 {
		t.Errorf("UpdateIdentityPool: got %+v", upd)
	}
	_, err = e.api.UpdateIdentityPool(ctx, &ci.UpdateIdentityPoolInput{IdentityPoolId: &id,
		IdentityPoolName: aws.String("photos"), DeveloperProviderName: aws.String("other.example")})
	idErrAs[*citypes.InvalidParameterException](t, "changing DeveloperProviderName", err)

	// Roles.
	roles := map[string]string{"authenticated": "arn:aws:iam::123456789012:role/auth", "unauthenticated": "arn:aws:iam::123456789012:role/unauth"}
	if _, err := e.api.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: &id, Roles: roles}); err != nil {
		t.Fatalf("SetIdentityPoolRoles: %v", err)
	}
	gr, err := e.api.GetIdentityPoolRoles(ctx, &ci.GetIdentityPoolRolesInput{IdentityPoolId: &id})
	if err != nil || gr.Roles["authenticated"] != roles["authenticated"] || gr.Roles["unauthenticated"] != roles["unauthenticated"] {
		t.Errorf("GetIdentityPoolRoles: got %+v, %v; want %v", gr, err, roles)
	}
	_, err = e.api.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: &id, Roles: map[string]string{"admin": roles["authenticated"]}})
	idErrAs[*citypes.InvalidParameterException](t, "unknown role key", err)
	_, err = e.api.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: &id, Roles: map[string]string{"authenticated": "not-an-arn"}})
	idErrAs[*citypes.InvalidParameterException](t, "bad role ARN", err)

	// Tags.
	arn := "arn:aws:cognito-identity:us-east-1:123456789012:identitypool/" + id
	if _, err := e.api.TagResource(ctx, &ci.TagResourceInput{ResourceArn: &arn, Tags: map[string]string{"env": "test"}}); err != nil {
		t.Fatalf("TagResource: %v", err)
	}
	if _, err := e.api.UntagResource(ctx, &ci.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"team"}}); err != nil {
		t.Fatalf("UntagResource: %v", err)
	}
	tags, err := e.api.ListTagsForResource(ctx, &ci.ListTagsForResourceInput{ResourceArn: &arn})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["env"] != "test" {
		t.Errorf("ListTagsForResource: got %v, %v; want map[env:test]", tags, err)
	}
	_, err = e.api.ListTagsForResource(ctx, &ci.ListTagsForResourceInput{ResourceArn: aws.String(arn + "0")})
	idErrAs[*citypes.ResourceNotFoundException](t, "tags of unknown pool", err)
	_, err = e.api.TagResource(ctx, &ci.TagResourceInput{ResourceArn: &arn, Tags: map[string]string{"aws:reserved": "x"}})
	idErrAs[*citypes.InvalidParameterException](t, "aws: tag", err)

	// List with paging: e.idp and id.
	for i := range 3 {
		if _, err := e.api.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("p" + string(rune('a'+i)))}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	var next *string
	for pages := 0; ; pages++ {
		out, err := e.api.ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(2), NextToken: next})
		if err != nil {
			t.Fatalf("ListIdentityPools: %v", err)
		}
		for _, p := range out.IdentityPools {
			names = append(names, aws.ToString(p.IdentityPoolName))
		}
		if next = out.NextToken; next == nil {
			break
		}
		if pages > 5 {
			t.Fatal("ListIdentityPools does not end")
		}
	}
	if got, want := strings.Join(names, ","), "identitypool,photos,pa,pb,pc"; got != want {
		t.Errorf("ListIdentityPools: got %s; want %s", got, want)
	}
	_, err = e.api.ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(61)})
	idErrAs[*citypes.InvalidParameterException](t, "MaxResults 61", err)
	_, err = e.api.ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(2), NextToken: aws.String("zz")})
	idErrAs[*citypes.InvalidParameterException](t, "bad NextToken", err)

	// Delete.
	if _, err := e.api.DeleteIdentityPool(ctx, &ci.DeleteIdentityPoolInput{IdentityPoolId: &id}); err != nil {
		t.Fatalf("DeleteIdentityPool: %v", err)
	}
	_, err = e.api.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: &id})
	idErrAs[*citypes.ResourceNotFoundException](t, "deleted pool", err)

	// Validation and authorization failures.
	for _, tc := range []struct {
		name string
		in   *ci.CreateIdentityPoolInput
	}{
		{"bad name", &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("bad/name")}},
		{"bad provider", &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("x"), CognitoIdentityProviders: []citypes.CognitoIdentityProvider{{ProviderName: aws.String("evil.example.com/us-east-1_X"), ClientId: aws.String("abc")}}}},
		{"bad client", &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("x"), CognitoIdentityProviders: []citypes.CognitoIdentityProvider{{ProviderName: aws.String(e.provider), ClientId: aws.String("a b")}}}},
		{"reserved developer name", &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("x"), DeveloperProviderName: aws.String("cognito-identity.amazonaws.com")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.api.CreateIdentityPool(ctx, tc.in)
			idErrAs[*citypes.InvalidParameterException](t, tc.name, err)
		})
	}
	_, err = e.anon.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: &e.idp.ID})
	if code := idErrCode(err); code != "MissingAuthenticationTokenException" {
		t.Errorf("DescribeIdentityPool without credentials: got %v; want MissingAuthenticationTokenException", err)
	}
	_, err = e.api.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: aws.String("not-an-id")})
	idErrAs[*citypes.InvalidParameterException](t, "malformed pool ID", err)
}

func TestIdentityGetIdAndCredentials(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t, cognitotest.IdentityPoolConfig{CredentialsLifetime: 30 * time.Minute})
	ctx := context.Background()
	ann := e.getID(t, e.logins(t, "ann"))
	if again := e.getID(t, e.logins(t, "ann")); again != ann {
		t.Errorf("GetId for the same user: got %s; want %s", again, ann)
	}
	bob := e.getID(t, e.logins(t, "bob"))
	if bob == ann {
		t.Fatalf("GetId: two users share identity %s", ann)
	}

	out, err := e.anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &ann, Logins: e.logins(t, "ann")})
	if err != nil {
		t.Fatalf("GetCredentialsForIdentity: %v", err)
	}
	c := out.Credentials
	if !strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA") || len(aws.ToString(c.SecretKey)) != 40 || aws.ToString(c.SessionToken) == "" {
		t.Errorf("credentials: got key %q, secret of %d characters; want ASIA..., 40", aws.ToString(c.AccessKeyId), len(aws.ToString(c.SecretKey)))
	}
	if got, want := aws.ToTime(c.Expiration), e.clock.Now().Add(30*time.Minute); !got.Equal(want) {
		t.Errorf("Expiration: got %v; want %v", got, want)
	}
	info, ok := e.srv.IssuedCredentials(aws.ToString(c.AccessKeyId))
	if !ok || info.IdentityID != ann || !info.Authenticated || !strings.HasSuffix(info.RoleARN, "role/cognitotest-authenticated") {
		t.Errorf("IssuedCredentials: got %+v, %v; want identity %s, authenticated role", info, ok, ann)
	}

	desc, err := e.api.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: &ann})
	if err != nil || len(desc.Logins) != 1 || desc.Logins[0] != e.provider {
		t.Errorf("DescribeIdentity: got %+v, %v; want logins [%s]", desc, err, e.provider)
	}

	forged := e.idToken(t, "ann")
	forged = forged[:len(forged)-4] + "AAAA"
	otherPool := e.srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Other"})
	otherApp := otherPool.MustCreateClient(cognitotest.ClientConfig{})
	otherPool.MustCreateUser(cognitotest.UserConfig{Username: "ann", Password: "Passw0rd!x"})
	for _, tc := range []struct {
		name   string
		logins map[string]string
		id     string
	}{
		{"forged signature", map[string]string{e.provider: forged}, ""},
		{"expired", map[string]string{e.provider: e.idToken(t, "ann", cognitotest.TokenExpiresAt(e.clock.Now().Add(-time.Minute)))}, ""},
		{"wrong audience", map[string]string{e.provider: e.pool.MustMintTokens(e.other.ID, "ann").IDToken}, ""},
		{"access token", map[string]string{e.provider: e.pool.MustMintTokens(e.app.ID, "ann").AccessToken}, ""},
		{"token of another pool", map[string]string{e.provider: otherPool.MustMintTokens(otherApp.ID, "ann").IDToken}, ""},
		{"unsupported provider", map[string]string{cognitotest.IdentityProviderName("us-east-1_Other"): otherPool.MustMintTokens(otherApp.ID, "ann").IDToken}, ""},
		{"unknown provider", map[string]string{"accounts.google.com": "x.y.z"}, ""},
		{"another user's identity", e.logins(t, "bob"), ann},
		{"no logins for an authenticated identity", nil, ann},
		{"garbage", map[string]string{e.provider: "not a jwt"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.id == "" {
				_, err := e.anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &e.idp.ID, Logins: tc.logins})
				idErrAs[*citypes.NotAuthorizedException](t, "GetId", err)
				tc.id = ann
			}
			_, err := e.anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &tc.id, Logins: tc.logins})
			idErrAs[*citypes.NotAuthorizedException](t, "GetCredentialsForIdentity", err)
		})
	}
	_, err = e.anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &e.idp.ID, Logins: map[string]string{e.provider: strings.Repeat("a", 50001)}})
	idErrAs[*citypes.InvalidParameterException](t, "oversized token", err)
	many := map[string]string{}
	for i := range 11 {
		many["p"+string(rune('a'+i))] = "t"
	}
	_, err = e.anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &e.idp.ID, Logins: many})
	idErrAs[*citypes.InvalidParameterException](t, "11 logins", err)
	_, err = e.anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: aws.String("us-east-1:00000000-0000-0000-0000-000000000000"), Logins: e.logins(t, "ann")})
	idErrAs[*citypes.ResourceNotFoundException](t, "unknown pool", err)
	_, err = e.anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: aws.String("us-east-1:00000000-0000-0000-0000-000000000000")})
	idErrAs[*citypes.ResourceNotFoundException](t, "unknown identity", err)

	// Guests are refused by this pool.
	_, err = e.anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &e.idp.ID})
	idErrAs[*citypes.NotAuthorizedException](t, "guest GetId", err)

	// CustomRoleArn: the authenticated role is allowed, others are not.
	_, err = e.anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &ann, Logins: e.logins(t, "ann"),
		CustomRoleArn: aws.String("arn:aws:iam::123456789012:role/admin")})
	idErrAs[*citypes.NotAuthorizedException](t, "CustomRoleArn not allowed", err)
	withRoles := map[string]string{e.provider: e.idToken(t, "ann", cognitotest.IDClaims(map[string]any{
		"cognito:roles": []string{"arn:aws:iam::123456789012:role/admin"}, "cognito:preferred_role": "arn:aws:iam::123456789012:role/admin"}))}
	if _, err := e.api.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: &e.idp.ID,
		Roles: map[string]string{"authenticated": "arn:aws:iam::123456789012:role/auth"},
		RoleMappings: map[string]citypes.RoleMapping{e.provider: {Type: citypes.RoleMappingTypeToken,
			AmbiguousRoleResolution: citypes.AmbiguousRoleResolutionTypeAuthenticatedRole}}}); err != nil {
		t.Fatal(err)
	}
	out, err = e.anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &ann, Logins: withRoles,
		CustomRoleArn: aws.String("arn:aws:iam::123456789012:role/admin")})
	if err != nil {
		t.Fatalf("CustomRoleArn from cognito:roles: %v", err)
	}
	if info, _ := e.srv.IssuedCredentials(aws.ToString(out.Credentials.AccessKeyId)); info.RoleARN != "arn:aws:iam::123456789012:role/admin" {
		t.Errorf("role: got %s; want the custom role", info.RoleARN)
	}
	out, err = e.anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &ann, Logins: e.logins(t, "ann")})
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := e.srv.IssuedCredentials(aws.ToString(out.Credentials.AccessKeyId)); info.RoleARN != "arn:aws:iam::123456789012:role/auth" {
		t.Errorf("role without preferred_role: got %s; want the authenticated role", info.RoleARN)
	}
	// Rules mapping with Deny.
	if _, err := e.api.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: &e.idp.ID,
		Roles: map[string]string{"authenticated": "arn:aws:iam::123456789012:role/auth"},
		RoleMappings: map[string]citypes.RoleMapping{e.provider: {Type: citypes.RoleMappingTypeRules,
			AmbiguousRoleResolution: citypes.AmbiguousRoleResolutionTypeDeny,
			RulesConfiguration: &citypes.RulesConfigurationType{Rules: []citypes.MappingRule{{Claim: aws.String("cognito:username"),
				MatchType: citypes.MappingRuleMatchTypeEquals, Value: aws.String("ann"), RoleARN: aws.String("arn:aws:iam::123456789012:role/ann")}}}}}}); err != nil {
		t.Fatal(err)
	}
	out, err = e.anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &ann, Logins: e.logins(t, "ann")})
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := e.srv.IssuedCredentials(aws.ToString(out.Credentials.AccessKeyId)); info.RoleARN != "arn:aws:iam::123456789012:role/ann" {
		t.Errorf("rules mapping: got %s; want role/ann", info.RoleARN)
	}
	_, err = e.anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &bob, Logins: e.logins(t, "bob")})
	idErrAs[*citypes.NotAuthorizedException](t, "rules mapping, no match, Deny", err)

	// Injected throttling reaches the SDK as TooManyRequestsException.
	e.srv.FailOperation("GetId", 1, "TooManyRequestsException", "Rate exceeded")
	_, err = e.anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &e.idp.ID, Logins: e.logins(t, "ann")})
	idErrAs[*citypes.TooManyRequestsException](t, "throttled GetId", err)
}

func TestIdentityGuests(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t, cognitotest.IdentityPoolConfig{AllowUnauthenticated: true})
	ctx := context.Background()
	g1, g2 := e.getID(t, nil), e.getID(t, nil)
	if g1 == g2 {
		t.Errorf("two guest GetId calls: got the same identity %s; want two", g1)
	}
	out, err := e.anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &g1})
	if err != nil {
		t.Fatalf("guest credentials: %v", err)
	}
	if info, _ := e.srv.IssuedCredentials(aws.ToString(out.Credentials.AccessKeyId)); info.Authenticated || !strings.HasSuffix(info.RoleARN, "unauthenticated") {
		t.Errorf("guest credentials: got %+v; want the unauthenticated role", info)
	}
	// The guest signs in: its identity becomes authenticated.
	if _, err := e.anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &g1, Logins: e.logins(t, "ann")}); err != nil {
		t.Fatalf("guest upgrade: %v", err)
	}
	if got := e.getID(t, e.logins(t, "ann")); got != g1 {
		t.Errorf("GetId after upgrade: got %s; want %s", got, g1)
	}
	_, err = e.anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &g1})
	idErrAs[*citypes.NotAuthorizedException](t, "authenticated identity without logins", err)

	// UnlinkIdentity turns it back into a guest.
	if _, err := e.anon.UnlinkIdentity(ctx, &ci.UnlinkIdentityInput{IdentityId: &g1, Logins: e.logins(t, "ann"), LoginsToRemove: []string{e.provider}}); err != nil {
		t.Fatalf("UnlinkIdentity: %v", err)
	}
	if _, err := e.anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &g1}); err != nil {
		t.Errorf("credentials after unlink: %v", err)
	}
	_, err = e.anon.UnlinkIdentity(ctx, &ci.UnlinkIdentityInput{IdentityId: &g2, Logins: e.logins(t, "bob"), LoginsToRemove: []string{e.provider}})
	idErrAs[*citypes.NotAuthorizedException](t, "UnlinkIdentity with logins of another identity", err)

	// ListIdentities pages; DeleteIdentities reports unknown IDs.
	ids, _ := e.srv.IdentityIDs(e.idp.ID)
	var listed []string
	var next *string
	for {
		out, err := e.api.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: &e.idp.ID, MaxResults: aws.Int32(1), NextToken: next})
		if err != nil {
			t.Fatalf("ListIdentities: %v", err)
		}
		for _, i := range out.Identities {
			listed = append(listed, aws.ToString(i.IdentityId))
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	if strings.Join(listed, ",") != strings.Join(ids, ",") || len(ids) != 2 {
		t.Errorf("ListIdentities: got %v; want %v", listed, ids)
	}
	unknown := "us-east-1:00000000-0000-0000-0000-000000000000"
	del, err := e.api.DeleteIdentities(ctx, &ci.DeleteIdentitiesInput{IdentityIdsToDelete: []string{g2, unknown}})
	if err != nil || len(del.UnprocessedIdentityIds) != 1 || aws.ToString(del.UnprocessedIdentityIds[0].IdentityId) != unknown {
		t.Errorf("DeleteIdentities: got %+v, %v; want %s unprocessed", del, err, unknown)
	}
	_, err = e.api.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: &g2})
	idErrAs[*citypes.ResourceNotFoundException](t, "deleted identity", err)
	_, err = e.api.DeleteIdentities(ctx, &ci.DeleteIdentitiesInput{IdentityIdsToDelete: nil})
	if err == nil {
		t.Error("DeleteIdentities with no IDs: got nil; want an error")
	}
}

func TestIdentityDeveloperAuthenticated(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t, cognitotest.IdentityPoolConfig{DeveloperProviderName: "login.example"})
	ctx := context.Background()
	tokenFor := func(user string, identityID *string) (*ci.GetOpenIdTokenForDeveloperIdentityOutput, error) {
		return e.api.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
			IdentityPoolId: &e.idp.ID, IdentityId: identityID, Logins: map[string]string{"login.example": user}, TokenDuration: aws.Int64(600)})
	}
	u1, err := tokenFor("user-1", nil)
	if err != nil {
		t.Fatalf("GetOpenIdTokenForDeveloperIdentity: %v", err)
	}
	id1 := aws.ToString(u1.IdentityId)
	again, err := tokenFor("user-1", nil)
	if err != nil || aws.ToString(again.IdentityId) != id1 {
		t.Errorf("same developer user: got %v, %v; want %s", again, err, id1)
	}
	// The token gets credentials for that identity only.
	out, err := e.anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &id1,
		Logins: map[string]string{cognitotest.CognitoIdentityProviderName: aws.ToString(u1.Token)}})
	if err != nil {
		t.Fatalf("GetCredentialsForIdentity with the developer token: %v", err)
	}
	if info, _ := e.srv.IssuedCredentials(aws.ToString(out.Credentials.AccessKeyId)); info.IdentityID != id1 || !info.Authenticated {
		t.Errorf("developer credentials: got %+v; want identity %s", info, id1)
	}
	u2, err := tokenFor("user-2", nil)
	if err != nil {
		t.Fatal(err)
	}
	id2 := aws.ToString(u2.IdentityId)
	_, err = e.anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &id2,
		Logins: map[string]string{cognitotest.CognitoIdentityProviderName: aws.ToString(u1.Token)}})
	idErrAs[*citypes.NotAuthorizedException](t, "token of another identity", err)
	_, err = e.anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &e.idp.ID, Logins: map[string]string{"login.example": "user-1"}})
	idErrAs[*citypes.NotAuthorizedException](t, "developer provider in GetId", err)

	// Link a second developer user to identity 1, then look it up.
	if _, err := tokenFor("user-1b", &id1); err != nil {
		t.Fatalf("link user-1b: %v", err)
	}
	_, err = tokenFor("user-2", &id1)
	idErrAs[*citypes.DeveloperUserAlreadyRegisteredException](t, "user-2 to identity 1", err)
	look, err := e.api.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: &e.idp.ID, DeveloperUserIdentifier: aws.String("user-1b")})
	if err != nil || aws.ToString(look.IdentityId) != id1 || strings.Join(look.DeveloperUserIdentifierList, ",") != "user-1,user-1b" {
		t.Errorf("LookupDeveloperIdentity: got %+v, %v; want %s [user-1 user-1b]", look, err, id1)
	}
	look, err = e.api.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: &e.idp.ID, IdentityId: &id1, MaxResults: aws.Int32(1)})
	if err != nil || len(look.DeveloperUserIdentifierList) != 1 || look.NextToken == nil {
		t.Errorf("LookupDeveloperIdentity by ID, 1 result: got %+v, %v", look, err)
	}
	_, err = e.api.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: &e.idp.ID, DeveloperUserIdentifier: aws.String("nobody")})
	idErrAs[*citypes.ResourceNotFoundException](t, "lookup unknown user", err)

	// Merge user-2's identity into user-1's.
	merged, err := e.api.MergeDeveloperIdentities(ctx, &ci.MergeDeveloperIdentitiesInput{IdentityPoolId: &e.idp.ID, DeveloperProviderName: aws.String("login.example"),
		SourceUserIdentifier: aws.String("user-2"), DestinationUserIdentifier: aws.String("user-1")})
	if err != nil || aws.ToString(merged.IdentityId) != id1 {
		t.Fatalf("MergeDeveloperIdentities: got %v, %v; want %s", merged, err, id1)
	}
	_, err = e.api.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: &id2})
	idErrAs[*citypes.ResourceNotFoundException](t, "merged-away identity", err)
	if u, err := tokenFor("user-2", nil); err != nil || aws.ToString(u.IdentityId) != id1 {
		t.Errorf("user-2 after merge: got %v, %v; want %s", u, err, id1)
	}
	_, err = e.api.MergeDeveloperIdentities(ctx, &ci.MergeDeveloperIdentitiesInput{IdentityPoolId: &e.idp.ID, DeveloperProviderName: aws.String("other"),
		SourceUserIdentifier: aws.String("user-2"), DestinationUserIdentifier: aws.String("user-1")})
	idErrAs[*citypes.InvalidParameterException](t, "merge with the wrong provider", err)

	// Unlink.
	if _, err := e.api.UnlinkDeveloperIdentity(ctx, &ci.UnlinkDeveloperIdentityInput{IdentityId: &id1, IdentityPoolId: &e.idp.ID,
		DeveloperProviderName: aws.String("login.example"), DeveloperUserIdentifier: aws.String("user-2")}); err != nil {
		t.Fatalf("UnlinkDeveloperIdentity: %v", err)
	}
	_, err = e.api.UnlinkDeveloperIdentity(ctx, &ci.UnlinkDeveloperIdentityInput{IdentityId: &id1, IdentityPoolId: &e.idp.ID,
		DeveloperProviderName: aws.String("login.example"), DeveloperUserIdentifier: aws.String("user-2")})
	idErrAs[*citypes.ResourceNotFoundException](t, "unlink twice", err)

	// The token expires with TokenDuration.
	e.clock.Advance(601 * time.Second)
	_, err = e.anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &id1,
		Logins: map[string]string{cognitotest.CognitoIdentityProviderName: aws.ToString(u1.Token)}})
	idErrAs[*citypes.NotAuthorizedException](t, "expired developer token", err)

	_, err = e.api.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: &e.idp.ID,
		Logins: map[string]string{"login.example": "u"}, TokenDuration: aws.Int64(86401)})
	idErrAs[*citypes.InvalidParameterException](t, "TokenDuration too long", err)
	_, err = e.anon.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: &e.idp.ID,
		Logins: map[string]string{"login.example": "u"}})
	if code := idErrCode(err); code != "MissingAuthenticationTokenException" {
		t.Errorf("developer token without IAM: got %v; want MissingAuthenticationTokenException", err)
	}
}

func TestIdentityProtocolErrors(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t, cognitotest.IdentityPoolConfig{})
	for _, tc := range []struct {
		name, target, ctype, body, want string
	}{
		{"unknown op", "AWSCognitoIdentityService.Nope", "application/x-amz-json-1.1", "{}", "UnknownOperationException"},
		{"bad JSON", "AWSCognitoIdentityService.GetId", "application/x-amz-json-1.1", "{", "SerializationException"},
		{"wrong type", "AWSCognitoIdentityService.GetId", "application/x-amz-json-1.1", `{"Logins":[1]}`, "SerializationException"},
		{"wrong content type", "AWSCognitoIdentityService.GetId", "application/json", "{}", "SerializationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", e.srv.URL()+"/", bytes.NewBufferString(tc.body))
			req.Header.Set("X-Amz-Target", tc.target)
			req.Header.Set("Content-Type", tc.ctype)
			resp, err := e.srv.HTTPClient().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("X-Amzn-Errortype"); got != tc.want || resp.StatusCode != 400 {
				t.Errorf("got %d %s; want 400 %s", resp.StatusCode, got, tc.want)
			}
		})
	}
}

// TestIdentityOpenIDTokensVerify: the OpenID tokens verify against
// IdentityJWKS (parsed by jwx) with crypto/rsa, with Cognito's claims.
func TestIdentityOpenIDTokensVerify(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t, cognitotest.IdentityPoolConfig{AllowClassicFlow: true})
	id := e.getID(t, e.logins(t, "ann"))
	out, err := e.anon.GetOpenIdToken(context.Background(), &ci.GetOpenIdTokenInput{IdentityId: &id, Logins: e.logins(t, "ann")})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := e.srv.IdentityJWKS()
	if err != nil {
		t.Fatal(err)
	}
	set, err := jwk.Parse(doc)
	if err != nil || set.Len() != 1 {
		t.Fatalf("jwk.Parse: %v", err)
	}
	key, _ := set.Key(0)
	var pub rsa.PublicKey
	if err := jwk.Export(key, &pub); err != nil {
		t.Fatal(err)
	}
	tok := aws.ToString(out.Token)
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	verify := func(signing, sig string) error {
		raw, err := base64.RawURLEncoding.DecodeString(sig)
		if err != nil {
			return err
		}
		sum := sha512.Sum512([]byte(signing))
		return rsa.VerifyPKCS1v15(&pub, crypto.SHA512, sum[:], raw)
	}
	if err := verify(parts[0]+"."+parts[1], parts[2]); err != nil {
		t.Fatalf("signature: %v", err)
	}
	var hdr struct{ Alg, Kid string }
	var claims struct {
		Iss, Sub, Aud string
		Amr           []string
		Exp, Iat      int64
	}
	h, _ := base64.RawURLEncoding.DecodeString(parts[0])
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if json.Unmarshal(h, &hdr) != nil || json.Unmarshal(b, &claims) != nil {
		t.Fatal("undecodable token")
	}
	kid, _ := key.KeyID()
	if hdr.Alg != "RS512" || hdr.Kid != kid {
		t.Errorf("header: got %+v; want RS512 and kid %s", hdr, kid)
	}
	if claims.Iss != "https://cognito-identity.amazonaws.com" || claims.Sub != id || claims.Aud != e.idp.ID ||
		claims.Exp-claims.Iat != int64(cognitotest.DefaultOpenIDTokenLifetime/time.Second) {
		t.Errorf("claims: got %+v", claims)
	}
	if len(claims.Amr) < 2 || claims.Amr[0] != "authenticated" || claims.Amr[1] != e.provider {
		t.Errorf("amr: got %v; want [authenticated %s ...]", claims.Amr, e.provider)
	}
	if verify(parts[0]+"."+parts[1]+"x", parts[2]) == nil {
		t.Error("a tampered token verified")
	}
}

// TestIdentityServerSideTokenCheck: with ServerSideTokenCheck, tokens of
// deleted users are refused; deleting an identity pool deletes its
// identities.
func TestIdentityServerSideTokenCheck(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t, cognitotest.IdentityPoolConfig{})
	ctx := context.Background()
	out, err := e.api.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("checked"),
		CognitoIdentityProviders: []citypes.CognitoIdentityProvider{{ProviderName: aws.String(e.provider),
			ClientId: aws.String(e.app.ID), ServerSideTokenCheck: aws.Bool(true)}}})
	if err != nil {
		t.Fatal(err)
	}
	annTok := e.logins(t, "ann")
	got, err := e.anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: out.IdentityPoolId, Logins: annTok})
	if err != nil {
		t.Fatalf("GetId: %v", err)
	}
	if err := e.pool.DeleteUser("ann"); err != nil {
		t.Fatal(err)
	}
	_, err = e.anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: got.IdentityId, Logins: annTok})
	idErrAs[*citypes.NotAuthorizedException](t, "token of a deleted user", err)
	// The pool without the check still accepts the (valid) token.
	if _, err := e.anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &e.idp.ID, Logins: annTok}); err != nil {
		t.Errorf("GetId without ServerSideTokenCheck: %v", err)
	}
	if _, err := e.api.DeleteIdentityPool(ctx, &ci.DeleteIdentityPoolInput{IdentityPoolId: out.IdentityPoolId}); err != nil {
		t.Fatal(err)
	}
	_, err = e.api.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: got.IdentityId})
	idErrAs[*citypes.ResourceNotFoundException](t, "identity of a deleted pool", err)
}
