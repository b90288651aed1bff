package identitypool_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/identitypool"
)

// TestDeveloperAuthenticated: a backend gets tokens for its users with
// Developer; clients exchange them for credentials with Config.Developer.
func TestDeveloperAuthenticated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, cognitotest.IdentityPoolConfig{DeveloperProviderName: "login.example.com", AllowUnauthenticated: true})
	d, err := identitypool.NewDeveloper(identitypool.DeveloperConfig{API: e.iam, IdentityPoolID: e.idp.ID,
		ProviderName: "login.example.com", TokenDuration: 10 * time.Minute, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := d.Token(ctx, identitypool.DeveloperTokenInput{UserID: "user-42"})
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if !tok.Expiry.Equal(e.clock.Now().Add(10*time.Minute)) || tok.Token == "" {
		t.Errorf("Token: got %+v; want a token expiring in 10 minutes", tok)
	}
	id, err := d.Lookup(ctx, "user-42")
	if err != nil || id != tok.IdentityID {
		t.Errorf("Lookup: got %s, %v; want %s", id, err, tok.IdentityID)
	}

	// The client side: its backend hands out fresh tokens.
	var fetched atomic.Int32
	p := e.provider(t, func(c *identitypool.Config) {
		c.Developer = func(ctx context.Context) (identitypool.DeveloperToken, error) {
			fetched.Add(1)
			return d.Token(ctx, identitypool.DeveloperTokenInput{UserID: "user-42"})
		}
	})
	creds, err := p.Retrieve(ctx)
	if err != nil {
		t.Fatalf("Retrieve: %v", err)
	}
	if info := e.whose(t, creds); info.IdentityID != tok.IdentityID || !info.Authenticated {
		t.Errorf("credentials: got %+v; want identity %s, authenticated", info, tok.IdentityID)
	}
	if got := e.api.getID.Load(); got != 0 {
		t.Errorf("GetId calls: got %d; want 0 (the token carries the identity)", got)
	}
	if id, err := p.IdentityID(ctx); err != nil || id != tok.IdentityID {
		t.Errorf("IdentityID: got %s, %v; want %s", id, err, tok.IdentityID)
	}

	// An expired developer token is fetched again once.
	stale := tok
	fetched.Store(0)
	p2 := e.provider(t, func(c *identitypool.Config) {
		c.Developer = func(ctx context.Context) (identitypool.DeveloperToken, error) {
			if fetched.Add(1) == 1 {
				return stale, nil
			}
			return d.Token(ctx, identitypool.DeveloperTokenInput{UserID: "user-42"})
		}
	})
	e.clock.Advance(11 * time.Minute)
	if _, err := p2.Retrieve(ctx); err != nil || fetched.Load() != 2 {
		t.Errorf("Retrieve with an expired developer token: %v after %d fetches; want success after 2", err, fetched.Load())
	}

	// Link a second user identifier to the same identity; a third one
	// already linked elsewhere conflicts.
	if _, err := d.Token(ctx, identitypool.DeveloperTokenInput{UserID: "user-42-alt", IdentityID: tok.IdentityID}); err != nil {
		t.Fatalf("link: %v", err)
	}
	users, err := d.UserIDs(ctx, tok.IdentityID)
	if err != nil || strings.Join(users, ",") != "user-42,user-42-alt" {
		t.Errorf("UserIDs: got %v, %v; want [user-42 user-42-alt]", users, err)
	}
	if _, err := d.Token(ctx, identitypool.DeveloperTokenInput{UserID: "user-7"}); err != nil {
		t.Fatal(err)
	}
	_, err = d.Token(ctx, identitypool.DeveloperTokenInput{UserID: "user-7", IdentityID: tok.IdentityID})
	if !errors.Is(err, identitypool.ErrConflict) || !isErr[*citypes.DeveloperUserAlreadyRegisteredException](err) {
		t.Errorf("linking a registered user: got %v; want ErrConflict", err)
	}
	_, err = d.Lookup(ctx, "nobody")
	if !errors.Is(err, identitypool.ErrIdentityNotFound) {
		t.Errorf("Lookup of an unknown user: got %v; want ErrIdentityNotFound", err)
	}
	for _, bad := range []string{"", strings.Repeat("u", identitypool.MaxDeveloperUserIDBytes+1)} {
		if _, err := d.Token(ctx, identitypool.DeveloperTokenInput{UserID: bad}); !errors.Is(err, identitypool.ErrInvalidInput) {
			t.Errorf("UserID of %d bytes: got %v; want ErrInvalidInput", len(bad), err)
		}
	}

	// A backend without IAM credentials is refused.
	anon := ci.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(e.srv.URL()), HTTPClient: e.srv.HTTPClient(),
		Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1})
	dn, _ := identitypool.NewDeveloper(identitypool.DeveloperConfig{API: anon, IdentityPoolID: e.idp.ID, ProviderName: "login.example.com"})
	if _, err := dn.Token(ctx, identitypool.DeveloperTokenInput{UserID: "u"}); err == nil {
		t.Error("Token without IAM credentials: got nil; want an error")
	}

	// A backend's own provider, with TokenFunc.
	pb := e.provider(t, func(c *identitypool.Config) { c.Developer = d.TokenFunc("user-7") })
	c, err := pb.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id7, _ := d.Lookup(ctx, "user-7"); e.whose(t, c).IdentityID != id7 {
		t.Errorf("TokenFunc: credentials of %s; want user-7's %s", e.whose(t, c).IdentityID, id7)
	}
}

