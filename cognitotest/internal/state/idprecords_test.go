package state

// fillIdPRecords writes one record of each kind of idprecords.go.
func fillIdPRecords(tx *Tx, p *Pool) {
	tx.PutIdentityProvider(&IdentityProvider{PoolID: p.ID, Name: "MyOIDC", Type: "OIDC",
		Details:          map[string]string{"client_id": "c", "oidc_issuer": "https://idp.example.com"},
		AttributeMapping: map[string]string{"username": "sub", "email": "email"}, Identifiers: []string{"example.com"}, CreatedAt: t0, ModifiedAt: t0})
	tx.PutProviderLink(&ProviderLink{PoolID: p.ID, Provider: "MyOIDC", AttributeName: "Cognito_Subject", AttributeValue: "s/1", Username: "Alice", Sub: "sub-a", CreatedAt: t0})
}
