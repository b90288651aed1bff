package alb_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/cognitokit/cognitokit/internal/albtoken"
	"github.com/cognitokit/cognitokit/verifier/alb"
)

// Verifying the headers an ALB forwards. Here a test key endpoint and a
// token built as the ALB builds it stand in for AWS.
func ExampleVerifier_VerifyHeaders() {
	const (
		arn    = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
		kid    = "1f0c4b2a-7d3e-4c55-9a61-2b8e9f0d1c3a"
		client = "4fmvht22tjrgd7d3k3tghttct7"
		issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123"
	)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	keys, _ := albtoken.NewKeyHandler(map[string]*ecdsa.PublicKey{kid: &key.PublicKey})
	endpoint := httptest.NewServer(keys)
	defer endpoint.Close()

	v, err := alb.New(alb.Config{ALBARNs: []string{arn}, ClientIDs: []string{client}, Issuer: issuer,
		KeyURL: endpoint.URL}) // omit KeyURL on AWS: it comes from the ARN's region
	if err != nil {
		panic(err)
	}
	data, _ := albtoken.Sign(key, albtoken.Header{Kid: kid, Iss: issuer, Client: client, Signer: arn, Exp: time.Now().Add(time.Minute).Unix()},
		[]byte(`{"sub":"6f4c8a51-2d3b-4e7f-9a10-5b6c7d8e9f00","username":"alice","email":"alice@example.com","email_verified":"true"}`), albtoken.Options{})

	id, err := v.VerifyHeaders(context.Background(), http.Header{alb.HeaderData: {data}})
	fmt.Println(id.User.Username, id.User.Email, id.User.UserPoolID, err)

	// The unsigned identity header alone proves nothing.
	_, err = v.VerifyHeaders(context.Background(), http.Header{alb.HeaderIdentity: {"6f4c8a51-2d3b-4e7f-9a10-5b6c7d8e9f00"}})
	fmt.Println(err)
	// Output:
	// alice alice@example.com us-east-1_AbC123 <nil>
	// auth: no bearer token: no x-amzn-oidc-data header; the request did not come through the ALB's authenticate action
}
