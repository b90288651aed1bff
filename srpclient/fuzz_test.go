package srpclient

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// hostile answers USER_SRP_AUTH with fuzzed challenge parameters and
// records whether the client responded.
type hostile struct {
	API
	params    map[string]string
	name      types.ChallengeNameType
	responded bool
}

func (h *hostile) InitiateAuth(context.Context, *cip.InitiateAuthInput, ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	return &cip.InitiateAuthOutput{ChallengeName: h.name, ChallengeParameters: h.params, Session: ptr("s")}, nil
}

func (h *hostile) RespondToAuthChallenge(context.Context, *cip.RespondToAuthChallengeInput, ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error) {
	h.responded = true
	return nil, notAuth("Incorrect username or password.")
}

// FuzzChallengeParameters feeds hostile SRP_B, SALT, SECRET_BLOCK and
// USER_ID_FOR_SRP values to a sign-in: no panic, and every failure is typed.
func FuzzChallengeParameters(f *testing.F) {
	srv, _ := srp.NewServer(rand.Reader, srp.Verifier("P", "u", "pw", big.NewInt(1)))
	block := base64.StdEncoding.EncodeToString([]byte("secret block"))
	f.Add(srv.BHex(), "-7f3a", block, "user-1")
	f.Add(srv.BHex(), "00ab", block, "user-1")
	f.Add("0", "1", block, "u")
	f.Add(srp.N().Text(16), "1", block, "u")
	f.Add("-1", "-80", block, "u")
	f.Add("zz", "1", block, "u")
	f.Add(srv.BHex(), "", block, "u")
	f.Add(srv.BHex(), "1", "not base64!", "u")
	f.Add(srv.BHex(), "1", "", "u")
	f.Add(srv.BHex(), "1", block, "")
	f.Add(strings.Repeat("f", 2000), "1", block, "u")
	f.Add(srv.BHex(), "1", strings.Repeat("QUFB", 10000), strings.Repeat("u", 200))
	f.Fuzz(func(t *testing.T, b, salt, secretBlock, userID string) {
		h := &hostile{name: types.ChallengeNameTypePasswordVerifier, params: map[string]string{
			"SRP_B": b, "SALT": salt, "SECRET_BLOCK": secretBlock, "USER_ID_FOR_SRP": userID, "USERNAME": userID,
		}}
		c, err := New(Config{API: h, UserPoolID: "us-east-1_Fuzz", ClientID: "client", ClientSecret: "sec"})
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.SignIn(context.Background(), SignInInput{Username: "typed", Password: "pw"})
		switch {
		case err == nil:
			t.Fatalf("sign-in succeeded against a hostile server: %+v", res)
		case errors.Is(err, ErrBadChallenge):
			if h.responded {
				t.Fatal("responded to an invalid challenge")
			}
		case errors.Is(err, ErrNotAuthorized):
			if !h.responded {
				t.Fatal("ErrNotAuthorized without a response")
			}
		default:
			t.Fatalf("untyped error: %v", err)
		}
	})
}
