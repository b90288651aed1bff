package srpclient

import (
	"context"
	"fmt"
	"maps"
	"slices"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// CodeDelivery says where Cognito sent a code.
type CodeDelivery struct {
	Destination string // masked, e.g. "a***@e***"
	Medium      string // "EMAIL" or "SMS"
	Attribute   string // "email", "phone_number"
}

func delivery(d *types.CodeDeliveryDetailsType) *CodeDelivery {
	if d == nil {
		return nil
	}
	return &CodeDelivery{Destination: deref(d.Destination), Medium: string(d.DeliveryMedium), Attribute: deref(d.AttributeName)}
}

// SignUpInput is the input of [Client.SignUp].
type SignUpInput struct {
	Username       string            // required
	Password       string            // required
	Attributes     map[string]string // e.g. "email": "a@example.com"
	ClientMetadata map[string]string
}

// SignUpResult is the result of [Client.SignUp].
type SignUpResult struct {
	UserConfirmed bool
	UserSub       string
	Delivery      *CodeDelivery // where the confirmation code went, if one was sent
}

// SignUp registers a new user. Unless the pool confirms users
// automatically, confirm with the code through [Client.ConfirmSignUp].
func (c *Client) SignUp(ctx context.Context, in SignUpInput) (*SignUpResult, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if err := checkUsername(in.Username); err != nil {
		return nil, err
	}
	if err := checkPassword(in.Password); err != nil {
		return nil, err
	}
	if len(in.Attributes) > 64 {
		return nil, fmt.Errorf("%w: more than 64 attributes", ErrInvalidInput)
	}
	attrs := make([]types.AttributeType, 0, len(in.Attributes))
	for _, k := range slices.Sorted(maps.Keys(in.Attributes)) {
		attrs = append(attrs, types.AttributeType{Name: ptr(k), Value: ptr(in.Attributes[k])})
	}
	out, err := c.api.SignUp(ctx, &cip.SignUpInput{
		ClientId: &c.cfg.ClientID, Username: &in.Username, Password: &in.Password,
		SecretHash: c.secretHashPtr(in.Username), UserAttributes: attrs, ClientMetadata: in.ClientMetadata,
	})
	if err != nil {
		return nil, wrapAPI("sign up", err)
	}
	return &SignUpResult{UserConfirmed: out.UserConfirmed, UserSub: deref(out.UserSub), Delivery: delivery(out.CodeDeliveryDetails)}, nil
}

// ConfirmSignUp confirms a new user with the code Cognito sent.
func (c *Client) ConfirmSignUp(ctx context.Context, username, code string) error {
	if ctx == nil {
		return errNilContext
	}
	if err := checkUsername(username); err != nil {
		return err
	}
	if err := checkCode(code); err != nil {
		return err
	}
	_, err := c.api.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
		ClientId: &c.cfg.ClientID, Username: &username, ConfirmationCode: &code, SecretHash: c.secretHashPtr(username),
	})
	return wrapAPI("confirm sign up", err)
}

// ResendConfirmationCode sends the sign-up confirmation code again.
func (c *Client) ResendConfirmationCode(ctx context.Context, username string) (*CodeDelivery, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if err := checkUsername(username); err != nil {
		return nil, err
	}
	out, err := c.api.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{
		ClientId: &c.cfg.ClientID, Username: &username, SecretHash: c.secretHashPtr(username),
	})
	if err != nil {
		return nil, wrapAPI("resend confirmation code", err)
	}
	return delivery(out.CodeDeliveryDetails), nil
}

// ForgotPassword sends a password-reset code; finish with
// [Client.ConfirmForgotPassword].
func (c *Client) ForgotPassword(ctx context.Context, username string) (*CodeDelivery, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if err := checkUsername(username); err != nil {
		return nil, err
	}
	out, err := c.api.ForgotPassword(ctx, &cip.ForgotPasswordInput{
		ClientId: &c.cfg.ClientID, Username: &username, SecretHash: c.secretHashPtr(username),
	})
	if err != nil {
		return nil, wrapAPI("forgot password", err)
	}
	return delivery(out.CodeDeliveryDetails), nil
}

// ConfirmForgotPassword sets a new password with the reset code.
func (c *Client) ConfirmForgotPassword(ctx context.Context, username, code, newPassword string) error {
	if ctx == nil {
		return errNilContext
	}
	if err := checkUsername(username); err != nil {
		return err
	}
	if err := checkCode(code); err != nil {
		return err
	}
	if err := checkPassword(newPassword); err != nil {
		return err
	}
	_, err := c.api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{
		ClientId: &c.cfg.ClientID, Username: &username, ConfirmationCode: &code, Password: &newPassword,
		SecretHash: c.secretHashPtr(username),
	})
	return wrapAPI("confirm forgot password", err)
}

// ChangePassword changes the signed-in user's password.
func (c *Client) ChangePassword(ctx context.Context, accessToken, oldPassword, newPassword string) error {
	if ctx == nil {
		return errNilContext
	}
	if accessToken == "" {
		return fmt.Errorf("%w: empty access token", ErrInvalidInput)
	}
	if err := checkPassword(oldPassword); err != nil {
		return err
	}
	if err := checkPassword(newPassword); err != nil {
		return err
	}
	_, err := c.api.ChangePassword(ctx, &cip.ChangePasswordInput{
		AccessToken: &accessToken, PreviousPassword: &oldPassword, ProposedPassword: &newPassword,
	})
	return wrapAPI("change password", err)
}

// TOTPSecret is an authenticator-app secret being associated.
type TOTPSecret struct {
	Secret string // base32
	URI    string // otpauth:// URI for a QR code
}

// AssociateTOTP starts the TOTP setup for a signed-in user. account labels
// the entry in the authenticator app (usually the username or email).
// Finish with [Client.VerifyTOTP], then enable it with the user's MFA
// preference.
func (c *Client) AssociateTOTP(ctx context.Context, accessToken, account string) (*TOTPSecret, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if accessToken == "" {
		return nil, fmt.Errorf("%w: empty access token", ErrInvalidInput)
	}
	out, err := c.api.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: &accessToken})
	if err != nil {
		return nil, wrapAPI("associate software token", err)
	}
	secret := deref(out.SecretCode)
	if secret == "" {
		return nil, fmt.Errorf("%w: AssociateSoftwareToken returned no secret", ErrBadChallenge)
	}
	return &TOTPSecret{Secret: secret, URI: TOTPURI(c.cfg.TOTPIssuer, account, secret)}, nil
}

// VerifyTOTP verifies the first code of the authenticator associated by
// [Client.AssociateTOTP]. friendlyName may be empty.
func (c *Client) VerifyTOTP(ctx context.Context, accessToken, code, friendlyName string) error {
	if ctx == nil {
		return errNilContext
	}
	if accessToken == "" {
		return fmt.Errorf("%w: empty access token", ErrInvalidInput)
	}
	if err := checkCode(code); err != nil {
		return err
	}
	in := &cip.VerifySoftwareTokenInput{AccessToken: &accessToken, UserCode: &code}
	if friendlyName != "" {
		in.FriendlyDeviceName = &friendlyName
	}
	out, err := c.api.VerifySoftwareToken(ctx, in)
	if err != nil {
		return wrapAPI("verify software token", err)
	}
	if out.Status != types.VerifySoftwareTokenResponseTypeSuccess {
		return fmt.Errorf("%w: the authenticator code was not accepted", ErrCodeMismatch)
	}
	return nil
}
