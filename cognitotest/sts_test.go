package cognitotest_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

const (
	authRole  = "arn:aws:iam::123456789012:role/cognitotest-authenticated"
	guestRole = "arn:aws:iam::123456789012:role/cognitotest-unauthenticated"
)

func TestIdentityBasicFlowSTS(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t, cognitotest.IdentityPoolConfig{AllowClassicFlow: true, AllowUnauthenticated: true})
	ctx := context.Background()
	stsCfg := e.srv.AWSConfig()
	stsCfg.Credentials = aws.AnonymousCredentials{}
	stsc := sts.NewFromConfig(stsCfg, func(o *sts.Options) { o.RetryMaxAttempts = 1 })

	ann := e.getID(t, e.logins(t, "ann"))
	oid, err := e.anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: &ann, Logins: e.logins(t, "ann")})
	if err != nil {
		t.Fatalf("GetOpenIdToken: %v", err)
	}
	tok := aws.ToString(oid.Token)
	assume := func(role, session, token string, dur *int32) (*sts.AssumeRoleWithWebIdentityOutput, error) {
		return stsc.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: &role,
			RoleSessionName: &session, WebIdentityToken: &token, DurationSeconds: dur})
	}
	out, err := assume(authRole, "ann-session", tok, aws.Int32(900))
	if err != nil {
		t.Fatalf("AssumeRoleWithWebIdentity: %v", err)
	}
	c := out.Credentials
	if !strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA") || aws.ToString(c.SecretAccessKey) == "" || aws.ToString(c.SessionToken) == "" {
		t.Errorf("credentials: got %+v", c)
	}
	if got, want := aws.ToTime(c.Expiration), e.clock.Now().Add(900*time.Second); !got.Equal(want) {
		t.Errorf("Expiration: got %v; want %v", got, want)
	}
	if got := aws.ToString(out.SubjectFromWebIdentityToken); got != ann {
		t.Errorf("SubjectFromWebIdentityToken: got %s; want %s", got, ann)
	}
	if got := aws.ToString(out.Audience); got != e.idp.ID {
		t.Errorf("Audience: got %s; want %s", got, e.idp.ID)
	}
	if got, want := aws.ToString(out.AssumedRoleUser.Arn), "arn:aws:sts::123456789012:assumed-role/cognitotest-authenticated/ann-session"; got != want {
		t.Errorf("AssumedRoleUser.Arn: got %s; want %s", got, want)
	}
	if info, ok := e.srv.IssuedCredentials(aws.ToString(c.AccessKeyId)); !ok || info.IdentityID != ann || info.Source != "AssumeRoleWithWebIdentity" {
		t.Errorf("IssuedCredentials: got %+v", info)
	}

	// Guests get the unauthenticated role only.
	guest := e.getID(t, nil)
	goid, err := e.anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: &guest})
	if err != nil {
		t.Fatalf("guest GetOpenIdToken: %v", err)
	}
	if _, err := assume(guestRole, "guest", aws.ToString(goid.Token), nil); err != nil {
		t.Errorf("guest AssumeRoleWithWebIdentity: %v", err)
	}

	tampered := tok[:len(tok)-6] + "AAAAAA"
	for _, tc := range []struct {
		name, role, session, token string
		want                       string
	}{
		{"authenticated token, guest role", guestRole, "s1", tok, "AccessDenied"},
		{"guest token, authenticated role", authRole, "s1", aws.ToString(goid.Token), "AccessDenied"},
		{"tampered token", authRole, "s1", tampered, "InvalidIdentityToken"},
		{"user pool token", authRole, "s1", e.idToken(t, "ann"), "InvalidIdentityToken"},
		{"bad session name", authRole, "a b", tok, "ValidationError"},
		{"bad role", "arn:aws:iam::1:role/x", "s1", tok, "ValidationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := assume(tc.role, tc.session, tc.token, nil)
			if got := idErrCode(err); got != tc.want {
				t.Errorf("got %v (code %q); want %s", err, got, tc.want)
			}
			if tc.want == "InvalidIdentityToken" {
				idErrAs[*ststypes.InvalidIdentityTokenException](t, tc.name, err)
			}
		})
	}

	e.clock.Advance(cognitotest.DefaultOpenIDTokenLifetime + time.Second)
	_, err = assume(authRole, "late", tok, nil)
	idErrAs[*ststypes.ExpiredTokenException](t, "expired OpenID token", err)

	// A pool without the classic flow refuses GetOpenIdToken.
	e2 := newIDEnv(t, cognitotest.IdentityPoolConfig{})
	id := e2.getID(t, e2.logins(t, "ann"))
	_, err = e2.anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: &id, Logins: e2.logins(t, "ann")})
	idErrAs[*citypes.InvalidParameterException](t, "GetOpenIdToken without classic flow", err)

	// Query protocol errors.
	for _, tc := range []struct{ name, body, want string }{
		{"other action", "Action=AssumeRole&Version=2011-06-15", "InvalidAction"},
		{"no action", "Version=2011-06-15", "MissingAction"},
		{"bad version", "Action=AssumeRoleWithWebIdentity&Version=2020-01-01", "InvalidParameterValue"},
		{"repeated parameter", "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=a&RoleArn=b", "ValidationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := e.srv.HTTPClient().Post(e.srv.URL()+"/", "application/x-www-form-urlencoded", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			buf := string(b)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(buf, "<Code>"+tc.want+"</Code>") || !strings.Contains(buf, "<ErrorResponse") {
				t.Errorf("got %d %s; want 400 with <Code>%s</Code>", resp.StatusCode, buf, tc.want)
			}
		})
	}
}
