package srpclient

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"math/big"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// cannedSRP answers USER_SRP_AUTH with fixed server values and accepts any
// signature, so that a benchmark measures the client's work only.
type cannedSRP struct {
	API
	params map[string]string
	out    *cip.RespondToAuthChallengeOutput
}

func (c *cannedSRP) InitiateAuth(context.Context, *cip.InitiateAuthInput, ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	return &cip.InitiateAuthOutput{ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeParameters: c.params, Session: ptr("s")}, nil
}

func (c *cannedSRP) RespondToAuthChallenge(context.Context, *cip.RespondToAuthChallengeInput, ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error) {
	return c.out, nil
}

// BenchmarkClientSignInCPU is the client-side CPU cost of one USER_SRP_AUTH
// sign-in through srpclient, without any server or network: a fresh a and
// A, parsing SRP_B and a negative SALT, the key, the signature, SECRET_HASH
// and the token result. Goal: under 5 ms.
func BenchmarkClientSignInCPU(b *testing.B) {
	salt := big.NewInt(-0x5a3c9e1f)
	srv, err := srp.NewServer(rand.Reader, srp.Verifier("Bench", "7d0e6b4e-internal", "pw", salt))
	if err != nil {
		b.Fatal(err)
	}
	api := &cannedSRP{
		params: map[string]string{"SRP_B": srv.BHex(), "SALT": salt.Text(16), "USER_ID_FOR_SRP": "7d0e6b4e-internal",
			"SECRET_BLOCK": base64.StdEncoding.EncodeToString(make([]byte, 1024))},
		out: &cip.RespondToAuthChallengeOutput{AuthenticationResult: &types.AuthenticationResultType{AccessToken: ptr("a.e30.c"), ExpiresIn: 3600}},
	}
	c, err := New(Config{API: api, UserPoolID: "us-east-1_Bench", ClientID: "client", ClientSecret: "secret"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	in := SignInInput{Username: "ann@example.com", Password: "pw"}
	if _, err := c.SignIn(ctx, in); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := c.SignIn(ctx, in)
		if err != nil || !res.Done() {
			b.Fatal(err)
		}
	}
}
