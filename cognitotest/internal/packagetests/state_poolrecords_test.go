package packagetests_test

import (
	"encoding/json"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
)

// fillPoolRecords writes one record of each kind of poolrecords.go, and
// sets the pool settings there.
func fillPoolRecords(tx *state.Tx, p *state.Pool) {
	np := p.Clone()
	np.DeletionProtection, np.StrictSchema, np.Tier = true, true, "PLUS"
	np.Templates = &state.MessageTemplates{EmailVerificationMessage: "Code {####}"}
	np.Tags = map[string]string{"team": "a"}
	np.Replicas = []state.Replica{{Region: "eu-west-1", Status: "ACTIVE", CreatedAt: t0}}
	tx.PutPool(np)
	c := tx.Client("client1").Clone()
	c.SecretID, c.SecretCreatedAt = "sid1", t0
	c.MoreSecrets = []state.ClientSecret{{ID: "sid2", Value: "s3cr3t2", CreatedAt: t0}}
	tx.PutClient(c)
	tx.PutTerms(&state.Terms{PoolID: p.ID, ID: "t1", ClientID: "client1", Name: "terms-of-use", Enforcement: "NONE", Source: "LINK",
		Links: map[string]string{"cognito:default": "https://example.com/terms"}, CreatedAt: t0})
	tx.PutBranding(&state.Branding{PoolID: p.ID, ID: "b1", ClientID: "client1", Settings: json.RawMessage(`{"x":1}`),
		Assets: []state.Asset{{Category: "FORM_LOGO", ColorMode: "LIGHT", Extension: "PNG", Bytes: []byte{1}}}, CreatedAt: t0})
	tx.PutUICustomization(&state.UICustomization{PoolID: p.ID, ClientID: state.UIClientAll, CSS: ".logo-customizable{max-width:60%}", CreatedAt: t0})
	tx.PutRiskConfig(&state.RiskConfig{PoolID: p.ID, BlockedIPRanges: []string{"10.0.0.0/8"}, ModifiedAt: t0})
	tx.PutImportJob(&state.ImportJob{PoolID: p.ID, ID: "import-abc", Name: "j", Status: "Created", UploadToken: "tok", CreatedAt: t0})
	tx.PutProvisionedLimit(&state.ProvisionedLimit{Region: "us-east-1", Category: "UserAuthentication", Value: 200})
}

// TestDeleteClientRecords: deleting an app client deletes its terms,
// branding, UI customization and risk configuration; deleting the pool
// deletes the rest.
func TestDeleteClientRecords(t *testing.T) {
	s := mustOpen(t, state.NewMemoryStore())
	fill(t, s)
	err := s.Update(func(tx *state.Tx) error {
		tx.PutRiskConfig(&state.RiskConfig{PoolID: "us-east-1_Test", ClientID: "client1"})
		tx.PutUICustomization(&state.UICustomization{PoolID: "us-east-1_Test", ClientID: "client1"})
		tx.DeleteClient("client1")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.View(func(tx *state.Tx) error {
		if tx.Terms("us-east-1_Test", "t1") != nil || tx.Branding("us-east-1_Test", "b1") != nil ||
			tx.UICustomization("us-east-1_Test", "client1") != nil || tx.RiskConfig("us-east-1_Test", "client1") != nil {
			t.Error("records of a deleted client remain")
		}
		if tx.UICustomization("us-east-1_Test", state.UIClientAll) == nil || tx.RiskConfig("us-east-1_Test", "") == nil {
			t.Error("the pool's own UI customization or risk configuration went with the client")
		}
		return nil
	})
	s.Update(func(tx *state.Tx) error { tx.DeletePool("us-east-1_Test"); return nil })
	s.View(func(tx *state.Tx) error {
		if len(tx.ImportJobs("us-east-1_Test")) != 0 || len(tx.UICustomizations("us-east-1_Test")) != 0 || len(tx.RiskConfigs("us-east-1_Test")) != 0 {
			t.Error("records of a deleted pool remain")
		}
		if len(tx.ProvisionedLimits()) != 1 {
			t.Error("an account-level provisioned limit went with a pool")
		}
		return nil
	})
}
