package stage

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestNewFromEnvironment checks how New reads a configured pool: no
// emulator starts, and the derived region, issuer, domain and M2M client
// follow the variables.
func TestNewFromEnvironment(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		wantErr string
		want    Stage
	}{
		{
			name:    "no client",
			env:     map[string]string{"COGNITO_USER_POOL_ID": "eu-west-1_AbC123"},
			wantErr: "COGNITO_CLIENT_ID is required",
		},
		{
			name:    "blank client list",
			env:     map[string]string{"COGNITO_USER_POOL_ID": "eu-west-1_AbC123", "COGNITO_CLIENT_ID": " , ,"},
			wantErr: "COGNITO_CLIENT_ID is required",
		},
		{
			name: "real Cognito, public client",
			env:  map[string]string{"COGNITO_USER_POOL_ID": "eu-west-1_AbC123", "COGNITO_CLIENT_ID": " a1 ,b2,"},
			want: Stage{PoolID: "eu-west-1_AbC123", ClientIDs: []string{"a1", "b2"}, Region: "eu-west-1"},
		},
		{
			name: "emulator endpoint, confidential client, user",
			env: map[string]string{
				"COGNITO_USER_POOL_ID": "us-east-1_X", "COGNITO_CLIENT_ID": "c", "COGNITO_CLIENT_SECRET": "s",
				"COGNITO_ENDPOINT": "http://127.0.0.1:9229/", "AWS_REGION": "eu-central-1",
				"COGNITO_USERNAME": "bob", "COGNITO_PASSWORD": "pw",
			},
			want: Stage{
				PoolID: "us-east-1_X", Issuer: "http://127.0.0.1:9229/us-east-1_X", ClientIDs: []string{"c"}, Secret: "s",
				Endpoint: "http://127.0.0.1:9229", Region: "eu-central-1", Domain: "http://127.0.0.1:9229",
				M2MID: "c", M2MSecret: "s", Users: map[string]string{"bob": "pw"},
			},
		},
		{
			name: "secret without domain: no M2M client",
			env:  map[string]string{"COGNITO_USER_POOL_ID": "eu-west-1_AbC123", "COGNITO_CLIENT_ID": "c", "COGNITO_CLIENT_SECRET": "s"},
			want: Stage{PoolID: "eu-west-1_AbC123", ClientIDs: []string{"c"}, Secret: "s", Region: "eu-west-1"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := New(func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got error %v; want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if st.Emu != nil || st.EmuPool != nil {
				t.Errorf("got an emulator; want none with COGNITO_USER_POOL_ID set")
			}
			got, want := *st, tc.want
			if got.PoolID != want.PoolID || got.Issuer != want.Issuer || !slices.Equal(got.ClientIDs, want.ClientIDs) ||
				got.Secret != want.Secret || got.Endpoint != want.Endpoint || got.Region != want.Region ||
				got.Domain != want.Domain || got.M2MID != want.M2MID || got.M2MSecret != want.M2MSecret ||
				len(got.Users) != len(want.Users) || got.Users["bob"] != want.Users["bob"] {
				t.Errorf("got %+v; want %+v", got, want)
			}
		})
	}
}

// TestEmulator checks the emulator stage: the demo users sign in over SRP,
// and the M2M client gets a client-credentials token.
func TestEmulator(t *testing.T) {
	st, err := New(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.Emu == nil || st.EmuPool == nil || st.M2MID == "" || len(st.Users) == 0 {
		t.Fatalf("got %+v; want the emulator with the demo pool, users and M2M client", st)
	}
	ctx := context.Background()
	tok, err := st.SignIn(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" {
		t.Errorf("got an empty access token for bob")
	}
	if _, err := st.SignIn(ctx, "nobody"); err == nil {
		t.Errorf("sign-in of an unknown user: got nil error; want one")
	}
	m2m, err := st.M2MToken(ctx, "demo-api/read")
	if err != nil {
		t.Fatal(err)
	}
	if m2m == "" {
		t.Errorf("got an empty M2M token")
	}
}
