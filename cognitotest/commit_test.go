package cognitotest_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/internal/srp"
	"github.com/cognitokit/cognitokit/srpclient/passkeytest"
)

// recordingStore is a MemoryStore that records the transactions that
// wrote: one entry per committed Update with a write, naming the kinds it
// wrote.
type recordingStore struct {
	*state.MemoryStore
	mu      sync.Mutex
	commits [][]state.Kind
}

func (r *recordingStore) Update(fn func(state.StoreTx) error) error {
	var kinds []state.Kind
	err := r.MemoryStore.Update(func(tx state.StoreTx) error {
		return fn(&recordingTx{StoreTx: tx, kinds: &kinds})
	})
	if err == nil && len(kinds) > 0 {
		r.mu.Lock()
		r.commits = append(r.commits, kinds)
		r.mu.Unlock()
	}
	return err
}

// take returns the commits since the last take.
func (r *recordingStore) take() [][]state.Kind {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.commits
	r.commits = nil
	return c
}

type recordingTx struct {
	state.StoreTx
	kinds *[]state.Kind
}

func (tx *recordingTx) note(k state.Kind) {
	if !slices.Contains(*tx.kinds, k) {
		*tx.kinds = append(*tx.kinds, k)
	}
}

func (tx *recordingTx) Put(k state.Kind, key string, v []byte) error {
	tx.note(k)
	return tx.StoreTx.Put(k, key, v)
}

func (tx *recordingTx) Delete(k state.Kind, key string) error {
	tx.note(k)
	return tx.StoreTx.Delete(k, key)
}

