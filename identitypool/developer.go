package identitypool

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
)

// Limits of developer-authenticated identities.
const (
	// MaxDeveloperUserIDBytes is the longest developer user identifier
	// Cognito accepts.
	MaxDeveloperUserIDBytes = 1024
	// DefaultDeveloperTokenDuration is Cognito's default lifetime of
	// developer tokens.
	DefaultDeveloperTokenDuration = 15 * time.Minute
	// maxLookupPages bounds the pages [Developer.UserIDs] reads.
	maxLookupPages = 100
)

// DeveloperAPI is the subset of *cognitoidentity.Client that [Developer]
// uses. These operations need IAM credentials (a backend's).
type DeveloperAPI interface {
	GetOpenIdTokenForDeveloperIdentity(context.Context, *ci.GetOpenIdTokenForDeveloperIdentityInput, ...func(*ci.Options)) (*ci.GetOpenIdTokenForDeveloperIdentityOutput, error)
	LookupDeveloperIdentity(context.Context, *ci.LookupDeveloperIdentityInput, ...func(*ci.Options)) (*ci.LookupDeveloperIdentityOutput, error)
}

// DeveloperConfig configures a [Developer]. API, IdentityPoolID and
// ProviderName are required.
type DeveloperConfig struct {
	// API is a Cognito Identity client with IAM credentials. Required.
	API DeveloperAPI
	// IdentityPoolID is the identity pool. Required.
	IdentityPoolID string
	// ProviderName is the pool's DeveloperProviderName, such as
	// "login.example.com". Required.
	ProviderName string
	// TokenDuration is the lifetime of the tokens. Optional. Default
	// [DefaultDeveloperTokenDuration]; 1 second to 24 hours.
	TokenDuration time.Duration
	// Now is the clock for DeveloperToken.Expiry. Optional. Default
	// time.Now.
	Now func() time.Time
}

// Developer is the server side of developer-authenticated identities: a
// backend that authenticates users itself gets Cognito Identity tokens for
// them with [Developer.Token] and hands them to its clients, whose
// [Provider] (Config.Developer) turns them into credentials. It is safe for
// concurrent use.
type Developer struct {
	cfg DeveloperConfig
}

// NewDeveloper validates cfg and returns a Developer. Errors wrap
// ErrInvalidConfig.
func NewDeveloper(cfg DeveloperConfig) (*Developer, error) {
	switch {
	case cfg.API == nil:
		return nil, errorf(ErrInvalidConfig, "API is required: pass cognitoidentity.NewFromConfig(awsCfg) with IAM credentials")
	case !identityPoolIDRE.MatchString(cfg.IdentityPoolID):
		return nil, errorf(ErrInvalidConfig, "IdentityPoolID %q: want region:uuid", clip(cfg.IdentityPoolID, 64))
	case !providerNameRE.MatchString(cfg.ProviderName) || cfg.ProviderName == DeveloperProvider:
		return nil, errorf(ErrInvalidConfig, "ProviderName %q: want the identity pool's DeveloperProviderName", clip(cfg.ProviderName, 64))
	case cfg.TokenDuration < 0 || cfg.TokenDuration > 24*time.Hour || cfg.TokenDuration%time.Second != 0:
		return nil, errorf(ErrInvalidConfig, "TokenDuration must be whole seconds up to 24 hours")
	}
	if cfg.TokenDuration == 0 {
		cfg.TokenDuration = DefaultDeveloperTokenDuration
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Developer{cfg: cfg}, nil
}

// DeveloperTokenInput is the input of [Developer.Token].
type DeveloperTokenInput struct {
	// UserID is your identifier of the user. Required; at most
	// [MaxDeveloperUserIDBytes] bytes.
	UserID string
	// IdentityID links UserID to an existing identity (for example the
	// user's guest identity). Optional. A UserID already linked to
	// another identity fails with ErrConflict.
	IdentityID string
	// PrincipalTags are session tags for attribute-based access control.
	// Optional.
	PrincipalTags map[string]string
}

func validUserID(id string) bool { return id != "" && len(id) <= MaxDeveloperUserIDBytes }

// Token returns an OpenID token and the identity ID of a user, creating
// the identity on first use (GetOpenIdTokenForDeveloperIdentity).
func (d *Developer) Token(ctx context.Context, in DeveloperTokenInput) (DeveloperToken, error) {
	if ctx == nil {
		return DeveloperToken{}, errNilContext
	}
	if !validUserID(in.UserID) {
		return DeveloperToken{}, errorf(ErrInvalidInput, "UserID must be 1-%d bytes", MaxDeveloperUserIDBytes)
	}
	if in.IdentityID != "" && !identityPoolIDRE.MatchString(in.IdentityID) {
		return DeveloperToken{}, errorf(ErrInvalidInput, "IdentityID %q is not of the form region:uuid", clip(in.IdentityID, 64))
	}
	if len(in.PrincipalTags) > 50 {
		return DeveloperToken{}, errorf(ErrInvalidInput, "at most 50 PrincipalTags")
	}
	req := &ci.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: aws.String(d.cfg.IdentityPoolID),
		Logins:         map[string]string{d.cfg.ProviderName: in.UserID},
		PrincipalTags:  in.PrincipalTags,
		TokenDuration:  aws.Int64(int64(d.cfg.TokenDuration / time.Second)),
	}
	if in.IdentityID != "" {
		req.IdentityId = aws.String(in.IdentityID)
	}
	now := d.cfg.Now()
	out, err := d.cfg.API.GetOpenIdTokenForDeveloperIdentity(ctx, req)
	if err != nil {
		return DeveloperToken{}, classify("GetOpenIdTokenForDeveloperIdentity", err)
	}
	t := DeveloperToken{IdentityID: aws.ToString(out.IdentityId), Token: aws.ToString(out.Token), Expiry: now.Add(d.cfg.TokenDuration)}
	if t.IdentityID == "" || t.Token == "" {
		return DeveloperToken{}, errorf(ErrUnavailable, "GetOpenIdTokenForDeveloperIdentity returned no token")
	}
	return t, nil
}

