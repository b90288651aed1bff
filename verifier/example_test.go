package verifier_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/verifier"
)

// The examples use a static JWKS and tokens from testdata, and a fixed
// clock, so that their output is deterministic. In production, leave
// Pool.JWKS and Config.Now unset: keys are fetched from the pool's issuer.

func readToken(name string) string {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		log.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func exampleConfig(use verifier.TokenUse) verifier.Config {
	return verifier.Config{
		Pools: []verifier.Pool{{
			UserPoolID: "us-east-1_Example1",
			ClientIDs:  []string{"example1clientid000000000a"},
			TokenUse:   use,
			JWKSFile:   "testdata/example_jwks.json",
		}},
		Now: func() time.Time { return time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) },
	}
}

func Example() {
	v, err := verifier.New(exampleConfig(verifier.TokenUseAccess))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	claims, err := v.Verify(context.Background(), readToken("example_access_token.txt"))
	switch {
	case errors.Is(err, verifier.ErrKeysUnavailable):
		fmt.Println("503: cannot check tokens right now")
	case err != nil:
		fmt.Println("401:", err)
	default:
		fmt.Println(claims.Username, claims.Groups, claims.Scopes)
		fmt.Println("admin:", claims.HasGroup("admin"), "expires:", claims.ExpiresAt.UTC().Format(time.DateOnly))
	}
	// Output:
	// alice [admin support] [openid email orders/read]
	// admin: true expires: 2030-01-01
}

func ExampleVerifier_Verify_wrongTokenUse() {
	v, err := verifier.New(exampleConfig(verifier.TokenUseAccess))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	_, err = v.Verify(context.Background(), readToken("example_id_token.txt"))
	fmt.Println(errors.Is(err, verifier.ErrWrongTokenUse))
	fmt.Println(err)
	fmt.Println(verifier.Reason(err))
	// Output:
	// true
	// verifier: wrong token use: got an ID token where an access token is required; send the access token
	// wrong_token_use
}

func ExampleClaims_Get() {
	v, err := verifier.New(exampleConfig(verifier.TokenUseID))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	claims, err := v.Verify(context.Background(), readToken("example_id_token.txt"))
	if err != nil {
		log.Fatal(err)
	}
	raw, _ := claims.Get("custom:seats")
	tenant, _ := claims.String("custom:tenant")
	fmt.Println(claims.Email, claims.EmailVerified, tenant, string(raw))

	// Or decode the whole payload into your own type.
	var mine struct {
		Tenant string `json:"custom:tenant"`
		Email  string `json:"email"`
	}
	if err := claims.Decode(&mine); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", mine)
	// Output:
	// alice@example.com true acme "25"
	// {Tenant:acme Email:alice@example.com}
}

func ExamplePolicy() {
	cfg := exampleConfig(verifier.TokenUseAccess)
	cfg.Pools[0].Policy = verifier.Policy{
		AnyScopes: []string{"orders/write"},
	}
	v, err := verifier.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	// The M2M token has orders/write; alice's token does not.
	for _, file := range []string{"example_m2m_token.txt", "example_access_token.txt"} {
		claims, err := v.Verify(context.Background(), readToken(file))
		var pe *verifier.PolicyError
		switch {
		case errors.As(err, &pe):
			fmt.Printf("403: %v (missing %v)\n", pe.Sentinel, pe.Missing)
		case err != nil:
			fmt.Println("401:", err)
		default:
			fmt.Println("machine:", claims.IsMachine(), claims.Scopes)
		}
	}
	// Output:
	// machine: true [orders/read orders/write]
	// 403: verifier: missing scope (missing [orders/write])
}

func ExamplePolicy_Evaluate() {
	v, err := verifier.New(exampleConfig(verifier.TokenUseAccess))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	claims, err := v.Verify(context.Background(), readToken("example_access_token.txt"))
	if err != nil {
		log.Fatal(err)
	}
	// A per-route policy, evaluated on already verified claims.
	adminOnly := verifier.Policy{AllGroups: []string{"admin"}}
	billing := verifier.Policy{AnyGroups: []string{"billing", "finance"}}
	fmt.Println(adminOnly.Evaluate(context.Background(), claims))
	fmt.Println(billing.Evaluate(context.Background(), claims))
	// Output:
	// <nil>
	// verifier: missing group: the token needs at least one of the groups billing, finance
}

func ExampleNew_invalidConfig() {
	_, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{
		UserPoolID: "us-east-1_Example1",
		TokenUse:   verifier.TokenUseAccess,
	}}})
	fmt.Println(errors.Is(err, verifier.ErrInvalidConfig))
	fmt.Println(err)
	// Output:
	// true
	// verifier: invalid configuration: Pools[0].ClientIDs is empty; list the app client IDs whose tokens are accepted
}

func ExampleConfig_emulator() {
	// Emulators (cognito-local, LocalStack, cognitotest) issue tokens with
	// their own issuer; the JWKS URL defaults to {Issuer}/.well-known/jwks.json.
	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{
		UserPoolID: "local_4Abc12",
		ClientIDs:  []string{"local-client"},
		TokenUse:   verifier.TokenUseAny,
		Issuer:     "http://127.0.0.1:9229/local_4Abc12",
	}}})
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	fmt.Println(v.Ready() != nil) // no keys until the first Verify or Warm
	// Output:
	// true
}

func ExampleObserver() {
	cfg := exampleConfig(verifier.TokenUseAccess)
	counts := map[string]int{} // Verify runs sequentially here; use atomics or a metrics library otherwise
	cfg.Observer = verifier.Observer{
		OnCache:  func(hit bool) { counts["cache_hit="+fmt.Sprint(hit)]++ },
		OnReject: func(reason error) { counts["reject_"+verifier.Reason(reason)]++ },
	}
	v, err := verifier.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	ctx := context.Background()
	access := readToken("example_access_token.txt")
	v.Verify(ctx, access)
	v.Verify(ctx, access) // served from the verified-token cache
	v.Verify(ctx, readToken("example_id_token.txt"))
	v.Verify(ctx, "not a token")
	fmt.Println(counts)
	// Output:
	// map[cache_hit=false:3 cache_hit=true:1 reject_malformed:1 reject_wrong_token_use:1]
}
