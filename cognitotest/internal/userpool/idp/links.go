package idp

import (
	"slices"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// providerUser is Cognito's ProviderUserIdentifierType.
type providerUser struct {
	ProviderName           string
	ProviderAttributeName  string
	ProviderAttributeValue string
}

type linkWire struct {
	UserPoolId      string
	DestinationUser *providerUser
	SourceUser      *providerUser
	User            *providerUser // AdminDisableProviderForUser
}

// link serves AdminLinkProviderForUser: the source user (a provider's
// user, by subject for OIDC and social providers) will sign in as the
// destination user (a user of the pool), whose identities attribute lists
// the link.
func (o *ops) link(c *emulator.Call) (any, error) {
	var in linkWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	dst, src := in.DestinationUser, in.SourceUser
	switch {
	case dst == nil:
		return nil, wire.InvalidParameter("Missing required parameter DestinationUser")
	case src == nil:
		return nil, wire.InvalidParameter("Missing required parameter SourceUser")
	case !strings.EqualFold(dst.ProviderName, "Cognito"):
		return nil, wire.InvalidParameter("DestinationUser: ProviderName must be Cognito (a user of the user pool)")
	case dst.ProviderAttributeValue == "":
		return nil, wire.InvalidParameter("DestinationUser: ProviderAttributeValue must be the username of a user of the user pool")
	case src.ProviderName == "" || strings.EqualFold(src.ProviderName, "Cognito"):
		return nil, wire.InvalidParameter("SourceUser: ProviderName must name an identity provider of the user pool")
	case src.ProviderAttributeValue == "" || len(src.ProviderAttributeValue) > MaxLinkValueBytes:
		return nil, wire.InvalidParameter("SourceUser: ProviderAttributeValue must be 1 to %d characters", MaxLinkValueBytes)
	}
	err := o.svc.State.Update(func(tx *state.Tx) error {
		pool, u, aerr := userpool.AdminUser(tx, in.UserPoolId, dst.ProviderAttributeValue)
		if aerr != nil {
			return aerr
		}
		if u.Status == userpool.StatusExternalProvider {
			return wire.InvalidParameter("DestinationUser %s is a federated user; link to a user of the user pool", u.Username)
		}
		idp := tx.IdentityProvider(pool.ID, src.ProviderName)
		if idp == nil {
			return wire.InvalidParameter("SourceUser: the identity provider %s does not exist in the user pool", wire.Truncate(src.ProviderName, 64))
		}
		attr := src.ProviderAttributeName
		if attr == "" {
			attr = userpool.SubjectAttribute
		}
		if idp.Type != userpool.ProviderSAML && attr != userpool.SubjectAttribute {
			return wire.InvalidParameter("SourceUser: ProviderAttributeName must be %s for a %s provider", userpool.SubjectAttribute, idp.Type)
		}
		if attr == userpool.SubjectAttribute && userpool.LookupUser(tx, pool, userpool.FederatedUsername(idp.Name, src.ProviderAttributeValue)) != nil {
			return wire.InvalidParameter("Merging is not currently supported, delete duplicate profile and try again.")
		}
		if l := tx.ProviderLink(pool.ID, idp.Name, attr, src.ProviderAttributeValue); l != nil {
			if l.Sub == u.Sub {
				return nil // linked already
			}
			return wire.Errorf("AliasExistsException", "The source user is already linked to another user of the user pool.")
		}
		n := 0
		for _, l := range tx.ProviderLinks(pool.ID) {
			if l.Sub == u.Sub {
				n++
			}
		}
		if n >= MaxLinksPerUser {
			return wire.Errorf("LimitExceededException", "A user can be linked to at most %d provider identities.", MaxLinksPerUser)
		}
		now := o.svc.Now()
		tx.PutProviderLink(&state.ProviderLink{PoolID: pool.ID, Provider: idp.Name, AttributeName: attr, AttributeValue: src.ProviderAttributeValue,
			Username: u.Username, Sub: u.Sub, CreatedAt: now})
		nu := u.Clone()
		userpool.SetIdentities(nu, append(userpool.Identities(u), userpool.NewIdentity(idp, src.ProviderAttributeValue, false, now)))
		nu.ModifiedAt = now
		tx.PutUser(pool, nu)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// disable serves AdminDisableProviderForUser for a provider's user: its
// link to a user of the pool is removed (the destination's identities
// attribute with it), and its own federated user, when it signed in
// before, is disabled, so that it can no longer sign in with the
// provider.
func (o *ops) disable(c *emulator.Call) (any, error) {
	var in linkWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	pu := in.User
	switch {
	case pu == nil:
		return nil, wire.InvalidParameter("Missing required parameter User")
	case strings.EqualFold(pu.ProviderName, "Cognito"):
		return nil, wire.InvalidParameter("cognitotest does not emulate AdminDisableProviderForUser for users of the user pool (ProviderName Cognito); use AdminDisableUser")
	case pu.ProviderName == "" || pu.ProviderAttributeValue == "":
		return nil, wire.InvalidParameter("User: ProviderName and ProviderAttributeValue are required")
	}
	attr := pu.ProviderAttributeName
	if attr == "" {
		attr = userpool.SubjectAttribute
	}
	err := o.svc.State.Update(func(tx *state.Tx) error {
		pool, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return aerr
		}
		found := false
		if l := tx.ProviderLink(pool.ID, pu.ProviderName, attr, pu.ProviderAttributeValue); l != nil {
			found = true
			tx.DeleteProviderLink(l)
			if u := userpool.UserOf(tx, pool, l.Username, l.Sub); u != nil {
				ids := slices.DeleteFunc(userpool.Identities(u), func(id userpool.FederatedIdentity) bool {
					return id.ProviderName == l.Provider && id.UserID == l.AttributeValue
				})
				nu := u.Clone()
				userpool.SetIdentities(nu, ids)
				nu.ModifiedAt = o.svc.Now()
				tx.PutUser(pool, nu)
			}
		}
		if attr == userpool.SubjectAttribute {
			if u := userpool.LookupUser(tx, pool, userpool.FederatedUsername(pu.ProviderName, pu.ProviderAttributeValue)); u != nil && u.Status == userpool.StatusExternalProvider {
				found = true
				if u.Enabled {
					nu := u.Clone()
					nu.Enabled = false
					nu.ModifiedAt = o.svc.Now()
					tx.PutUser(pool, nu)
				}
			}
		}
		if !found {
			return wire.UserNotFound()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
