package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// lambdaHTTP serves an aws-lambda-go handler over HTTP the way the
// Lambda runtime interface emulator does: the event is the request body,
// the answer the response body, a function error an errorMessage with
// the X-Amz-Function-Error header.
func lambdaHTTP(handler any) http.HandlerFunc {
	h := awslambda.NewHandler(handler)
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out, err := h.Invoke(r.Context(), body)
		if err != nil {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			json.NewEncoder(w).Encode(map[string]string{"errorMessage": err.Error(), "errorType": "errorString"})
			return
		}
		w.Write(out)
	}
}

// TestLocalTriggers runs "cognito local --trigger NAME=URL" and "--lambda
// NAME=URL" against HTTP endpoints whose handlers are written for
// aws-lambda-go, and drives them with the AWS SDK.
func TestLocalTriggers(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/pre-sign-up", lambdaHTTP(func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		email := ev.Request.UserAttributes["email"]
		if strings.HasSuffix(email, "@blocked.example") {
			return ev, errors.New("Sign-ups from this domain are closed.")
		}
		ev.Response.AutoConfirmUser = strings.HasSuffix(email, "@trusted.example")
		ev.Response.AutoVerifyEmail = ev.Response.AutoConfirmUser
		return ev, nil
	}))
	mux.Handle("/pre-token", lambdaHTTP(func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
		ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ClaimsToAddOrOverride = map[string]any{"tenant": "acme"}
		return ev, nil
	}))
	var mu sync.Mutex
	var seen []string
	mux.Handle("/audit", lambdaHTTP(func(_ context.Context, ev events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error) {
		mu.Lock()
		seen = append(seen, ev.TriggerSource+" "+ev.UserName)
		mu.Unlock()
		return ev, nil
	}))
	fn := httptest.NewServer(mux)
	t.Cleanup(fn.Close)

	r := startLocal(t, "--trigger", "PreSignUp="+fn.URL+"/pre-sign-up", "--trigger", "PreTokenGeneration="+fn.URL+"/pre-token",
		"--trigger", "PreTokenGenerationVersion=V2_0", "--lambda", "audit="+fn.URL+"/audit")
	api := apiFor(r.Endpoint)
	p := r.Pools[0]
	conf := cognitotest.AppClient{ID: p.Clients[1].ID, Secret: p.Clients[1].Secret}
	signUp := func(email string) (*cip.SignUpOutput, error) {
		return api.SignUp(context.Background(), &cip.SignUpInput{ClientId: aws.String(conf.ID), SecretHash: aws.String(conf.SecretHash(email)),
			Username: aws.String(email), Password: aws.String("Trigger-Passw0rd!"),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}}})
	}

	_, err := signUp("eve@blocked.example")
	var lve *types.UserLambdaValidationException
	if !errors.As(err, &lve) || lve.ErrorMessage() != "PreSignUp failed with error Sign-ups from this domain are closed.." {
		t.Fatalf("blocked sign-up: %v; want UserLambdaValidationException", err)
	}
	out, err := signUp("tom@trusted.example")
	if err != nil || !out.UserConfirmed {
		t.Fatalf("trusted sign-up: %+v, %v; want auto-confirmed", out, err)
	}
	auth, err := api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(conf.ID),
		AuthParameters: map[string]string{"USERNAME": "tom@trusted.example", "PASSWORD": "Trigger-Passw0rd!", "SECRET_HASH": conf.SecretHash("tom@trusted.example")}})
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	if got := jwtClaim(t, aws.ToString(auth.AuthenticationResult.AccessToken), "tenant"); got != "acme" {
		t.Errorf("access token tenant %v; want acme (from the V2_0 PreTokenGeneration endpoint)", got)
	}

	// A pool created through the API names the function of --lambda by
	// its ARN; a URL is refused there.
	_, err = api.CreateUserPool(context.Background(), &cip.CreateUserPoolInput{PoolName: aws.String("urls"),
		LambdaConfig: &types.LambdaConfigType{PostConfirmation: aws.String(fn.URL + "/audit")}})
	var ipe *types.InvalidParameterException
	if !errors.As(err, &ipe) {
		t.Errorf("CreateUserPool with a URL trigger: %v; want InvalidParameterException", err)
	}
	created, err := api.CreateUserPool(context.Background(), &cip.CreateUserPoolInput{PoolName: aws.String("api"),
		LambdaConfig: &types.LambdaConfigType{PostConfirmation: aws.String("arn:aws:lambda:us-east-1:123456789012:function:audit")}})
	if err != nil {
		t.Fatal(err)
	}
	poolID := created.UserPool.Id
	if _, err := api.AdminCreateUser(context.Background(), &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String("una"),
		MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.AdminSetUserPassword(context.Background(), &cip.AdminSetUserPasswordInput{UserPoolId: poolID, Username: aws.String("una"),
		Password: aws.String("Una-Passw0rd-1"), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	client, err := api.CreateUserPoolClient(context.Background(), &cip.CreateUserPoolClientInput{UserPoolId: poolID, ClientName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.SignUp(context.Background(), &cip.SignUpInput{ClientId: client.UserPoolClient.ClientId, Username: aws.String("val"),
		Password: aws.String("Val-Passw0rd-1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.AdminConfirmSignUp(context.Background(), &cip.AdminConfirmSignUpInput{UserPoolId: poolID, Username: aws.String("val")}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[0] != "PostConfirmation_ConfirmSignUp val" {
		t.Errorf("the audit function saw %q; want one PostConfirmation_ConfirmSignUp of val", seen)
	}
}

// jwtClaim returns a claim of a JWT, unverified.
func jwtClaim(t testing.TB, tok, name string) any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatal(err)
	}
	return claims[name]
}