// TestEveryWriteCommits drives every operation of the emulator through the
// real AWS SDK clients, in an order where each succeeds, against a server
// whose state lives in a recording store. Every operation that changes the
// state must have committed it to the store when its response arrives;
// every read-only operation must not have written. It also checks that
// the registry's classification matches (an operation marked as writing
// must write in its scenario), that every registered operation is covered,
// and, at the end, that the store holds exactly the state in memory: no
// operation changed a record without committing it.
func TestEveryWriteCommits(t *testing.T) {
	t.Parallel()
	store := &recordingStore{MemoryStore: state.NewMemoryStore()}
	clock := newClock()
	srv := cognitotest.NewServer(t, cognitotest.WithClock(clock.Now), fastKeys(), cognitotest.WithStore(store))
	// A seeded pool has what no operation creates yet: a domain.
	must(srv.ApplySeed(must(cognitotest.ParseSeed([]byte(`{"pools":[{"id":"us-east-1_Seeded","domains":[{"domain":"seeded"}]}]}`)))))
	store.take()
	api := cip.NewFromConfig(srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	ids := ci.NewFromConfig(srv.AWSConfig(), func(o *ci.Options) { o.RetryMaxAttempts = 1 })
	c := ctx()

	writes := map[string]bool{}
	for _, op := range srv.Operations() {
		writes[op.Name] = op.Writes
	}
	done := map[string]bool{}
	// run calls an operation and checks what it committed. setup calls,
	// made to prepare the state, go through setup instead.
	run := func(op string, fn func() error) {
		t.Helper()
		store.take()
		if err := fn(); err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		commits := store.take()
		w, known := writes[op]
		switch {
		case !known && op != "AssumeRoleWithWebIdentity" && !strings.HasPrefix(op, "OAuth2"):
			t.Errorf("%s is not a registered operation", op)
		case (w || !known) && len(commits) == 0:
			t.Errorf("%s wrote nothing to the store before answering; it changes the state", op)
		case known && !w && len(commits) > 0:
			t.Errorf("%s is read-only but committed %v", op, commits)
		}
		done[op] = true
	}
	setup := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("setup %s: %v", what, err)
		}
	}

	// ---- pools, clients, resource servers --------------------------------------
	var poolID string
	run("CreateUserPool", func() error {
		out, err := api.CreateUserPool(c, &cip.CreateUserPoolInput{PoolName: aws.String("commits"), MfaConfiguration: types.UserPoolMfaTypeOptional,
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
			DeviceConfiguration:    &types.DeviceConfigurationType{DeviceOnlyRememberedOnUserPrompt: true}})
		if err == nil {
			poolID = aws.ToString(out.UserPool.Id)
		}
		return err
	})
	pid := aws.String(poolID)
	run("DescribeUserPool", func() error {
		_, err := api.DescribeUserPool(c, &cip.DescribeUserPoolInput{UserPoolId: pid})
		return err
	})
	run("GetUserPoolMfaConfig", func() error {
		_, err := api.GetUserPoolMfaConfig(c, &cip.GetUserPoolMfaConfigInput{UserPoolId: pid})
		return err
	})
	run("SetUserPoolMfaConfig", func() error {
		_, err := api.SetUserPoolMfaConfig(c, &cip.SetUserPoolMfaConfigInput{UserPoolId: pid, MfaConfiguration: types.UserPoolMfaTypeOptional,
			SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}})
		return err
	})
	run("CreateResourceServer", func() error {
		_, err := api.CreateResourceServer(c, &cip.CreateResourceServerInput{UserPoolId: pid, Identifier: aws.String("api"), Name: aws.String("api"),
			Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("r")}}})
		return err
	})
	flows := []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth,
		types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth, types.ExplicitAuthFlowsTypeAllowUserSrpAuth}
	var clientID string
	run("CreateUserPoolClient", func() error {
		out, err := api.CreateUserPoolClient(c, &cip.CreateUserPoolClientInput{UserPoolId: pid, ClientName: aws.String("app"), ExplicitAuthFlows: flows})
		if err == nil {
			clientID = aws.ToString(out.UserPoolClient.ClientId)
		}
		return err
	})
	cid := aws.String(clientID)
	rot, err := api.CreateUserPoolClient(c, &cip.CreateUserPoolClientInput{UserPoolId: pid, ClientName: aws.String("rotating"), ExplicitAuthFlows: flows,
		RefreshTokenRotation: &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled}})
	setup("rotating client", err)
	rotID := rot.UserPoolClient.ClientId
	run("DescribeUserPoolClient", func() error {
		_, err := api.DescribeUserPoolClient(c, &cip.DescribeUserPoolClientInput{UserPoolId: pid, ClientId: cid})
		return err
	})
	run("ListUserPoolClients", func() error {
		_, err := api.ListUserPoolClients(c, &cip.ListUserPoolClientsInput{UserPoolId: pid})
		return err
	})
	poolOpsScenario(t, srv, api, poolID, clientID, run, setup) // issue 14: pools, clients, domains, branding, terms, imports, replicas

	// ---- users: self-service -----------------------------------------------------------
	email := func(name string) []types.AttributeType {
		return []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")}}
	}
	run("SignUp", func() error {
		_, err := api.SignUp(c, &cip.SignUpInput{ClientId: cid, Username: aws.String("sam"), Password: aws.String(testPassword), UserAttributes: email("sam")})
		return err
	})
	run("ResendConfirmationCode", func() error {
		_, err := api.ResendConfirmationCode(c, &cip.ResendConfirmationCodeInput{ClientId: cid, Username: aws.String("sam")})
		return err
	})
	run("ConfirmSignUp", func() error {
		_, err := api.ConfirmSignUp(c, &cip.ConfirmSignUpInput{ClientId: cid, Username: aws.String("sam"), ConfirmationCode: aws.String(srv.LastCode("sam", ""))})
		return err
	})
	_, err = api.SignUp(c, &cip.SignUpInput{ClientId: cid, Username: aws.String("uma"), Password: aws.String(testPassword), UserAttributes: email("uma")})
	setup("SignUp uma", err)
	run("AdminConfirmSignUp", func() error {
		_, err := api.AdminConfirmSignUp(c, &cip.AdminConfirmSignUpInput{UserPoolId: pid, Username: aws.String("uma")})
		return err
	})

	// ---- users: administration -----------------------------------------------------------
	verified := append(email("ann"), types.AttributeType{Name: aws.String("email_verified"), Value: aws.String("true")})
	run("AdminCreateUser", func() error {
		_, err := api.AdminCreateUser(c, &cip.AdminCreateUserInput{UserPoolId: pid, Username: aws.String("ann"), UserAttributes: verified,
			TemporaryPassword: aws.String("Temp-Passw0rd!"), MessageAction: types.MessageActionTypeSuppress})
		return err
	})
	run("AdminSetUserPassword", func() error {
		_, err := api.AdminSetUserPassword(c, &cip.AdminSetUserPasswordInput{UserPoolId: pid, Username: aws.String("ann"), Password: aws.String(testPassword), Permanent: true})
		return err
	})
	run("AdminGetUser", func() error {
		_, err := api.AdminGetUser(c, &cip.AdminGetUserInput{UserPoolId: pid, Username: aws.String("ann")})
		return err
	})
	run("ListUsers", func() error { _, err := api.ListUsers(c, &cip.ListUsersInput{UserPoolId: pid}); return err })
	run("AdminUpdateUserAttributes", func() error {
		_, err := api.AdminUpdateUserAttributes(c, &cip.AdminUpdateUserAttributesInput{UserPoolId: pid, Username: aws.String("ann"),
			UserAttributes: []types.AttributeType{{Name: aws.String("name"), Value: aws.String("Ann")}, {Name: aws.String("family_name"), Value: aws.String("Lee")},
				{Name: aws.String("phone_number"), Value: aws.String("+15555550100")}}})
		return err
	})
	run("AdminDeleteUserAttributes", func() error {
		_, err := api.AdminDeleteUserAttributes(c, &cip.AdminDeleteUserAttributesInput{UserPoolId: pid, Username: aws.String("ann"), UserAttributeNames: []string{"name"}})
		return err
	})
	sms := []types.MFAOptionType{{DeliveryMedium: types.DeliveryMediumTypeSms, AttributeName: aws.String("phone_number")}}
	run("AdminSetUserSettings", func() error {
		_, err := api.AdminSetUserSettings(c, &cip.AdminSetUserSettingsInput{UserPoolId: pid, Username: aws.String("ann"), MFAOptions: sms})
		return err
	})
	run("AdminDisableUser", func() error {
		_, err := api.AdminDisableUser(c, &cip.AdminDisableUserInput{UserPoolId: pid, Username: aws.String("ann")})
		return err
	})
	run("AdminEnableUser", func() error {
		_, err := api.AdminEnableUser(c, &cip.AdminEnableUserInput{UserPoolId: pid, Username: aws.String("ann")})
		return err
	})

	// ---- groups -------------------------------------------------------------------------------------
	group := aws.String("staff")
	run("CreateGroup", func() error {
		_, err := api.CreateGroup(c, &cip.CreateGroupInput{UserPoolId: pid, GroupName: group})
		return err
	})
	run("GetGroup", func() error {
		_, err := api.GetGroup(c, &cip.GetGroupInput{UserPoolId: pid, GroupName: group})
		return err
	})
	run("UpdateGroup", func() error {
		_, err := api.UpdateGroup(c, &cip.UpdateGroupInput{UserPoolId: pid, GroupName: group, Description: aws.String("the staff"), Precedence: aws.Int32(3)})
		return err
	})
	run("ListGroups", func() error { _, err := api.ListGroups(c, &cip.ListGroupsInput{UserPoolId: pid}); return err })
	run("AdminAddUserToGroup", func() error {
		_, err := api.AdminAddUserToGroup(c, &cip.AdminAddUserToGroupInput{UserPoolId: pid, Username: aws.String("ann"), GroupName: group})
		return err
	})
	run("AdminListGroupsForUser", func() error {
		_, err := api.AdminListGroupsForUser(c, &cip.AdminListGroupsForUserInput{UserPoolId: pid, Username: aws.String("ann")})
		return err
	})
	run("ListUsersInGroup", func() error {
		_, err := api.ListUsersInGroup(c, &cip.ListUsersInGroupInput{UserPoolId: pid, GroupName: group})
		return err
	})
	run("AdminRemoveUserFromGroup", func() error {
		_, err := api.AdminRemoveUserFromGroup(c, &cip.AdminRemoveUserFromGroupInput{UserPoolId: pid, Username: aws.String("ann"), GroupName: group})
		return err
	})

	// ---- sign-in and tokens ---------------------------------------------------------------------
	password := func(user string) map[string]string {
		return map[string]string{"USERNAME": user, "PASSWORD": testPassword}
	}
	var annTokens *types.AuthenticationResultType
	run("InitiateAuth", func() error {
		out, err := api.InitiateAuth(c, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: cid, AuthParameters: password("ann")})
		if err == nil {
			annTokens = out.AuthenticationResult
		}
		return err
	})
	if annTokens == nil || annTokens.NewDeviceMetadata == nil {
		t.Fatalf("InitiateAuth: no tokens with NewDeviceMetadata: %+v", annTokens)
	}
	acc := annTokens.AccessToken
	var adminTokens *types.AuthenticationResultType
	run("AdminInitiateAuth", func() error {
		out, err := api.AdminInitiateAuth(c, &cip.AdminInitiateAuthInput{AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, UserPoolId: pid, ClientId: cid,
			AuthParameters: password("ann")})
		if err == nil {
			adminTokens = out.AuthenticationResult
		}
		return err
	})
	// Users with a temporary password, for the challenge answers.
	for _, u := range []string{"tim", "tia"} {
		_, err := api.AdminCreateUser(c, &cip.AdminCreateUserInput{UserPoolId: pid, Username: aws.String(u), TemporaryPassword: aws.String("Temp-Passw0rd!"),
			MessageAction: types.MessageActionTypeSuppress})
		setup("AdminCreateUser "+u, err)
	}
	temp := func(user string) map[string]string {
		return map[string]string{"USERNAME": user, "PASSWORD": "Temp-Passw0rd!"}
	}
	ch, err := api.InitiateAuth(c, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: cid, AuthParameters: temp("tim")})
	setup("InitiateAuth tim", err)
	run("RespondToAuthChallenge", func() error {
		_, err := api.RespondToAuthChallenge(c, &cip.RespondToAuthChallengeInput{ClientId: cid, Session: ch.Session, ChallengeName: ch.ChallengeName,
			ChallengeResponses: map[string]string{"USERNAME": "tim", "NEW_PASSWORD": testPassword}})
		return err
	})
	ach, err := api.AdminInitiateAuth(c, &cip.AdminInitiateAuthInput{AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, UserPoolId: pid, ClientId: cid, AuthParameters: temp("tia")})
	setup("AdminInitiateAuth tia", err)
	run("AdminRespondToAuthChallenge", func() error {
		_, err := api.AdminRespondToAuthChallenge(c, &cip.AdminRespondToAuthChallengeInput{UserPoolId: pid, ClientId: cid, Session: ach.Session,
			ChallengeName: ach.ChallengeName, ChallengeResponses: map[string]string{"USERNAME": "tia", "NEW_PASSWORD": testPassword}})
		return err
	})
	rotOut, err := api.InitiateAuth(c, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: rotID, AuthParameters: password("sam")})
	setup("InitiateAuth sam (rotating client)", err)
	run("GetTokensFromRefreshToken", func() error {
		_, err := api.GetTokensFromRefreshToken(c, &cip.GetTokensFromRefreshTokenInput{ClientId: rotID, RefreshToken: rotOut.AuthenticationResult.RefreshToken})
		return err
	})

	// ---- users: with an access token ------------------------------------------------------------
	run("GetUser", func() error { _, err := api.GetUser(c, &cip.GetUserInput{AccessToken: acc}); return err })
	run("GetUserAuthFactors", func() error {
		_, err := api.GetUserAuthFactors(c, &cip.GetUserAuthFactorsInput{AccessToken: acc})
		return err
	})
	run("DeleteUserAttributes", func() error {
		_, err := api.DeleteUserAttributes(c, &cip.DeleteUserAttributesInput{AccessToken: acc, UserAttributeNames: []string{"family_name"}})
		return err
	})
	run("SetUserSettings", func() error {
		_, err := api.SetUserSettings(c, &cip.SetUserSettingsInput{AccessToken: acc, MFAOptions: []types.MFAOptionType{}})
		return err
	})
	var annEvents []types.AuthEventType
	run("AdminListUserAuthEvents", func() error {
		out, err := api.AdminListUserAuthEvents(c, &cip.AdminListUserAuthEventsInput{UserPoolId: pid, Username: aws.String("ann")})
		if err == nil {
			annEvents = out.AuthEvents
		}
		return err
	})
	if len(annEvents) < 2 {
		t.Fatalf("AdminListUserAuthEvents: %d events of ann; want her sign-ins", len(annEvents))
	}
	run("AdminUpdateAuthEventFeedback", func() error {
		_, err := api.AdminUpdateAuthEventFeedback(c, &cip.AdminUpdateAuthEventFeedbackInput{UserPoolId: pid, Username: aws.String("ann"),
			EventId: annEvents[0].EventId, FeedbackValue: types.FeedbackValueTypeValid})
		return err
	})
	run("UpdateAuthEventFeedback", func() error {
		pool, err := srv.Pool(poolID)
		if err != nil {
			return err
		}
		tok, err := pool.AuthEventFeedbackToken("ann", aws.ToString(annEvents[1].EventId))
		if err != nil {
			return err
		}
		_, err = api.UpdateAuthEventFeedback(c, &cip.UpdateAuthEventFeedbackInput{UserPoolId: pid, Username: aws.String("ann"),
			EventId: annEvents[1].EventId, FeedbackToken: aws.String(tok), FeedbackValue: types.FeedbackValueTypeInvalid})
		return err
	})
	run("UpdateUserAttributes", func() error {
		_, err := api.UpdateUserAttributes(c, &cip.UpdateUserAttributesInput{AccessToken: acc, UserAttributes: email("ann2")})
		return err
	})
	run("GetUserAttributeVerificationCode", func() error {
		_, err := api.GetUserAttributeVerificationCode(c, &cip.GetUserAttributeVerificationCodeInput{AccessToken: acc, AttributeName: aws.String("email")})
		return err
	})
	run("VerifyUserAttribute", func() error {
		_, err := api.VerifyUserAttribute(c, &cip.VerifyUserAttributeInput{AccessToken: acc, AttributeName: aws.String("email"),
			Code: aws.String(srv.LastCode("ann", cognitotest.MsgVerifyAttribute))})
		return err
	})
	run("ChangePassword", func() error {
		_, err := api.ChangePassword(c, &cip.ChangePasswordInput{AccessToken: acc, PreviousPassword: aws.String(testPassword), ProposedPassword: aws.String(testPassword + "x")})
		return err
	})
	run("ForgotPassword", func() error {
		_, err := api.ForgotPassword(c, &cip.ForgotPasswordInput{ClientId: cid, Username: aws.String("ann")})
		return err
	})
	run("ConfirmForgotPassword", func() error {
		_, err := api.ConfirmForgotPassword(c, &cip.ConfirmForgotPasswordInput{ClientId: cid, Username: aws.String("ann"), Password: aws.String(testPassword),
			ConfirmationCode: aws.String(srv.LastCode("ann", cognitotest.MsgForgotPassword))})
		return err
	})

	// ---- MFA ------------------------------------------------------------------------------------
	samOut, err := api.InitiateAuth(c, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: cid, AuthParameters: password("sam")})
	setup("InitiateAuth sam", err)
	samAcc := samOut.AuthenticationResult.AccessToken
	var secret string
	run("AssociateSoftwareToken", func() error {
		out, err := api.AssociateSoftwareToken(c, &cip.AssociateSoftwareTokenInput{AccessToken: samAcc})
		if err == nil {
			secret = aws.ToString(out.SecretCode)
		}
		return err
	})
	run("VerifySoftwareToken", func() error {
		code, err := cognitotest.TOTPCode(secret, clock.Now())
		if err != nil {
			return err
		}
		_, err = api.VerifySoftwareToken(c, &cip.VerifySoftwareTokenInput{AccessToken: samAcc, UserCode: aws.String(code)})
		return err
	})
	run("SetUserMFAPreference", func() error {
		_, err := api.SetUserMFAPreference(c, &cip.SetUserMFAPreferenceInput{AccessToken: samAcc,
			SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}})
		return err
	})
	run("AdminSetUserMFAPreference", func() error {
		_, err := api.AdminSetUserMFAPreference(c, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: pid, Username: aws.String("sam"),
			SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: false}})
		return err
	})

	// ---- devices --------------------------------------------------------------------------------
	confirm := func(res *types.AuthenticationResultType) error {
		m := res.NewDeviceMetadata
		_, salt, verifier, err := srp.NewDeviceSecret(rand.Reader, aws.ToString(m.DeviceGroupKey), aws.ToString(m.DeviceKey))
		if err != nil {
			return err
		}
		_, err = api.ConfirmDevice(c, &cip.ConfirmDeviceInput{AccessToken: res.AccessToken, DeviceKey: m.DeviceKey,
			DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{Salt: aws.String(base64.StdEncoding.EncodeToString(salt)),
				PasswordVerifier: aws.String(base64.StdEncoding.EncodeToString(verifier))}})
		return err
	}
	// The password changed since: sign in again for live tokens.
	annOut, err := api.InitiateAuth(c, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: cid, AuthParameters: password("ann")})
	setup("InitiateAuth ann", err)
	dev1 := annOut.AuthenticationResult
	acc = dev1.AccessToken
	run("ConfirmDevice", func() error { return confirm(dev1) })
	setup("ConfirmDevice (admin tokens)", confirm(adminTokens))
	key1, key2 := dev1.NewDeviceMetadata.DeviceKey, adminTokens.NewDeviceMetadata.DeviceKey
	run("GetDevice", func() error {
		_, err := api.GetDevice(c, &cip.GetDeviceInput{AccessToken: acc, DeviceKey: key1})
		return err
	})
	run("ListDevices", func() error { _, err := api.ListDevices(c, &cip.ListDevicesInput{AccessToken: acc}); return err })
	run("AdminGetDevice", func() error {
		_, err := api.AdminGetDevice(c, &cip.AdminGetDeviceInput{UserPoolId: pid, Username: aws.String("ann"), DeviceKey: key1})
		return err
	})
	run("AdminListDevices", func() error {
		_, err := api.AdminListDevices(c, &cip.AdminListDevicesInput{UserPoolId: pid, Username: aws.String("ann")})
		return err
	})
	run("UpdateDeviceStatus", func() error {
		_, err := api.UpdateDeviceStatus(c, &cip.UpdateDeviceStatusInput{AccessToken: acc, DeviceKey: key1, DeviceRememberedStatus: types.DeviceRememberedStatusTypeRemembered})
		return err
	})
	run("AdminUpdateDeviceStatus", func() error {
		_, err := api.AdminUpdateDeviceStatus(c, &cip.AdminUpdateDeviceStatusInput{UserPoolId: pid, Username: aws.String("ann"), DeviceKey: key2,
			DeviceRememberedStatus: types.DeviceRememberedStatusTypeRemembered})
		return err
	})
	run("ForgetDevice", func() error {
		_, err := api.ForgetDevice(c, &cip.ForgetDeviceInput{AccessToken: acc, DeviceKey: key1})
		return err
	})
	run("AdminForgetDevice", func() error {
		_, err := api.AdminForgetDevice(c, &cip.AdminForgetDeviceInput{UserPoolId: pid, Username: aws.String("ann"), DeviceKey: key2})
		return err
	})

	// ---- passkeys (issue 15) ------------------------------------------------------------
	_, err = api.UpdateUserPool(c, &cip.UpdateUserPoolInput{UserPoolId: pid, MfaConfiguration: types.UserPoolMfaTypeOptional,
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		DeviceConfiguration:    &types.DeviceConfigurationType{DeviceOnlyRememberedOnUserPrompt: true},
		Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{
			AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeWebAuthn}}}})
	setup("UpdateUserPool (WEB_AUTHN)", err)
	register := func(startOp, completeOp string) {
		t.Helper()
		pk, err := passkeytest.New(passkeytest.Config{Origin: "http://localhost:3000"})
		setup("passkeytest", err)
		var opts []byte
		start := func() error {
			out, err := api.StartWebAuthnRegistration(c, &cip.StartWebAuthnRegistrationInput{AccessToken: acc})
			if err == nil {
				opts, err = out.CredentialCreationOptions.MarshalSmithyDocument()
			}
			return err
		}
		if startOp != "" {
			run(startOp, start)
		} else {
			setup("StartWebAuthnRegistration", start())
		}
		resp, err := pk.CreateCredential(c, opts)
		setup("CreateCredential", err)
		var cred map[string]any
		setup("registration response", json.Unmarshal(resp, &cred))
		complete := func() error {
			_, err := api.CompleteWebAuthnRegistration(c, &cip.CompleteWebAuthnRegistrationInput{AccessToken: acc, Credential: document.NewLazyDocument(cred)})
			return err
		}
		if completeOp != "" {
			run(completeOp, complete)
		} else {
			setup("CompleteWebAuthnRegistration", complete())
		}
	}
	register("StartWebAuthnRegistration", "CompleteWebAuthnRegistration")
	register("", "")
	var passkeyIDs []string
	run("ListWebAuthnCredentials", func() error {
		out, err := api.ListWebAuthnCredentials(c, &cip.ListWebAuthnCredentialsInput{AccessToken: acc})
		if err == nil {
			for _, k := range out.Credentials {
				passkeyIDs = append(passkeyIDs, aws.ToString(k.CredentialId))
			}
		}
		return err
	})
	if len(passkeyIDs) != 2 {
		t.Fatalf("passkeys: %v; want 2", passkeyIDs)
	}
	run("DeleteWebAuthnCredential", func() error {
		_, err := api.DeleteWebAuthnCredential(c, &cip.DeleteWebAuthnCredentialInput{AccessToken: acc, CredentialId: aws.String(passkeyIDs[1])})
		return err
	})

	// ---- managed login's token endpoint ------------------------------------------------------------------
	oauth := func(path string, form url.Values) error {
		req, _ := http.NewRequest(http.MethodPost, srv.URL()+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := srv.HTTPClient().Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			return &httpError{resp.StatusCode, b.String()}
		}
		return nil
	}
	rot2, err := api.InitiateAuth(c, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: rotID, AuthParameters: password("sam")})
	setup("InitiateAuth sam (rotating)", err)
	run("OAuth2Token refresh_token", func() error {
		return oauth("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {*rotID}, "refresh_token": {*rot2.AuthenticationResult.RefreshToken}})
	})
	run("OAuth2Revoke", func() error {
		return oauth("/oauth2/revoke", url.Values{"client_id": {*rotID}, "token": {*rot2.AuthenticationResult.RefreshToken}})
	})

	// ---- revocation and sign-out ------------------------------------------------------------------------
	run("RevokeToken", func() error {
		_, err := api.RevokeToken(c, &cip.RevokeTokenInput{ClientId: cid, Token: annOut.AuthenticationResult.RefreshToken})
		return err
	})
	run("GlobalSignOut", func() error { _, err := api.GlobalSignOut(c, &cip.GlobalSignOutInput{AccessToken: samAcc}); return err })
	run("AdminUserGlobalSignOut", func() error {
		_, err := api.AdminUserGlobalSignOut(c, &cip.AdminUserGlobalSignOutInput{UserPoolId: pid, Username: aws.String("ann")})
		return err
	})
	run("AdminResetUserPassword", func() error {
		_, err := api.AdminResetUserPassword(c, &cip.AdminResetUserPasswordInput{UserPoolId: pid, Username: aws.String("ann")})
		return err
	})

	// ---- Cognito Identity and STS -------------------------------------------------------------------------
	provider := cognitotest.IdentityProviderName(poolID)
	idTok := func(user string) string {
		out, err := api.InitiateAuth(c, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: cid, AuthParameters: password(user)})
		setup("InitiateAuth "+user, err)
		return aws.ToString(out.AuthenticationResult.IdToken)
	}
	var idPool string
	run("CreateIdentityPool", func() error {
		out, err := ids.CreateIdentityPool(c, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("commits"), AllowUnauthenticatedIdentities: true,
			AllowClassicFlow: aws.Bool(true), DeveloperProviderName: aws.String("login.example"),
			CognitoIdentityProviders: []citypes.CognitoIdentityProvider{{ProviderName: aws.String(provider), ClientId: cid}}})
		if err == nil {
			idPool = aws.ToString(out.IdentityPoolId)
		}
		return err
	})
	ipid := aws.String(idPool)
	run("DescribeIdentityPool", func() error {
		_, err := ids.DescribeIdentityPool(c, &ci.DescribeIdentityPoolInput{IdentityPoolId: ipid})
		return err
	})
	run("UpdateIdentityPool", func() error {
		_, err := ids.UpdateIdentityPool(c, &ci.UpdateIdentityPoolInput{IdentityPoolId: ipid, IdentityPoolName: aws.String("commits2"), AllowUnauthenticatedIdentities: true,
			AllowClassicFlow: aws.Bool(true), DeveloperProviderName: aws.String("login.example"),
			CognitoIdentityProviders: []citypes.CognitoIdentityProvider{{ProviderName: aws.String(provider), ClientId: cid}}})
		return err
	})
	run("ListIdentityPools", func() error {
		_, err := ids.ListIdentityPools(c, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(10)})
		return err
	})
	const authRole, guestRole = "arn:aws:iam::123456789012:role/auth", "arn:aws:iam::123456789012:role/guest"
	run("SetIdentityPoolRoles", func() error {
		_, err := ids.SetIdentityPoolRoles(c, &ci.SetIdentityPoolRolesInput{IdentityPoolId: ipid, Roles: map[string]string{"authenticated": authRole, "unauthenticated": guestRole}})
		return err
	})
	run("GetIdentityPoolRoles", func() error {
		_, err := ids.GetIdentityPoolRoles(c, &ci.GetIdentityPoolRolesInput{IdentityPoolId: ipid})
		return err
	})
	timTok := idTok("tim")
	var timID string
	run("GetId", func() error {
		out, err := ids.GetId(c, &ci.GetIdInput{IdentityPoolId: ipid, Logins: map[string]string{provider: timTok}})
		if err == nil {
			timID = aws.ToString(out.IdentityId)
		}
		return err
	})
	run("GetCredentialsForIdentity", func() error {
		_, err := ids.GetCredentialsForIdentity(c, &ci.GetCredentialsForIdentityInput{IdentityId: aws.String(timID), Logins: map[string]string{provider: timTok}})
		return err
	})
	guest, err := ids.GetId(c, &ci.GetIdInput{IdentityPoolId: ipid})
	setup("GetId guest", err)
	tiaTok := idTok("tia")
	var openID string
	run("GetOpenIdToken", func() error { // links tia's login to the guest identity
		out, err := ids.GetOpenIdToken(c, &ci.GetOpenIdTokenInput{IdentityId: guest.IdentityId, Logins: map[string]string{provider: tiaTok}})
		if err == nil {
			openID = aws.ToString(out.Token)
		}
		return err
	})
	run("AssumeRoleWithWebIdentity", func() error {
		cfg := srv.AWSConfig()
		cfg.Credentials = aws.AnonymousCredentials{}
		_, err := sts.NewFromConfig(cfg).AssumeRoleWithWebIdentity(c, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(authRole),
			RoleSessionName: aws.String("tia"), WebIdentityToken: aws.String(openID)})
		return err
	})
	run("GetOpenIdTokenForDeveloperIdentity", func() error {
		_, err := ids.GetOpenIdTokenForDeveloperIdentity(c, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: ipid,
			Logins: map[string]string{"login.example": "dev-1"}})
		return err
	})
	_, err = ids.GetOpenIdTokenForDeveloperIdentity(c, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: ipid, Logins: map[string]string{"login.example": "dev-2"}})
	setup("developer identity dev-2", err)
	run("LookupDeveloperIdentity", func() error {
		_, err := ids.LookupDeveloperIdentity(c, &ci.LookupDeveloperIdentityInput{IdentityPoolId: ipid, DeveloperUserIdentifier: aws.String("dev-1")})
		return err
	})
	run("MergeDeveloperIdentities", func() error {
		_, err := ids.MergeDeveloperIdentities(c, &ci.MergeDeveloperIdentitiesInput{IdentityPoolId: ipid, DeveloperProviderName: aws.String("login.example"),
			SourceUserIdentifier: aws.String("dev-2"), DestinationUserIdentifier: aws.String("dev-1")})
		return err
	})
	lookup, err := ids.LookupDeveloperIdentity(c, &ci.LookupDeveloperIdentityInput{IdentityPoolId: ipid, DeveloperUserIdentifier: aws.String("dev-1")})
	setup("LookupDeveloperIdentity", err)
	run("UnlinkDeveloperIdentity", func() error {
		_, err := ids.UnlinkDeveloperIdentity(c, &ci.UnlinkDeveloperIdentityInput{IdentityPoolId: ipid, IdentityId: lookup.IdentityId,
			DeveloperProviderName: aws.String("login.example"), DeveloperUserIdentifier: aws.String("dev-2")})
		return err
	})
	run("UnlinkIdentity", func() error {
		_, err := ids.UnlinkIdentity(c, &ci.UnlinkIdentityInput{IdentityId: guest.IdentityId, Logins: map[string]string{provider: tiaTok}, LoginsToRemove: []string{provider}})
		return err
	})
	run("DescribeIdentity", func() error {
		_, err := ids.DescribeIdentity(c, &ci.DescribeIdentityInput{IdentityId: aws.String(timID)})
		return err
	})
	run("ListIdentities", func() error {
		_, err := ids.ListIdentities(c, &ci.ListIdentitiesInput{IdentityPoolId: ipid, MaxResults: aws.Int32(10)})
		return err
	})
	run("DeleteIdentities", func() error {
		_, err := ids.DeleteIdentities(c, &ci.DeleteIdentitiesInput{IdentityIdsToDelete: []string{*guest.IdentityId}})
		return err
	})
	arn := "arn:aws:cognito-identity:us-east-1:123456789012:identitypool/" + idPool
	run("TagResource", func() error {
		_, err := ids.TagResource(c, &ci.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"team": "a"}})
		return err
	})
	run("ListTagsForResource", func() error {
		_, err := ids.ListTagsForResource(c, &ci.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		return err
	})
	run("UntagResource", func() error {
		_, err := ids.UntagResource(c, &ci.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team"}})
		return err
	})
	run("SetPrincipalTagAttributeMap", func() error {
		_, err := ids.SetPrincipalTagAttributeMap(c, &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: ipid, IdentityProviderName: aws.String(provider),
			PrincipalTags: map[string]string{"user": "cognito:username"}})
		return err
	})
	run("GetPrincipalTagAttributeMap", func() error {
		_, err := ids.GetPrincipalTagAttributeMap(c, &ci.GetPrincipalTagAttributeMapInput{IdentityPoolId: ipid, IdentityProviderName: aws.String(provider)})
		return err
	})

	idpScenario(t, api, poolID, run, setup) // issue 15: identity providers

	// ---- the store holds the state ----------------------------------------------------------------------------
	// Before the deletions, so that the comparison covers every kind.
	live, err := srv.StateSnapshot()
	noErr(t, err)
	stored := store.Snapshot()
	for _, kind := range state.Kinds {
		if len(live[kind]) == 0 {
			t.Errorf("the scenario left no record of kind %s to compare", kind)
		}
		for key, data := range live[kind] {
			if got, ok := stored[kind][key]; !ok || !bytes.Equal(got, data) {
				t.Errorf("%s %q: memory and store differ (an operation changed a record without committing it):\nmemory %s\nstore  %s", kind, key, data, got)
			}
		}
		for key := range stored[kind] {
			if _, ok := live[kind][key]; !ok {
				t.Errorf("%s %q: in the store, not in memory", kind, key)
			}
		}
	}

	// ---- deletions ----------------------------------------------------------------------------------------------------------------
	run("DeleteIdentityPool", func() error {
		_, err := ids.DeleteIdentityPool(c, &ci.DeleteIdentityPoolInput{IdentityPoolId: ipid})
		return err
	})
	samOut, err = api.InitiateAuth(c, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: cid, AuthParameters: password("sam")})
	setup("InitiateAuth sam after sign-out", err)
	run("DeleteUser", func() error {
		_, err := api.DeleteUser(c, &cip.DeleteUserInput{AccessToken: samOut.AuthenticationResult.AccessToken})
		return err
	})
	run("AdminDeleteUser", func() error {
		_, err := api.AdminDeleteUser(c, &cip.AdminDeleteUserInput{UserPoolId: pid, Username: aws.String("uma")})
		return err
	})
	run("DeleteGroup", func() error {
		_, err := api.DeleteGroup(c, &cip.DeleteGroupInput{UserPoolId: pid, GroupName: group})
		return err
	})
	run("DeleteUserPoolClient", func() error {
		_, err := api.DeleteUserPoolClient(c, &cip.DeleteUserPoolClientInput{UserPoolId: pid, ClientId: rotID})
		return err
	})
	run("DeleteUserPool", func() error { _, err := api.DeleteUserPool(c, &cip.DeleteUserPoolInput{UserPoolId: pid}); return err })

	var missing []string
	for op := range writes {
		if !done[op] {
			missing = append(missing, op)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("operations not exercised: %v; add them to the scenario", missing)
	}
}

