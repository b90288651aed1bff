package oidcprovider_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"golang.org/x/oauth2"

	"github.com/cognitokit/cognitokit/cognitotest/oidcprovider"
)

// A relying party signs in through the provider with golang.org/x/oauth2.
// AutoApprove skips the "Sign in as" page, so a plain HTTP client can
// follow the flow.
func Example() {
	const callback = "http://127.0.0.1:1/callback"
	idp, err := oidcprovider.New(oidcprovider.Config{
		Clients: []oidcprovider.Client{{ID: "app", Secret: "s3cret", RedirectURIs: []string{callback}}},
		Users: []oidcprovider.User{{Subject: "1001", Email: "ann@example.com", EmailVerified: true, Name: "Ann",
			Claims: map[string]any{"hd": "example.com"}}},
		AutoApprove: "1001",
	})
	if err != nil {
		panic(err)
	}
	defer idp.Close()

	oc := &oauth2.Config{ClientID: "app", ClientSecret: "s3cret", RedirectURL: callback, Scopes: []string{"openid", "email"},
		Endpoint: oauth2.Endpoint{AuthURL: idp.AuthorizeURL(), TokenURL: idp.TokenURL()}}
	verifier := oauth2.GenerateVerifier()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(oc.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	fmt.Println("state:", loc.Query().Get("state"))
	tok, err := oc.Exchange(context.Background(), loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		panic(err)
	}
	fmt.Println("ID token issued:", tok.Extra("id_token") != nil)
	// Output:
	// state: state-1
	// ID token issued: true
}
