// Command lambda-authorizer is one Lambda function that serves as the
// authorizer of the three AWS front doors, with package
// adapters/lambdaauth:
//
//	AUTHORIZER=rest-token    API Gateway REST API, TOKEN authorizer
//	AUTHORIZER=rest-request  API Gateway REST API, REQUEST authorizer
//	AUTHORIZER=http-simple   HTTP API, payload 2.0, simple responses
//	AUTHORIZER=http-iam      HTTP API, payload 2.0, IAM policy responses
//	AUTHORIZER=appsync       AppSync, AWS_LAMBDA authorization
//
// Deployed (AWS_LAMBDA_RUNTIME_API is set by Lambda), it verifies Cognito
// access tokens of COGNITO_USER_POOL_ID for COGNITO_CLIENT_ID and requires
// the scope demo-api/read or the group admin; API Gateway caches its Allow
// for the whole stage.
//
// Run locally, it starts the embedded emulator with the demo pool of
// "cognito local" and invokes each handler through aws-lambda-go's handler
// invocation with the documented example events, for alice (admin), bob
// (no group, no scope) and an expired token, and prints the answers.
//
//	go run ./examples/lambda-authorizer
//
// --self-check does the same and checks every answer, including that an
// outage of the key endpoint is an error (API Gateway answers 500), never
// an Allow; it exits 0 when every answer is the expected one (CI runs it).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cognitokit/cognitokit/adapters/lambdaauth"
	"github.com/cognitokit/cognitokit/examples/internal/stage"
	"github.com/cognitokit/cognitokit/verifier"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

var usage = stage.Usage{
	Name:     "lambda-authorizer",
	Synopsis: "[--self-check]",
	About:    "A Lambda authorizer for API Gateway REST APIs (TOKEN and REQUEST), HTTP APIs (payload 2.0, simple and IAM responses) and AppSync, built on adapters/lambdaauth. Deployed, AUTHORIZER chooses the front door. Run locally, it invokes every handler with the documented example events and demo tokens, and prints the answers.",
	Env: []stage.EnvVar{stage.EnvPoolID, stage.EnvClientIDs, stage.EnvEndpoint,
		{Name: "AUTHORIZER", Meaning: "deployed: rest-token, rest-request, http-simple, http-iam or appsync"}},
}

// policy is what every front door requires: the scope demo-api/read, or
// the group admin.
var policy = verifier.Policy{Check: func(_ context.Context, c *verifier.Claims) error {
	if c.HasScope("demo-api/read") || c.HasGroup("admin") {
		return nil
	}
	return errors.New("needs the scope demo-api/read or the group admin")
}}

// newAuthorizer builds the authorizer once, at cold start: the verifier's
// key set and token cache then serve every warm invocation.
func newAuthorizer(v *verifier.Verifier) (*lambdaauth.Authorizer, error) {
	return lambdaauth.New(v, lambdaauth.Config{
		Policy: policy,
		Scope:  lambdaauth.ScopeStage, // every method needs the same policy, so one cached Allow may serve them all
		TTL:    5 * time.Minute,       // AppSync: capped at the token's exp
		Context: func(c *verifier.Claims) map[string]any {
			return map[string]any{"admin": c.HasGroup("admin")}
		},
		DeniedFields: func(c *verifier.Claims) []string {
			if c.HasGroup("admin") {
				return nil
			}
			return []string{"Mutation.deleteOrder"}
		},
	})
}

// handler returns the handler of a front door.
func handler(a *lambdaauth.Authorizer, kind string) (any, error) {
	switch kind {
	case "rest-token":
		return a.RESTToken, nil
	case "rest-request":
		return a.RESTRequest, nil
	case "http-simple":
		return a.HTTPSimple, nil
	case "http-iam":
		return a.HTTPIAM, nil
	case "appsync":
		return a.AppSync, nil
	}
	return nil, fmt.Errorf("AUTHORIZER %q: want rest-token, rest-request, http-simple, http-iam or appsync", kind)
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lambda-authorizer", flag.ContinueOnError)
	selfCheck := fs.Bool("self-check", false, "invoke every handler on the emulator, check every answer, exit 0 on success")
	if code, done := usage.Parse(fs, args, stdout, stderr); done {
		return code
	}
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "lambda-authorizer: %v\n", err)
		return code
	}
	if getenv("AWS_LAMBDA_RUNTIME_API") != "" && !*selfCheck {
		st, err := stage.New(getenv)
		if err != nil {
			return fail(2, err)
		}
		v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: st.PoolID, Issuer: st.Issuer,
			ClientIDs: st.ClientIDs, TokenUse: verifier.TokenUseAccess}}, Leeway: 5 * time.Second})
		if err != nil {
			return fail(2, err)
		}
		a, err := newAuthorizer(v)
		if err != nil {
			return fail(2, err)
		}
		h, err := handler(a, getenv("AUTHORIZER"))
		if err != nil {
			return fail(2, err)
		}
		lambda.StartWithOptions(h, lambda.WithContext(ctx))
		return 0
	}
	st, err := stage.New(func(k string) string { return "" }) // always the emulator here
	if err != nil {
		return fail(2, err)
	}
	defer st.Close()
	if err := demo(ctx, st, stdout, *selfCheck); err != nil {
		fmt.Fprintf(stderr, "self-check FAILED: %v\n", err)
		return 1
	}
	if *selfCheck {
		fmt.Fprintln(stdout, "self-check OK")
	}
	return 0
}