// TestBasicFlow: GetOpenIdToken, then STS AssumeRoleWithWebIdentity.
func TestBasicFlow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const (
		authRole  = "arn:aws:iam::123456789012:role/cognitotest-authenticated"
		guestRole = "arn:aws:iam::123456789012:role/cognitotest-unauthenticated"
	)
	e := newEnv(t, cognitotest.IdentityPoolConfig{AllowClassicFlow: true, AllowUnauthenticated: true})
	basic := func(role, guest string) *identitypool.BasicFlow {
		return &identitypool.BasicFlow{STS: e.sts, RoleARN: role, GuestRoleARN: guest, RoleSessionName: "app-user", Duration: 20 * time.Minute}
	}
	p := e.provider(t, func(c *identitypool.Config) {
		c.Logins = []identitypool.Login{e.login(t, e.signIn(t, "ann"))}
		c.Basic = basic(authRole, guestRole)
	})
	creds, err := aws.NewCredentialsCache(p).Retrieve(ctx)
	if err != nil {
		t.Fatalf("basic flow Retrieve: %v", err)
	}
	info := e.whose(t, creds)
	if info.Source != "AssumeRoleWithWebIdentity" || info.RoleARN != authRole || info.IdentityID != e.identityOf(t, "ann") {
		t.Errorf("credentials: got %+v; want ann's, from AssumeRoleWithWebIdentity with %s", info, authRole)
	}
	if got, want := info.Expiration, e.clock.Now().Add(20*time.Minute); !got.Equal(want) {
		t.Errorf("Expiration: got %v; want %v (Duration)", got, want)
	}
	if e.api.openID.Load() != 1 || e.api.creds.Load() != 0 {
		t.Errorf("calls: GetOpenIdToken %d, GetCredentialsForIdentity %d; want 1, 0", e.api.openID.Load(), e.api.creds.Load())
	}

	guest := e.provider(t, func(c *identitypool.Config) { c.AllowGuest = true; c.Basic = basic(authRole, guestRole) })
	gc, err := guest.Retrieve(ctx)
	if err != nil {
		t.Fatalf("basic guest: %v", err)
	}
	if gi := e.whose(t, gc); gi.RoleARN != guestRole || gi.Authenticated {
		t.Errorf("guest credentials: got %+v; want %s", gi, guestRole)
	}

	wrong := e.provider(t, func(c *identitypool.Config) {
		c.Logins = []identitypool.Login{e.login(t, e.signIn(t, "bob"))}
		c.Basic = basic(guestRole, "")
	})
	_, err = wrong.Retrieve(ctx)
	var ae *identitypool.APIError
	if !errors.Is(err, identitypool.ErrNotAuthorized) || !errors.As(err, &ae) || ae.Code != "AccessDenied" || ae.Op != "AssumeRoleWithWebIdentity" {
		t.Errorf("wrong role: got %v; want ErrNotAuthorized AccessDenied", err)
	}

	noGuestRole := e.provider(t, func(c *identitypool.Config) { c.AllowGuest = true; c.Basic = basic(authRole, "") })
	if _, err := noGuestRole.Retrieve(ctx); !errors.Is(err, identitypool.ErrInvalidConfig) {
		t.Errorf("guest without GuestRoleARN: got %v; want ErrInvalidConfig", err)
	}

	e2 := newEnv(t, cognitotest.IdentityPoolConfig{})
	noClassic := e2.provider(t, func(c *identitypool.Config) {
		c.Logins = []identitypool.Login{e2.login(t, e2.signIn(t, "ann"))}
		c.Basic = &identitypool.BasicFlow{STS: e2.sts, RoleARN: authRole}
	})
	if _, err := noClassic.Retrieve(ctx); !errors.Is(err, identitypool.ErrPoolMisconfigured) {
		t.Errorf("pool without the classic flow: got %v; want ErrPoolMisconfigured", err)
	}
}

