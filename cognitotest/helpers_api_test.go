package cognitotest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest"
)

func TestMintOptions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{}, cognitotest.WithTokenLifetimes(cognitotest.TokenLifetimes{Access: 10 * time.Minute}))
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "mo", Password: testPassword})
	iat := e.clock.Now().Add(-time.Hour)
	auth := iat.Add(-time.Hour)
	tok := e.pool.MustMintTokens(e.public.ID, "mo", cognitotest.TokenIssuedAt(iat), cognitotest.TokenAuthTime(auth),
		cognitotest.AccessClaims(map[string]any{"tenant": "t1", "version": nil}), cognitotest.TokenScopes("openid", "email"),
		cognitotest.TokenNonce("n-123"), cognitotest.WithoutRefreshToken())
	acc, id := claimsOf(t, tok.AccessToken), claimsOf(t, tok.IDToken)
	if int64(acc["iat"].(float64)) != iat.Unix() || int64(acc["auth_time"].(float64)) != auth.Unix() {
		t.Errorf("iat/auth_time: %v %v", acc["iat"], acc["auth_time"])
	}
	if int64(acc["exp"].(float64))-iat.Unix() != 600 {
		t.Errorf("WithTokenLifetimes access: exp-iat = %v", int64(acc["exp"].(float64))-iat.Unix())
	}
	if acc["tenant"] != "t1" || acc["version"] != nil || acc["scope"] != "openid email" || id["nonce"] != "n-123" {
		t.Errorf("claims: access %v id %v", acc, id)
	}
	if tok.RefreshToken != "" {
		t.Error("WithoutRefreshToken: got a refresh token")
	}
	kids := e.pool.KeyIDs()
	if len(kids) != 1 || !strings.Contains(tok.AccessToken, "") {
		t.Fatalf("KeyIDs: %v", kids)
	}
	if _, err := e.pool.PublicKey(kids[0]); err != nil {
		t.Errorf("PublicKey: %v", err)
	}
	if _, err := e.pool.PublicKey("nope"); !errors.Is(err, cognitotest.ErrNotFound) {
		t.Errorf("PublicKey unknown: %v", err)
	}
}

func TestHelperAccessors(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t, fastKeys(), cognitotest.WithRegion("eu-west-1"))
	p := srv.MustCreatePool(cognitotest.PoolConfig{Name: "shop"})
	if srv.Region() != "eu-west-1" || p.Region() != "eu-west-1" || !strings.HasPrefix(p.ID(), "eu-west-1_") || p.Name() != "shop" || p.Server() != srv {
		t.Errorf("accessors: %s %s %s %s", srv.Region(), p.Region(), p.ID(), p.Name())
	}
	if pools := srv.Pools(); len(pools) != 1 || pools[0] != p {
		t.Errorf("Pools: %v", pools)
	}
	noErr(t, p.CreateGroup("staff", "the staff"))
	if err := p.CreateGroup("staff", ""); !errors.Is(err, cognitotest.ErrAlreadyExists) {
		t.Errorf("duplicate group: %v", err)
	}
	if err := p.CreateGroup("bad group", ""); !errors.Is(err, cognitotest.ErrInvalidConfig) {
		t.Errorf("bad group name: %v", err)
	}
	p.MustCreateUser(cognitotest.UserConfig{Username: "ned", Password: testPassword})
	noErr(t, p.AddUserToGroup("ned", "staff"))
	noErr(t, p.AddUserToGroup("ned", "new"))
	if g := p.Groups(); strings.Join(g, ",") != "new,staff" {
		t.Errorf("Groups: %v", g)
	}
	if err := p.AddUserToGroup("nobody", "staff"); !errors.Is(err, cognitotest.ErrNotFound) {
		t.Errorf("AddUserToGroup unknown user: %v", err)
	}
	c1 := p.MustCreateClient(cognitotest.ClientConfig{Name: "one"})
	p.MustCreateClient(cognitotest.ClientConfig{Name: "two"})
	if cl := p.Clients(); len(cl) != 2 || cl[0].Name != "one" || cl[1].Name != "two" {
		t.Errorf("Clients order: %+v", cl)
	}
	if got, err := p.Client(c1.ID); err != nil || got != c1 {
		t.Errorf("Client: %+v %v", got, err)
	}
	if _, err := p.Client("nope"); !errors.Is(err, cognitotest.ErrNotFound) {
		t.Errorf("Client unknown: %v", err)
	}
	if err := p.DeleteUser("ned"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.User("ned"); !errors.Is(err, cognitotest.ErrNotFound) {
		t.Errorf("deleted user: %v", err)
	}
	if err := p.SetPassword("ned", testPassword, false); !errors.Is(err, cognitotest.ErrNotFound) {
		t.Errorf("SetPassword unknown: %v", err)
	}
}

func TestMessages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOptional})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "ola", Password: testPassword, PhoneNumber: "+15555550177", SMSMFA: true})
	must(e.passwordLogin(e.public, "ola", testPassword))
	must(e.passwordLogin(e.public, "ola", testPassword))
	msgs := e.srv.Messages()
	if len(msgs) != 2 || msgs[0].Kind != cognitotest.MsgSMSMFA || msgs[0].Medium != "SMS" || msgs[0].Code == msgs[1].Code && msgs[0].Code == "" {
		t.Fatalf("Messages: %+v", msgs)
	}
	if m, ok := e.srv.LastMessage("+15555550177", ""); !ok || m.Code != msgs[1].Code || m.PoolID != e.pool.ID() {
		t.Errorf("LastMessage by destination: %+v %v", m, ok)
	}
	e.srv.ClearMessages()
	if len(e.srv.Messages()) != 0 || e.srv.LastCode("ola", "") != "" {
		t.Error("ClearMessages left messages")
	}
}

// fatalTB records Fatalf instead of stopping the test.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper()                           {}
func (f *fatalTB) Fatalf(format string, args ...any) { f.msg = format }
func (f *fatalTB) Cleanup(func())                    {}

func TestMustHelpersFail(t *testing.T) {
	t.Parallel()
	ftb := &fatalTB{TB: t}
	srv := cognitotest.NewServer(ftb, fastKeys())
	defer srv.Close()
	srv.MustCreatePool(cognitotest.PoolConfig{ID: "bad"})
	if ftb.msg == "" {
		t.Error("MustCreatePool with a bad ID did not call Fatalf")
	}
	defer func() {
		if recover() == nil {
			t.Error("Must helper on a server without testing.TB did not panic")
		}
	}()
	nilSrv := cognitotest.NewServer(nil, fastKeys())
	defer nilSrv.Close()
	nilSrv.MustCreatePool(cognitotest.PoolConfig{ID: "bad"})
}
