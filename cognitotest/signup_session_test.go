package cognitotest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestSignUpSession: the sign-in that follows a sign-up, as Amplify's
// autoSignIn does it after a passwordless sign-up. SignUp and ConfirmSignUp
// answer a Session; InitiateAuth (USER_AUTH) with ConfirmSignUp's Session
// signs the user in without another factor, once, and only that user. A
// pool with a passwordless first factor takes sign-ups without a
// password; other pools refuse them.
func TestSignUpSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{UsernameAttributes: []string{"email"}, AutoVerifiedAttributes: []string{"email"},
		AllowedFirstAuthFactors: []string{"PASSWORD", "EMAIL_OTP"}, MFA: cognitotest.MFAOptional})
	signUp := func(email, password string) (*cip.SignUpOutput, error) {
		in := &cip.SignUpInput{ClientId: aws.String(e.public.ID), Username: aws.String(email),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}}}
		if password != "" {
			in.Password = aws.String(password)
		}
		return e.api.SignUp(ctx(), in)
	}
	confirm := func(email, session string) (*cip.ConfirmSignUpOutput, error) {
		in := &cip.ConfirmSignUpInput{ClientId: aws.String(e.public.ID), Username: aws.String(email),
			ConfirmationCode: aws.String(e.srv.LastCode(email, cognitotest.MsgSignUp))}
		if session != "" {
			in.Session = aws.String(session)
		}
		return e.api.ConfirmSignUp(ctx(), in)
	}
	userAuth := func(email, session string) (*cip.InitiateAuthOutput, error) {
		return e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserAuth, ClientId: aws.String(e.public.ID),
			AuthParameters: map[string]string{"USERNAME": email}, Session: aws.String(session)})
	}
	invalidSession := func(what string, err error) {
		t.Helper()
		var na *types.NotAuthorizedException
		if !errors.As(err, &na) {
			t.Errorf("%s: %v; want NotAuthorizedException (invalid session)", what, err)
		}
	}

	// A passwordless sign-up, confirmed with SignUp's Session.
	up, err := signUp("pat@example.com", "")
	if err != nil {
		t.Fatalf("passwordless SignUp: %v", err)
	}
	if aws.ToString(up.Session) == "" {
		t.Fatal("SignUp answered no Session")
	}
	patConf, err := confirm("pat@example.com", aws.ToString(up.Session))
	if err != nil || aws.ToString(patConf.Session) == "" {
		t.Fatalf("ConfirmSignUp: %v, session %q", err, aws.ToString(patConf.Session))
	}
	// Pat's Session does not sign in Quinn, and is then used up.
	_, err = signUp("quinn@example.com", testPassword)
	noErr(t, err)
	_, err = userAuth("quinn@example.com", aws.ToString(patConf.Session))
	invalidSession("USER_AUTH with another user's Session", err)
	_, err = userAuth("pat@example.com", aws.ToString(patConf.Session))
	invalidSession("USER_AUTH with a used Session", err)

	// Quinn confirms (without SignUp's Session, as Amplify does) and signs
	// in with ConfirmSignUp's Session: tokens at once, even though the pool
	// has optional MFA.
	conf, err := confirm("quinn@example.com", "")
	noErr(t, err)
	out, err := userAuth("quinn@example.com", aws.ToString(conf.Session))
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("USER_AUTH with ConfirmSignUp's Session: %v, %+v; want tokens", err, out)
	}
	u, err := e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: out.AuthenticationResult.AccessToken})
	if err != nil || userAttr(u.UserAttributes, "email") != "quinn@example.com" || userAttr(u.UserAttributes, "email_verified") != "true" {
		t.Errorf("GetUser with the tokens: %+v, %v", u, err)
	}
	_, err = userAuth("quinn@example.com", aws.ToString(conf.Session))
	invalidSession("the Session a second time", err)

	// Pat, who has no password, signs in with an email code, and not with
	// a password.
	otp, err := e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserAuth, ClientId: aws.String(e.public.ID),
		AuthParameters: map[string]string{"USERNAME": "pat@example.com", "PREFERRED_CHALLENGE": "EMAIL_OTP"}})
	if err != nil || otp.ChallengeName != types.ChallengeNameTypeEmailOtp {
		t.Fatalf("EMAIL_OTP for the passwordless user: %v, %+v", err, otp)
	}
	done, err := e.api.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ClientId: aws.String(e.public.ID), Session: otp.Session,
		ChallengeName: types.ChallengeNameTypeEmailOtp, ChallengeResponses: map[string]string{"USERNAME": "pat@example.com",
			"EMAIL_OTP_CODE": e.srv.LastCode("pat@example.com", cognitotest.MsgEmailMFA)}})
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("EMAIL_OTP answer: %v", err)
	}
	_, err = e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserAuth, ClientId: aws.String(e.public.ID),
		AuthParameters: map[string]string{"USERNAME": "pat@example.com", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "x"}})
	var ip *types.InvalidParameterException
	if !errors.As(err, &ip) {
		t.Errorf("PASSWORD for a user without one: %v; want InvalidParameterException", err)
	}

	// SignUp's Session confirms only its user; a wrong code keeps it for
	// another try.
	upR, err := signUp("rae@example.com", testPassword)
	noErr(t, err)
	_, err = signUp("sid@example.com", testPassword)
	noErr(t, err)
	_, err = confirm("sid@example.com", aws.ToString(upR.Session))
	invalidSession("ConfirmSignUp with another user's SignUp Session", err)
	upR2, err := signUp("ray@example.com", testPassword)
	noErr(t, err)
	_, err = e.api.ConfirmSignUp(ctx(), &cip.ConfirmSignUpInput{ClientId: aws.String(e.public.ID), Username: aws.String("ray@example.com"),
		ConfirmationCode: aws.String("000000"), Session: upR2.Session})
	var cm *types.CodeMismatchException
	if !errors.As(err, &cm) {
		t.Fatalf("a wrong code: %v; want CodeMismatchException", err)
	}
	if _, err := confirm("ray@example.com", aws.ToString(upR2.Session)); err != nil {
		t.Errorf("the right code with the same SignUp Session: %v", err)
	}

	// Without a passwordless factor, a password is required.
	other := e.srv.MustCreatePool(cognitotest.PoolConfig{})
	app := other.MustCreateClient(cognitotest.ClientConfig{})
	_, err = e.api.SignUp(ctx(), &cip.SignUpInput{ClientId: aws.String(app.ID), Username: aws.String("sam")})
	if !errors.As(err, &ip) || !strings.Contains(ip.ErrorMessage(), "Password") {
		t.Errorf("SignUp without a password in a pool without passwordless sign-in: %v; want InvalidParameterException naming Password", err)
	}
}

func userAttr(attrs []types.AttributeType, name string) string {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}