// TestCustomRoleARN asks for a role the user's token allows.
func TestCustomRoleARN(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, cognitotest.IdentityPoolConfig{})
	const admin = "arn:aws:iam::123456789012:role/admin"
	if _, err := e.iam.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: &e.idp.ID,
		Roles: map[string]string{"authenticated": "arn:aws:iam::123456789012:role/auth"},
		RoleMappings: map[string]citypes.RoleMapping{identitypool.UserPoolProvider(e.pool.ID()): {
			Type: citypes.RoleMappingTypeToken, AmbiguousRoleResolution: citypes.AmbiguousRoleResolutionTypeAuthenticatedRole}}}); err != nil {
		t.Fatal(err)
	}
	withRole := e.pool.MustMintTokens(e.app.ID, "ann", cognitotest.IDClaims(map[string]any{"cognito:roles": []string{admin}})).IDToken
	without := e.pool.MustMintTokens(e.app.ID, "bob").IDToken
	for _, tc := range []struct {
		name, token string
		ok          bool
	}{
		{"allowed by cognito:roles", withRole, true},
		{"not allowed", without, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := e.provider(t, func(c *identitypool.Config) {
				c.Logins = []identitypool.Login{e.login(t, &staticSource{tokens: []string{tc.token}})}
				c.CustomRoleARN = admin
			})
			creds, err := p.Retrieve(ctx)
			if !tc.ok {
				if !errors.Is(err, identitypool.ErrNotAuthorized) {
					t.Errorf("got %v; want ErrNotAuthorized", err)
				}
				return
			}
			if err != nil || e.whose(t, creds).RoleARN != admin {
				t.Errorf("got %v; want credentials for %s", err, admin)
			}
		})
	}
}