// TokenFunc returns a DeveloperTokenFunc that calls [Developer.Token] for
// userID, for a Provider running next to the Developer (a backend that
// needs credentials on behalf of its users).
func (d *Developer) TokenFunc(userID string) DeveloperTokenFunc {
	return func(ctx context.Context) (DeveloperToken, error) {
		return d.Token(ctx, DeveloperTokenInput{UserID: userID})
	}
}

// Lookup returns the identity ID linked to a developer user identifier
// (LookupDeveloperIdentity). An unknown user fails with ErrIdentityNotFound.
func (d *Developer) Lookup(ctx context.Context, userID string) (string, error) {
	if ctx == nil {
		return "", errNilContext
	}
	if !validUserID(userID) {
		return "", errorf(ErrInvalidInput, "userID must be 1-%d bytes", MaxDeveloperUserIDBytes)
	}
	out, err := d.cfg.API.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{
		IdentityPoolId: aws.String(d.cfg.IdentityPoolID), DeveloperUserIdentifier: aws.String(userID), MaxResults: aws.Int32(1)})
	if err != nil {
		return "", classify("LookupDeveloperIdentity", err)
	}
	return aws.ToString(out.IdentityId), nil
}

// UserIDs returns the developer user identifiers linked to an identity,
// reading every page (LookupDeveloperIdentity).
func (d *Developer) UserIDs(ctx context.Context, identityID string) ([]string, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if !identityPoolIDRE.MatchString(identityID) {
		return nil, errorf(ErrInvalidInput, "identityID %q is not of the form region:uuid", clip(identityID, 64))
	}
	var ids []string
	var next *string
	for range maxLookupPages {
		out, err := d.cfg.API.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{
			IdentityPoolId: aws.String(d.cfg.IdentityPoolID), IdentityId: aws.String(identityID),
			MaxResults: aws.Int32(60), NextToken: next})
		if err != nil {
			return nil, classify("LookupDeveloperIdentity", err)
		}
		ids = append(ids, out.DeveloperUserIdentifierList...)
		if next = out.NextToken; next == nil || *next == "" {
			return ids, nil
		}
	}
	return nil, errorf(ErrUnavailable, "LookupDeveloperIdentity returned more than %d pages", maxLookupPages)
}
