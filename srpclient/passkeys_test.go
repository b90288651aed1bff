package srpclient_test

// These tests check the JSON plumbing of the passkey functions: the real
// AWS SDK client serializes and parses the four WebAuthn operations and
// the WEB_AUTHN challenge against a small httptest server that plays only
// those parts of Cognito, with go-webauthn as the relying party. They are
// parser tests, not a Cognito emulation: the end-to-end tests against
// cognitotest come with the emulator's WebAuthn operations.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/cognitokit/cognitokit/srpclient"
	"github.com/cognitokit/cognitokit/srpclient/passkeytest"
)

const (
	pkRPID      = "example.com"
	pkOrigin    = "https://auth.example.com"
	pkAccess    = "access-token-of-ann"
	pkUserName  = "ann"
	pkPoolID    = "us-east-1_Passkeys"
	pkClientID  = "passkeyclient"
	pkSessionID = "session-1"
)

type pkUser struct {
	creds []webauthn.Credential
}

func (u *pkUser) WebAuthnID() []byte                         { return []byte("ann-user-handle") }
func (u *pkUser) WebAuthnName() string                       { return pkUserName }
func (u *pkUser) WebAuthnDisplayName() string                { return "Ann" }
func (u *pkUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// pkServer answers StartWebAuthnRegistration, CompleteWebAuthnRegistration,
// ListWebAuthnCredentials, DeleteWebAuthnCredential, and InitiateAuth /
// RespondToAuthChallenge for USER_AUTH with WEB_AUTHN.
type pkServer struct {
	t  *testing.T
	wa *webauthn.WebAuthn

	mu      sync.Mutex // guards the rest
	user    pkUser
	reg     *webauthn.SessionData
	login   *webauthn.SessionData
	targets []string
	created time.Time
}

func newPKServer(t *testing.T) (*pkServer, *srpclient.Client) {
	wa, err := webauthn.New(&webauthn.Config{RPID: pkRPID, RPDisplayName: "Example", RPOrigins: []string{pkOrigin},
		AuthenticatorSelection: protocol.AuthenticatorSelection{UserVerification: protocol.VerificationRequired, ResidentKey: protocol.ResidentKeyRequirementRequired}})
	if err != nil {
		t.Fatal(err)
	}
	s := &pkServer{t: t, wa: wa, created: time.Unix(1_800_000_000, 0).UTC()}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	api := cip.New(cip.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")})
	c, err := srpclient.New(srpclient.Config{API: api, UserPoolID: pkPoolID, ClientID: pkClientID})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func (s *pkServer) fail(w http.ResponseWriter, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", typ)
	w.WriteHeader(400)
	json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}

func (s *pkServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
	body, _ := io.ReadAll(r.Body)
	var in map[string]json.RawMessage
	if err := json.Unmarshal(body, &in); err != nil {
		s.fail(w, "SerializationException", "bad JSON")
		return
	}
	str := func(k string) string {
		var v string
		json.Unmarshal(in[k], &v)
		return v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.targets = append(s.targets, target)
	out := map[string]any{}
	switch target {
	case "StartWebAuthnRegistration", "CompleteWebAuthnRegistration", "ListWebAuthnCredentials", "DeleteWebAuthnCredential":
		if str("AccessToken") != pkAccess {
			s.fail(w, "NotAuthorizedException", "Invalid Access Token")
			return
		}
	}
	switch target {
	case "StartWebAuthnRegistration":
		creation, session, err := s.wa.BeginRegistration(&s.user)
		if err != nil {
			s.t.Error(err)
		}
		s.reg = session
		out["CredentialCreationOptions"] = creation.Response
	case "CompleteWebAuthnRegistration":
		// The SDK sends the credential as a JSON document: parse it as
		// go-webauthn parses a browser's response.
		parsed, err := protocol.ParseCredentialCreationResponseBytes(in["Credential"])
		if err != nil || s.reg == nil {
			s.fail(w, "WebAuthnCredentialNotSupportedException", "bad credential")
			return
		}
		cred, err := s.wa.CreateCredential(&s.user, *s.reg, parsed)
		if err != nil {
			s.fail(w, "WebAuthnChallengeNotFoundException", err.Error())
			return
		}
		s.user.creds = append(s.user.creds, *cred)
	case "ListWebAuthnCredentials":
		var list []map[string]any
		for _, c := range s.user.creds {
			list = append(list, map[string]any{"CredentialId": protocol.URLEncodedBase64(c.ID).String(), "FriendlyCredentialName": "test key",
				"RelyingPartyId": pkRPID, "AuthenticatorAttachment": "platform", "AuthenticatorTransports": []string{"internal"},
				"CreatedAt": float64(s.created.Unix())})
		}
		out["Credentials"] = list
	case "DeleteWebAuthnCredential":
		id := str("CredentialId")
		for i, c := range s.user.creds {
			if protocol.URLEncodedBase64(c.ID).String() == id {
				s.user.creds = append(s.user.creds[:i], s.user.creds[i+1:]...)
				w.Header().Set("Content-Type", "application/x-amz-json-1.1")
				w.Write([]byte("{}"))
				return
			}
		}
		s.fail(w, "ResourceNotFoundException", "credential not found")
		return
	case "InitiateAuth":
		var params map[string]string
		json.Unmarshal(in["AuthParameters"], &params)
		if str("AuthFlow") != "USER_AUTH" || params["PREFERRED_CHALLENGE"] != "WEB_AUTHN" || params["USERNAME"] != pkUserName {
			s.fail(w, "InvalidParameterException", "want USER_AUTH with PREFERRED_CHALLENGE=WEB_AUTHN")
			return
		}
		assertion, session, err := s.wa.BeginLogin(&s.user)
		if err != nil {
			s.fail(w, "NotAuthorizedException", "no passkey")
			return
		}
		s.login = session
		opts, _ := json.Marshal(assertion.Response)
		out["ChallengeName"] = "WEB_AUTHN"
		out["Session"] = pkSessionID
		out["ChallengeParameters"] = map[string]string{"USERNAME": pkUserName, "CREDENTIAL_REQUEST_OPTIONS": string(opts)}
	case "RespondToAuthChallenge":
		var resp map[string]string
		json.Unmarshal(in["ChallengeResponses"], &resp)
		if str("ChallengeName") != "WEB_AUTHN" || str("Session") != pkSessionID || s.login == nil {
			s.fail(w, "NotAuthorizedException", "Invalid session")
			return
		}
		parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(resp["CREDENTIAL"]))
		if err != nil {
			s.fail(w, "NotAuthorizedException", "bad credential")
			return
		}
		cred, err := s.wa.ValidateLogin(&s.user, *s.login, parsed)
		if err != nil || cred.Authenticator.CloneWarning {
			s.fail(w, "NotAuthorizedException", "Incorrect credential")
			return
		}
		s.login = nil
		for i := range s.user.creds {
			if string(s.user.creds[i].ID) == string(cred.ID) {
				s.user.creds[i] = *cred // the new counter
			}
		}
		out["AuthenticationResult"] = map[string]any{"AccessToken": pkAccess, "IdToken": "id", "RefreshToken": "refresh", "ExpiresIn": 3600, "TokenType": "Bearer"}
	default:
		s.fail(w, "UnknownOperationException", target)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(out)
}

func TestPasskeyPlumbing(t *testing.T) {
	s, c := newPKServer(t)
	ctx := context.Background()
	a, err := passkeytest.New(passkeytest.Config{Origin: pkOrigin})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RegisterPasskey(ctx, pkAccess, a); err != nil {
		t.Fatalf("RegisterPasskey: %v", err)
	}
	list, err := c.ListPasskeys(ctx, pkAccess)
	if err != nil || len(list) != 1 {
		t.Fatalf("ListPasskeys = %+v, %v; want one", list, err)
	}
	held := a.Credentials()
	if p := list[0]; p.RelyingPartyID != pkRPID || p.FriendlyName != "test key" || p.AuthenticatorAttachment != "platform" ||
		len(p.Transports) != 1 || !p.CreatedAt.Equal(s.created) || p.CredentialID != protocol.URLEncodedBase64(held[0].ID).String() {
		t.Fatalf("ListPasskeys()[0] = %+v", p)
	}
	for i := range 2 {
		res, err := c.SignInWithPasskey(ctx, pkUserName, a)
		if err != nil || !res.Done() || res.Tokens.AccessToken != pkAccess {
			t.Fatalf("SignInWithPasskey %d = %+v, %v; want tokens", i, res, err)
		}
	}
	// A cloned authenticator (counter back) is refused, as Cognito does.
	a.SetSignCount(held[0].ID, 0)
	if _, err := c.SignInWithPasskey(ctx, pkUserName, a); !errors.Is(err, srpclient.ErrNotAuthorized) {
		t.Fatalf("sign-in with a counter going back: %v; want ErrNotAuthorized", err)
	}
	if err := c.DeletePasskey(ctx, pkAccess, list[0].CredentialID); err != nil {
		t.Fatalf("DeletePasskey: %v", err)
	}
	if err := c.DeletePasskey(ctx, pkAccess, list[0].CredentialID); !errors.Is(err, srpclient.ErrInvalidConfig) {
		t.Fatalf("DeletePasskey twice: %v; want ErrInvalidConfig (ResourceNotFound)", err)
	}
	if list, err := c.ListPasskeys(ctx, pkAccess); err != nil || len(list) != 0 {
		t.Fatalf("after delete: %+v, %v", list, err)
	}
	if err := c.RegisterPasskey(ctx, "wrong-token", a); !errors.Is(err, srpclient.ErrNotAuthorized) {
		t.Fatalf("RegisterPasskey with a bad token: %v; want ErrNotAuthorized", err)
	}
}

// badAuthenticator returns what it is given to return.
type badAuthenticator struct {
	out []byte
	err error
}

func (b badAuthenticator) CreateCredential(context.Context, []byte) ([]byte, error) {
	return b.out, b.err
}
func (b badAuthenticator) GetAssertion(context.Context, []byte) ([]byte, error) { return b.out, b.err }

func TestPasskeyInputErrors(t *testing.T) {
	s, c := newPKServer(t)
	ctx := context.Background()
	good, _ := passkeytest.New(passkeytest.Config{Origin: pkOrigin})
	boom := errors.New("user cancelled")
	var nilCtx context.Context
	tests := []struct {
		name string
		run  func() error
		want error
	}{
		{"nil context", func() error { return c.RegisterPasskey(nilCtx, pkAccess, good) }, srpclient.ErrInvalidInput},
		{"empty token", func() error { return c.RegisterPasskey(ctx, "", good) }, srpclient.ErrInvalidInput},
		{"nil authenticator", func() error { return c.RegisterPasskey(ctx, pkAccess, nil) }, srpclient.ErrInvalidInput},
		{"authenticator error", func() error { return c.RegisterPasskey(ctx, pkAccess, badAuthenticator{err: boom}) }, boom},
		{"not JSON", func() error { return c.RegisterPasskey(ctx, pkAccess, badAuthenticator{out: []byte("nope")}) }, srpclient.ErrInvalidInput},
		{"JSON array", func() error { return c.RegisterPasskey(ctx, pkAccess, badAuthenticator{out: []byte("[]")}) }, srpclient.ErrInvalidInput},
		{"too large", func() error {
			return c.RegisterPasskey(ctx, pkAccess, badAuthenticator{out: []byte(`{"a":"` + strings.Repeat("x", 70<<10) + `"}`)})
		}, srpclient.ErrInvalidInput},
		{"list with empty token", func() error { _, err := c.ListPasskeys(ctx, ""); return err }, srpclient.ErrInvalidInput},
		{"delete empty id", func() error { return c.DeletePasskey(ctx, pkAccess, "") }, srpclient.ErrInvalidInput},
		{"sign-in without passkey", func() error { _, err := c.SignInWithPasskey(ctx, pkUserName, good); return err }, srpclient.ErrNotAuthorized},
		{"sign-in nil authenticator", func() error { _, err := c.SignInWithPasskey(ctx, pkUserName, nil); return err }, srpclient.ErrInvalidInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.run(); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v; want %v", err, tc.want)
			}
		})
	}
	// Nothing reached CompleteWebAuthnRegistration with a bad response.
	for _, target := range s.targets {
		if target == "CompleteWebAuthnRegistration" {
			t.Fatal("a bad authenticator response was sent to Cognito")
		}
	}
}
