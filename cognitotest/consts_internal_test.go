package cognitotest

import (
	"slices"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
)

// TestConstantsMatch: the public names of Cognito's values are the ones
// the implementation uses.
func TestConstantsMatch(t *testing.T) {
	t.Parallel()
	for _, p := range [][2]string{
		{MsgSignUp, emulator.MsgSignUp}, {MsgResendCode, emulator.MsgResendCode}, {MsgForgotPassword, emulator.MsgForgotPassword},
		{MsgTemporaryPassword, emulator.MsgTemporaryPassword}, {MsgSMSMFA, emulator.MsgSMSMFA}, {MsgEmailMFA, emulator.MsgEmailMFA},
		{MsgSMSOTP, emulator.MsgSMSOTP}, {MsgVerifyAttribute, emulator.MsgVerifyAttribute},
		{MFAOff, userpool.MFAOff}, {MFAOptional, userpool.MFAOptional}, {MFAOn, userpool.MFAOn},
		{DevicesOff, userpool.DevicesOff}, {DevicesAlways, userpool.DevicesAlways}, {DevicesUserOptIn, userpool.DevicesUserOptIn},
		{StatusUnconfirmed, userpool.StatusUnconfirmed}, {StatusConfirmed, userpool.StatusConfirmed},
		{StatusForceChangePassword, userpool.StatusForceChangePassword}, {StatusResetRequired, userpool.StatusResetRequired},
		{MFATOTP, userpool.MFATOTP}, {MFASMS, userpool.MFASMS}, {MFAEmail, userpool.MFAEmail},
	} {
		if p[0] != p[1] {
			t.Errorf("public %q != internal %q", p[0], p[1])
		}
	}
	flows := []string{FlowUserSRP, FlowUserPassword, FlowAdminUserPassword, FlowCustom, FlowRefreshToken, FlowUserAuth}
	if !slices.Equal(flows, userpool.AllFlows) {
		t.Errorf("flows %v != internal %v", flows, userpool.AllFlows)
	}
	for _, m := range [][2]JWKSMode{{JWKSNormal, JWKSMode(emulator.JWKSNormal)}, {JWKSFail, JWKSMode(emulator.JWKSFail)},
		{JWKSHang, JWKSMode(emulator.JWKSHang)}, {JWKSGarbage, JWKSMode(emulator.JWKSGarbage)}, {JWKSEmpty, JWKSMode(emulator.JWKSEmpty)}} {
		if m[0] != m[1] {
			t.Errorf("JWKS mode %d != internal %d", m[0], m[1])
		}
	}
}
