package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// amplifySteps are the steps of cognitotest/testdata/jsclient/amplify.js,
// in order: every one must run and succeed.
var amplifySteps = []string{
	"signUp",
	"confirmSignUp with the code from the outbox",
	"signIn (SRP)",
	"updateUserAttribute email: verify the new address",
	"sendUserAttributeVerificationCode + confirmUserAttribute",
	"signOut",
	"resetPassword with the code from the outbox",
	"signIn with the new password; the old one fails",
	"EMAIL_OTP sign-in (USER_AUTH, passwordless)",
	"EMAIL_OTP as MFA",
	"signUp with autoSignIn, then confirmSignUp signs in",
	"passwordless signUp (USER_AUTH): the confirmation code signs in",
}

// TestLocalAmplify runs Amplify JS v6 (the aws-amplify package) in Node
// against "cognito local", with Auth.Cognito.userPoolEndpoint set to the
// emulator: sign-up confirmation, password reset, attribute verification,
// EMAIL_OTP (passwordless and as MFA) and auto sign-in after sign-up, each
// code read from /_cognitokit/messages over HTTP.
func TestLocalAmplify(t *testing.T) {
	node := requireNode(t, "aws-amplify")
	t.Parallel()
	r := startLocal(t)
	api := apiFor(r.Endpoint)
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pool, err := api.CreateUserPool(c, &cip.CreateUserPoolInput{PoolName: aws.String("amplify"),
		UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		MfaConfiguration:       types.UserPoolMfaTypeOptional,
		Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{
			AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp}}}})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	client, err := api.CreateUserPoolClient(c, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(poolID), ClientName: aws.String("web"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
			types.ExplicitAuthFlowsTypeAllowUserAuth}})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	cfg, _ := json.Marshal(map[string]string{
		"endpoint": r.Endpoint, "issuerBase": r.PublicURL, "messagesUrl": r.MessagesURL,
		"poolId": poolID, "clientId": aws.ToString(client.UserPoolClient.ClientId),
		"email": "amy@example.com", "newEmail": "amy.new@example.com", "autoEmail": "al@example.com", "passwordlessEmail": "pat@example.com",
		"password": "Amy-Passw0rd!", "newPassword": "Amy-Passw0rd-2!",
	})
	path := filepath.Join(t.TempDir(), "amplify.json")
	if err := os.WriteFile(path, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(c, node, "amplify.js", path)
	cmd.Dir = jsClientDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node amplify.js: %v\n%s", err, stderr.String())
	}
	var res struct {
		Steps []struct {
			Name  string `json:"name"`
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		} `json:"steps"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("node output %q: %v", out, err)
	}
	for i, want := range amplifySteps {
		if i >= len(res.Steps) {
			t.Errorf("step %q did not run", want)
			continue
		}
		s := res.Steps[i]
		switch {
		case s.Name != want:
			t.Errorf("step %d is %q; want %q", i, s.Name, want)
		case !s.OK:
			t.Errorf("Amplify step %q failed: %s", s.Name, s.Error)
		}
	}
	if len(res.Steps) > len(amplifySteps) {
		t.Errorf("%d steps ran; want %d (update amplifySteps)", len(res.Steps), len(amplifySteps))
	}
}
