package alb

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"

	"github.com/cognitokit/cognitokit/internal/authcore"
	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
)

// The headers an ALB adds to a request it authenticated, in canonical
// form.
const (
	// HeaderData holds the user claims as a JWT signed by the ALB: the
	// only one of the three a target may trust, after [Verifier.Verify].
	HeaderData = "X-Amzn-Oidc-Data"
	// HeaderAccessToken holds the IdP's access token, in plain text.
	HeaderAccessToken = "X-Amzn-Oidc-Accesstoken"
	// HeaderIdentity holds the sub of the user, in plain text and
	// unsigned: anyone who reaches the target without going through the
	// ALB can send any value. Never trust it.
	HeaderIdentity = "X-Amzn-Oidc-Identity"
)

// Identity is what the headers of an authenticated ALB request prove.
type Identity struct {
	// User are the verified user claims of x-amzn-oidc-data: sub, email,
	// username, custom attributes (the IdP's user-info answer).
	User *verifier.Claims
	// Access are the verified claims of the access token in
	// x-amzn-oidc-accesstoken (cognito:groups, scope, client_id), or nil
	// when Config.AccessTokens is not set.
	Access *verifier.Claims
}

// Claims returns the claims the transports expose through their
// ClaimsFromContext and apply policies to: Access when the access token
// was verified (so that group and scope requirements work as in bearer
// mode), User otherwise.
func (id *Identity) Claims() *verifier.Claims {
	if id == nil {
		return nil
	}
	if id.Access != nil {
		return id.Access
	}
	return id.User
}

// VerifyHeaders verifies the headers an ALB forwards with an authenticated
// request and returns the identity they prove:
//
//   - x-amzn-oidc-data must be present exactly once and pass
//     [Verifier.Verify]: signed by one of Config.ALBARNs, for one of
//     Config.ClientIDs, not expired;
//   - with Config.AccessTokens, x-amzn-oidc-accesstoken must be present
//     exactly once, verify, and carry the same sub;
//   - x-amzn-oidc-identity is never used; when present it must equal the
//     signed sub, or the request is refused with [ErrHeaderMismatch].
//
// A request without x-amzn-oidc-data fails with an error matching
// auth.ErrNoToken (the ALB forwards none when its rule lets
// unauthenticated requests through), and a repeated header with
// auth.ErrAmbiguousToken; the other errors are those of Verify and of the
// access-token verifier. A nil ctx is an error matching
// verifier.ErrInvalidInput.
func (v *Verifier) VerifyHeaders(ctx context.Context, h http.Header) (*Identity, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	data, err := single(h, HeaderData)
	if err != nil {
		return nil, err
	}
	if data == "" {
		return nil, fmt.Errorf("%w: no x-amzn-oidc-data header; the request did not come through the ALB's authenticate action", auth.ErrNoToken)
	}
	user, err := v.Verify(ctx, data)
	if err != nil {
		return nil, err
	}
	if ids, ok := h[HeaderIdentity]; ok {
		if len(ids) != 1 || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(ids[0])), []byte(user.Subject)) != 1 {
			return nil, &rejection{sentinel: ErrHeaderMismatch, msg: "x-amzn-oidc-identity is not the sub of the signed claims; the request did not come from the ALB as sent"}
		}
	}
	id := &Identity{User: user}
	if v.access == nil {
		return id, nil
	}
	at, err := single(h, HeaderAccessToken)
	if err != nil {
		return nil, err
	}
	if at == "" {
		return nil, fmt.Errorf("%w: no x-amzn-oidc-accesstoken header, and Config.AccessTokens requires one", auth.ErrNoToken)
	}
	access, err := v.access.Verify(ctx, at)
	if err != nil {
		return nil, err
	}
	if access == nil || access.Subject != user.Subject {
		return nil, &rejection{sentinel: ErrHeaderMismatch, msg: "the access token in x-amzn-oidc-accesstoken belongs to another user than the signed claims"}
	}
	id.Access = access
	return id, nil
}

// single returns the one value of header name ("" when absent), or an
// error matching auth.ErrAmbiguousToken when it repeats.
func single(h http.Header, name string) (string, error) {
	vals := h[name]
	switch len(vals) {
	case 0:
		return "", nil
	case 1:
		return strings.TrimSpace(vals[0]), nil
	}
	return "", fmt.Errorf("%w: %d %s headers", auth.ErrAmbiguousToken, len(vals), strings.ToLower(name))
}

// IdentityFromContext returns the identity the ALB mode of a transport
// (middleware.NewALB, echoauth's Config.ALB) stored in the request
// context. It returns false outside such a request, for an anonymous one
// (Optional) and for a nil ctx.
func IdentityFromContext(ctx context.Context) (*Identity, bool) {
	st := authcore.FromContext(ctx)
	if st == nil {
		return nil, false
	}
	id, ok := st.Extra.(*Identity)
	return id, ok && id != nil
}