type httpError struct {
	status int
	body   string
}

func (e *httpError) Error() string { return http.StatusText(e.status) + ": " + e.body }

// TestRestartKeepsState: a server opened on the store of a closed one has
// its state: the pool and its signing keys (tokens issued before still
// verify), clients and secrets, users with their passwords (and SRP
// verifiers), groups, refresh tokens and their revocation, devices, and
// identity pools with their identities.
func TestRestartKeepsState(t *testing.T) {
	t.Parallel()
	t.Run("memory store", func(t *testing.T) { testRestart(t, cognitotest.WithStore(state.NewMemoryStore())) })
	t.Run("data directory", func(t *testing.T) { testRestart(t, cognitotest.WithDataDir(t.TempDir())) })
}

func testRestart(t *testing.T, store cognitotest.Option) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	noErr(t, err)
	addr := ln.Addr().String()
	ln.Close()
	start := func() (*cognitotest.Server, *cip.Client) {
		srv := cognitotest.NewServer(t, store, cognitotest.WithListenAddr(addr), fastKeys())
		return srv, cip.NewFromConfig(srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	}
	srv, api := start()
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Restart", DeviceRemembering: cognitotest.DevicesAlways})
	app := pool.MustCreateClient(cognitotest.ClientConfig{Name: "app", GenerateSecret: true})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "ann", Password: testPassword, Email: "ann@example.com", Groups: []string{"admin"}})
	e := &env{srv: srv, pool: pool, api: api}
	out := must(e.passwordLogin(app, "ann", testPassword))
	kept, revoked := out.AuthenticationResult, must(e.passwordLogin(app, "ann", testPassword)).AuthenticationResult
	_, err = api.RevokeToken(ctx(), &cip.RevokeTokenInput{ClientId: aws.String(app.ID), ClientSecret: aws.String(app.Secret), Token: revoked.RefreshToken})
	noErr(t, err)
	idp := srv.MustCreateIdentityPool(cognitotest.IdentityPoolConfig{UserPools: []cognitotest.IdentityPoolUserPool{{UserPoolID: pool.ID(), ClientID: app.ID}}})
	ids := ci.NewFromConfig(srv.AWSConfig(), func(o *ci.Options) { o.RetryMaxAttempts = 1 })
	provider := cognitotest.IdentityProviderName(pool.ID())
	id1, err := ids.GetId(ctx(), &ci.GetIdInput{IdentityPoolId: aws.String(idp.ID), Logins: map[string]string{provider: aws.ToString(kept.IdToken)}})
	noErr(t, err)
	kids := pool.KeyIDs()
	srv.Close()

	srv2, api2 := start()
	pool2, err := srv2.Pool("us-east-1_Restart")
	noErr(t, err)
	if got := pool2.KeyIDs(); !slices.Equal(got, kids) {
		t.Errorf("signing keys after restart: %v; want %v", got, kids)
	}
	if c, err := pool2.Client(app.ID); err != nil || c.Secret != app.Secret {
		t.Errorf("client after restart: %+v, %v; want the secret kept", c, err)
	}
	if u, err := pool2.User("ann"); err != nil || !slices.Equal(u.Groups, []string{"admin"}) {
		t.Errorf("user after restart: %+v, %v", u, err)
	}
	// The access token issued before the restart still works.
	if _, err := api2.GetUser(ctx(), &cip.GetUserInput{AccessToken: kept.AccessToken}); err != nil {
		t.Errorf("GetUser with a token issued before the restart: %v", err)
	}
	// Password and SRP sign-in, with the remembered device.
	e2 := &env{srv: srv2, pool: pool2, api: api2}
	if _, err := e2.passwordLogin(app, "ann", testPassword); err != nil {
		t.Errorf("password sign-in after restart: %v", err)
	}
	if _, err := e2.srpLogin(app, "ann", testPassword); err != nil {
		t.Errorf("SRP sign-in after restart: %v", err)
	}
	refresh := func(tok *string) error {
		_, err := api2.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(app.ID),
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(tok), "SECRET_HASH": app.SecretHash("ann"),
				"DEVICE_KEY": aws.ToString(kept.NewDeviceMetadata.DeviceKey)}})
		return err
	}
	if err := refresh(kept.RefreshToken); err != nil {
		t.Errorf("refresh token issued before the restart: %v", err)
	}
	if err := refresh(revoked.RefreshToken); err == nil {
		t.Error("a refresh token revoked before the restart works after it")
	}
	ids2 := ci.NewFromConfig(srv2.AWSConfig(), func(o *ci.Options) { o.RetryMaxAttempts = 1 })
	id2, err := ids2.GetId(ctx(), &ci.GetIdInput{IdentityPoolId: aws.String(idp.ID), Logins: map[string]string{provider: aws.ToString(kept.IdToken)}})
	if err != nil || aws.ToString(id2.IdentityId) != aws.ToString(id1.IdentityId) {
		t.Errorf("GetId after restart: %v, %v; want the same identity %s", aws.ToString(id2.IdentityId), err, aws.ToString(id1.IdentityId))
	}
}
