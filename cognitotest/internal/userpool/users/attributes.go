package users

import (
	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

type deleteAttributesInput struct {
	AccessToken        string
	UserPoolId         string
	Username           string
	UserAttributeNames []string
}

// attributeNames validates the UserAttributeNames of a
// Delete*UserAttributes request.
func attributeNames(names []string) *wire.Error {
	if len(names) == 0 {
		return wire.InvalidParameter("Missing required parameter UserAttributeNames")
	}
	if len(names) > 64 {
		return wire.InvalidParameter("too many attribute names (at most 64)")
	}
	for _, n := range names {
		// The value is irrelevant: a valid one for the format checks.
		v := "x"
		switch n {
		case "email":
			v = "x@example.com"
		case "phone_number":
			v = "+15555550100"
		case "email_verified", "phone_number_verified":
			v = "false"
		}
		if msg := userpool.ValidateAttr(n, v); msg != "" {
			return wire.InvalidParameter("%s", msg)
		}
	}
	return nil
}

// deleteAttrs deletes attributes of u (a user of p), as DeleteUserAttributes
// and AdminDeleteUserAttributes do: sub, the pool's required attributes and
// immutable custom attributes cannot go; deleting an email address or a
// phone number deletes its verification too (so that it is no longer an
// alias or an MFA destination).
func (o *ops) deleteAttrs(tx *state.Tx, p *state.Pool, u *state.User, names []string) (any, error) {
	for _, n := range names {
		switch {
		case n == "sub":
			return nil, wire.InvalidParameter("Cannot modify the non-mutable attribute sub")
		case userpool.HasString(p.RequiredAttributes, n):
			return nil, wire.InvalidParameter("Attributes did not conform to the schema: %s: The attribute is required", n)
		}
		if a := p.CustomAttribute(n); a != nil && !a.Mutable {
			return nil, wire.InvalidParameter("Cannot modify the non-mutable attribute %s", n)
		}
	}
	nu := u.Clone()
	for _, n := range names {
		delete(nu.Attributes, n)
		switch n {
		case "email", "phone_number":
			delete(nu.Attributes, n+"_verified")
			delete(nu.Codes, "verify:"+n)
		}
	}
	nu.ModifiedAt = o.svc.Now()
	tx.PutUser(p, nu)
	return struct{}{}, nil
}

// deleteUserAttributes is DeleteUserAttributes: a user deletes attributes
// of their own, with an access token; the app client must be allowed to
// write them.
func (o *ops) deleteUserAttributes(c *emulator.Call) (any, error) {
	var in deleteAttributesInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if aerr := attributeNames(in.UserAttributeNames); aerr != nil {
		return nil, aerr
	}
	return o.update(func(tx *state.Tx) (any, error) {
		t, aerr := o.svc.AccessToken(tx, in.AccessToken)
		if aerr != nil {
			return nil, aerr
		}
		if cl := readerOf(tx, t); cl != nil && len(cl.WriteAttributes) > 0 {
			for _, n := range in.UserAttributeNames {
				if !userpool.HasString(cl.WriteAttributes, n) {
					return nil, wire.NotAuthorized("A client attempted to write unauthorized attribute")
				}
			}
		}
		return o.deleteAttrs(tx, t.Pool, t.User, in.UserAttributeNames)
	})
}

// adminDeleteUserAttributes is AdminDeleteUserAttributes.
func (o *ops) adminDeleteUserAttributes(c *emulator.Call) (any, error) {
	var in deleteAttributesInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if aerr := attributeNames(in.UserAttributeNames); aerr != nil {
		return nil, aerr
	}
	return o.update(func(tx *state.Tx) (any, error) {
		p, u, aerr := userpool.AdminUser(tx, in.UserPoolId, in.Username)
		if aerr != nil {
			return nil, aerr
		}
		return o.deleteAttrs(tx, p, u, in.UserAttributeNames)
	})
}