// TestConfig checks New's validation.
func TestConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.IdentityPoolConfig{})
	src := &staticSource{tokens: []string{"x"}}
	good := func() identitypool.Config {
		return identitypool.Config{API: e.api, IdentityPoolID: e.idp.ID}
	}
	login := e.login(t, src)
	for _, tc := range []struct {
		name string
		mod  func(*identitypool.Config)
		want error
	}{
		{"no API", func(c *identitypool.Config) { c.API = nil }, identitypool.ErrInvalidConfig},
		{"bad pool ID", func(c *identitypool.Config) { c.IdentityPoolID = "us-east-1_AbC" }, identitypool.ErrInvalidConfig},
		{"bad account", func(c *identitypool.Config) { c.AccountID = "12" }, identitypool.ErrInvalidConfig},
		{"developer and logins", func(c *identitypool.Config) {
			c.Logins = []identitypool.Login{login}
			c.Developer = func(context.Context) (identitypool.DeveloperToken, error) { return identitypool.DeveloperToken{}, nil }
		}, identitypool.ErrInvalidConfig},
		{"duplicate login", func(c *identitypool.Config) { c.Logins = []identitypool.Login{login, login} }, identitypool.ErrInvalidInput},
		{"nil source", func(c *identitypool.Config) { c.Logins = []identitypool.Login{{Provider: login.Provider}} }, identitypool.ErrInvalidInput},
		{"bad provider", func(c *identitypool.Config) { c.Logins = []identitypool.Login{{Provider: "a b", Source: src}} }, identitypool.ErrInvalidInput},
		{"developer provider as login", func(c *identitypool.Config) {
			c.Logins = []identitypool.Login{{Provider: identitypool.DeveloperProvider, Source: src}}
		}, identitypool.ErrInvalidInput},
		{"too many logins", func(c *identitypool.Config) {
			for i := range identitypool.MaxLogins + 1 {
				c.Logins = append(c.Logins, identitypool.Login{Provider: "p" + string(rune('a'+i)), Source: src})
			}
		}, identitypool.ErrInvalidInput},
		{"bad custom role", func(c *identitypool.Config) { c.CustomRoleARN = "admin" }, identitypool.ErrInvalidConfig},
		{"margin too large", func(c *identitypool.Config) { c.EarlyExpiry = time.Hour }, identitypool.ErrInvalidConfig},
		{"negative cache", func(c *identitypool.Config) { c.MaxCachedIdentities = -1 }, identitypool.ErrInvalidConfig},
		{"basic without STS", func(c *identitypool.Config) {
			c.Basic = &identitypool.BasicFlow{RoleARN: "arn:aws:iam::123456789012:role/a"}
		}, identitypool.ErrInvalidConfig},
		{"basic without roles", func(c *identitypool.Config) { c.Basic = &identitypool.BasicFlow{STS: e.sts} }, identitypool.ErrInvalidConfig},
		{"basic bad duration", func(c *identitypool.Config) {
			c.Basic = &identitypool.BasicFlow{STS: e.sts, RoleARN: "arn:aws:iam::123456789012:role/a", Duration: time.Minute}
		}, identitypool.ErrInvalidConfig},
		{"basic bad session", func(c *identitypool.Config) {
			c.Basic = &identitypool.BasicFlow{STS: e.sts, RoleARN: "arn:aws:iam::123456789012:role/a", RoleSessionName: "a b"}
		}, identitypool.ErrInvalidConfig},
		{"basic with custom role", func(c *identitypool.Config) {
			c.Basic = &identitypool.BasicFlow{STS: e.sts, RoleARN: "arn:aws:iam::123456789012:role/a"}
			c.CustomRoleARN = "arn:aws:iam::123456789012:role/a"
		}, identitypool.ErrInvalidConfig},
		{"valid", func(c *identitypool.Config) { c.Logins = []identitypool.Login{login} }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good()
			tc.mod(&cfg)
			_, err := identitypool.New(cfg)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("got %v; want %v", err, tc.want)
			}
		})
	}
	for _, bad := range []string{"", "us-east-1", "nope_x", "us-east-1_a/b"} {
		if _, err := identitypool.UserPoolLogin(bad, src); !errors.Is(err, identitypool.ErrInvalidInput) {
			t.Errorf("UserPoolLogin(%q): got %v; want ErrInvalidInput", bad, err)
		}
	}
	if got, want := identitypool.UserPoolProvider("eu-west-1_AbC123"), "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"; got != want {
		t.Errorf("UserPoolProvider: got %s; want %s", got, want)
	}
	for _, tc := range []identitypool.DeveloperConfig{
		{IdentityPoolID: e.idp.ID, ProviderName: "x"},
		{API: e.iam, IdentityPoolID: "bad", ProviderName: "x"},
		{API: e.iam, IdentityPoolID: e.idp.ID, ProviderName: identitypool.DeveloperProvider},
		{API: e.iam, IdentityPoolID: e.idp.ID, ProviderName: "x", TokenDuration: 25 * time.Hour},
	} {
		if _, err := identitypool.NewDeveloper(tc); !errors.Is(err, identitypool.ErrInvalidConfig) {
			t.Errorf("NewDeveloper(%+v): got %v; want ErrInvalidConfig", tc, err)
		}
	}
	p, _ := identitypool.New(good())
	if err := p.SetLogins(identitypool.Login{Provider: "x"}); !errors.Is(err, identitypool.ErrInvalidInput) {
		t.Errorf("SetLogins without source: got %v; want ErrInvalidInput", err)
	}
}
