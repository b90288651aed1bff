package packagetests_test

import (
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
)

// fillIdPRecords writes one record of each kind of idprecords.go.
func fillIdPRecords(tx *state.Tx, p *state.Pool) {
	tx.PutIdentityProvider(&state.IdentityProvider{PoolID: p.ID, Name: "MyOIDC", Type: "OIDC",
		Details:          map[string]string{"client_id": "c", "oidc_issuer": "https://idp.example.com"},
		AttributeMapping: map[string]string{"username": "sub", "email": "email"}, Identifiers: []string{"example.com"}, CreatedAt: t0, ModifiedAt: t0})
	tx.PutProviderLink(&state.ProviderLink{PoolID: p.ID, Provider: "MyOIDC", AttributeName: "Cognito_Subject", AttributeValue: "s/1", Username: "Alice", Sub: "sub-a", CreatedAt: t0})
}
