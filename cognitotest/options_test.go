package cognitotest_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// chacha is a deterministic io.Reader for WithRand.
func chacha(seed byte) *rand.ChaCha8 {
	var s [32]byte
	s[0] = seed
	return rand.NewChaCha8(s)
}

func TestWithRandIsDeterministic(t *testing.T) {
	t.Parallel()
	ids := func(seed byte) [3]string {
		srv := cognitotest.NewServer(t, fastKeys(), cognitotest.WithRand(chacha(seed)))
		p := srv.MustCreatePool(cognitotest.PoolConfig{})
		c := p.MustCreateClient(cognitotest.ClientConfig{GenerateSecret: true})
		u := p.MustCreateUser(cognitotest.UserConfig{Username: "jo", Password: testPassword})
		return [3]string{p.ID(), c.ID + c.Secret, u.Sub}
	}
	a, b, c := ids(1), ids(1), ids(2)
	if a != b {
		t.Errorf("same seed: %v != %v", a, b)
	}
	if a == c {
		t.Errorf("different seeds gave the same IDs %v", a)
	}
}

func TestSessionAndSkewOptions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{}, cognitotest.WithSessionLifetime(30*time.Second), cognitotest.WithSRPClockSkew(time.Minute))
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "kim", Password: testPassword})
	cl, out, _ := e.srpStart(e.public, "kim")
	e.clock.Advance(31 * time.Second)
	_, err := e.respond(e.public, out.ChallengeName, out.Session, e.verifierResponses(e.public, cl, out.ChallengeParameters, testPassword, e.now()))
	wantErr[*types.NotAuthorizedException](t, err, "session older than WithSessionLifetime")

	cl, out, _ = e.srpStart(e.public, "kim")
	_, err = e.respond(e.public, out.ChallengeName, out.Session, e.verifierResponses(e.public, cl, out.ChallengeParameters, testPassword, e.now().Add(-2*time.Minute)))
	wantErr[*types.NotAuthorizedException](t, err, "TIMESTAMP beyond WithSRPClockSkew")
	cl, out, _ = e.srpStart(e.public, "kim")
	if _, err := e.respond(e.public, out.ChallengeName, out.Session, e.verifierResponses(e.public, cl, out.ChallengeParameters, testPassword, e.now().Add(-50*time.Second))); err != nil {
		t.Errorf("TIMESTAMP within WithSRPClockSkew: %v", err)
	}

	// A client's AuthSessionValidity overrides the server's.
	long := e.pool.MustCreateClient(cognitotest.ClientConfig{AuthSessionValidity: 10 * time.Minute})
	cl, out, _ = e.srpStart(long, "kim")
	e.clock.Advance(5 * time.Minute)
	if _, err := e.respond(long, out.ChallengeName, out.Session, e.verifierResponses(long, cl, out.ChallengeParameters, testPassword, e.now())); err != nil {
		t.Errorf("session within the client's AuthSessionValidity: %v", err)
	}

	lt := e.pool.MustCreateClient(cognitotest.ClientConfig{TokenLifetimes: cognitotest.TokenLifetimes{Access: 5 * time.Minute, ID: 10 * time.Minute}})
	tok := e.pool.MustMintTokens(lt.ID, "kim")
	acc, id := claimsOf(t, tok.AccessToken), claimsOf(t, tok.IDToken)
	if exp := int64(acc["exp"].(float64)) - int64(acc["iat"].(float64)); exp != 300 {
		t.Errorf("access lifetime %d; want 300", exp)
	}
	if exp := int64(id["exp"].(float64)) - int64(id["iat"].(float64)); exp != 600 {
		t.Errorf("ID lifetime %d; want 600", exp)
	}
}
