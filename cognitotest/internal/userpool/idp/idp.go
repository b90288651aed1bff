package idp

import (
	"slices"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/upstream"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

type ops struct {
	svc *userpool.Service
	up  *upstream.Client
}

// Register adds the identity-provider operations to r.
func Register(r *emulator.Registry, svc *userpool.Service) {
	o := &ops{svc: svc, up: upstream.New(svc.Now)}
	op := func(name string, h emulator.Handler, writes bool) emulator.Op {
		return emulator.Op{Service: emulator.UserPools, Name: name, Handler: h, Writes: writes}
	}
	r.Add(
		op("CreateIdentityProvider", o.create, true),
		op("DescribeIdentityProvider", o.describe, false),
		op("UpdateIdentityProvider", o.update, true),
		op("DeleteIdentityProvider", o.delete, true),
		op("ListIdentityProviders", o.list, false),
		op("GetIdentityProviderByIdentifier", o.getByIdentifier, false),
		op("AdminLinkProviderForUser", o.link, true),
		op("AdminDisableProviderForUser", o.disable, true),
	)
}

type providerWire struct {
	UserPoolId       string
	ProviderName     string
	ProviderType     string
	ProviderDetails  *map[string]string
	AttributeMapping *map[string]string
	IdpIdentifiers   *[]string
	IdpIdentifier    string
	MaxResults       int32
	NextToken        string
}

func out(p *state.IdentityProvider) map[string]any {
	m := map[string]any{
		"UserPoolId": p.PoolID, "ProviderName": p.Name, "ProviderType": p.Type,
		"ProviderDetails": p.Details, "AttributeMapping": p.AttributeMapping,
		"IdpIdentifiers": p.Identifiers, "CreationDate": wire.Epoch(p.CreatedAt), "LastModifiedDate": wire.Epoch(p.ModifiedAt),
	}
	if p.Details == nil {
		m["ProviderDetails"] = map[string]string{}
	}
	if p.AttributeMapping == nil {
		m["AttributeMapping"] = map[string]string{}
	}
	if p.Identifiers == nil {
		m["IdpIdentifiers"] = []string{}
	}
	return m
}

func deref[T any](p *T) (v T) {
	if p != nil {
		v = *p
	}
	return v
}

// identifierTaken reports whether another provider of the pool has one of
// ids (compared without case).
func identifierTaken(tx *state.Tx, poolID, self string, ids []string) string {
	for _, p := range tx.IdentityProviders(poolID) {
		if p.Name == self {
			continue
		}
		for _, id := range ids {
			if slices.ContainsFunc(p.Identifiers, func(x string) bool { return strings.EqualFold(x, id) }) {
				return id
			}
		}
	}
	return ""
}

func (o *ops) create(c *emulator.Call) (any, error) {
	var in providerWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var pool *state.Pool
	var aerr *wire.Error
	o.svc.State.View(func(tx *state.Tx) error { pool, aerr = userpool.AdminPool(tx, in.UserPoolId); return nil })
	if aerr != nil {
		return nil, aerr
	}
	if in.ProviderType == "" {
		return nil, wire.InvalidParameter("Missing required parameter ProviderType")
	}
	if _, ok := Specs[in.ProviderType]; !ok {
		return nil, wire.InvalidParameter("ProviderType %q: want OIDC, SAML, Google, Facebook, LoginWithAmazon or SignInWithApple", wire.Truncate(in.ProviderType, 32))
	}
	if aerr := CheckName(in.ProviderName, in.ProviderType); aerr != nil {
		return nil, aerr
	}
	if in.ProviderDetails == nil {
		return nil, wire.InvalidParameter("Missing required parameter ProviderDetails")
	}
	ids := deref(in.IdpIdentifiers)
	if aerr := CheckIdentifiers(ids); aerr != nil {
		return nil, aerr
	}
	mapping, aerr := CheckMapping(pool, in.ProviderType, deref(in.AttributeMapping))
	if aerr != nil {
		return nil, aerr
	}
	// Discovery is HTTP: outside the transaction.
	details, aerr := CheckDetails(c.Context(), o.up, in.ProviderType, *in.ProviderDetails)
	if aerr != nil {
		return nil, aerr
	}
	now := o.svc.Now()
	p := &state.IdentityProvider{PoolID: pool.ID, Name: in.ProviderName, Type: in.ProviderType, Details: details,
		AttributeMapping: mapping, Identifiers: slices.Clone(ids), CreatedAt: now, ModifiedAt: now}
	err := o.svc.State.Update(func(tx *state.Tx) error {
		if tx.Pool(pool.ID) == nil {
			return wire.ResourceNotFound("User pool %s does not exist.", pool.ID)
		}
		if tx.IdentityProvider(pool.ID, p.Name) != nil {
			return wire.Errorf("DuplicateProviderException", "A provider with the name %s already exists in this user pool.", p.Name)
		}
		if len(tx.IdentityProviders(pool.ID)) >= MaxProviders {
			return wire.Errorf("LimitExceededException", "The user pool %s has %d identity providers, the most it can have", pool.ID, MaxProviders)
		}
		if id := identifierTaken(tx, pool.ID, p.Name, ids); id != "" {
			return wire.Errorf("DuplicateProviderException", "The identifier %s is already used by another identity provider of this user pool.", id)
		}
		tx.PutIdentityProvider(p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"IdentityProvider": out(p)}, nil
}

// find finds the provider of a request.
func find(tx *state.Tx, poolID, name string) (*state.IdentityProvider, *wire.Error) {
	if _, aerr := userpool.AdminPool(tx, poolID); aerr != nil {
		return nil, aerr
	}
	if name == "" {
		return nil, wire.InvalidParameter("Missing required parameter ProviderName")
	}
	p := tx.IdentityProvider(poolID, name)
	if p == nil {
		return nil, wire.ResourceNotFound("Identity provider %s does not exist.", wire.Truncate(name, 64))
	}
	return p, nil
}

func (o *ops) describe(c *emulator.Call) (any, error) {
	var in providerWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var p *state.IdentityProvider
	var aerr *wire.Error
	o.svc.State.View(func(tx *state.Tx) error { p, aerr = find(tx, in.UserPoolId, in.ProviderName); return nil })
	if aerr != nil {
		return nil, aerr
	}
	return map[string]any{"IdentityProvider": out(p)}, nil
}

// update serves UpdateIdentityProvider: the details, mapping and
// identifiers given replace the provider's; those left out stay. The type
// cannot change.
func (o *ops) update(c *emulator.Call) (any, error) {
	var in providerWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var old *state.IdentityProvider
	var pool *state.Pool
	var aerr *wire.Error
	o.svc.State.View(func(tx *state.Tx) error {
		if old, aerr = find(tx, in.UserPoolId, in.ProviderName); aerr == nil {
			pool = tx.Pool(in.UserPoolId)
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	p := old.Clone()
	if in.IdpIdentifiers != nil {
		if aerr := CheckIdentifiers(*in.IdpIdentifiers); aerr != nil {
			return nil, aerr
		}
		p.Identifiers = slices.Clone(*in.IdpIdentifiers)
	}
	if in.AttributeMapping != nil {
		m, aerr := CheckMapping(pool, p.Type, *in.AttributeMapping)
		if aerr != nil {
			return nil, aerr
		}
		p.AttributeMapping = m
	}
	if in.ProviderDetails != nil {
		given := *in.ProviderDetails
		// Keys Cognito derived are dropped unless the request gives
		// them anew, so that a new oidc_issuer is discovered again.
		d, aerr := CheckDetails(c.Context(), o.up, p.Type, given)
		if aerr != nil {
			return nil, aerr
		}
		p.Details = d
	}
	p.ModifiedAt = o.svc.Now()
	err := o.svc.State.Update(func(tx *state.Tx) error {
		cur, aerr := find(tx, p.PoolID, p.Name)
		if aerr != nil {
			return aerr
		}
		if !cur.ModifiedAt.Equal(old.ModifiedAt) {
			return wire.Errorf("ConcurrentModificationException", "The identity provider %s was changed by another request; try again.", p.Name)
		}
		if id := identifierTaken(tx, p.PoolID, p.Name, p.Identifiers); id != "" {
			return wire.InvalidParameter("The identifier %s is already used by another identity provider of this user pool.", id)
		}
		tx.PutIdentityProvider(p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"IdentityProvider": out(p)}, nil
}

// delete serves DeleteIdentityProvider. The provider's users stay (they
// can no longer sign in with it), and it is removed from the app clients
// that allowed it.
func (o *ops) delete(c *emulator.Call) (any, error) {
	var in providerWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	err := o.svc.State.Update(func(tx *state.Tx) error {
		p, aerr := find(tx, in.UserPoolId, in.ProviderName)
		if aerr != nil {
			return aerr
		}
		for _, cl := range tx.Clients(p.PoolID) {
			if i := slices.Index(cl.SupportedIdentityProviders, p.Name); i >= 0 {
				nc := cl.Clone()
				nc.SupportedIdentityProviders = slices.Delete(nc.SupportedIdentityProviders, i, i+1)
				nc.ModifiedAt = o.svc.Now()
				tx.PutClient(nc)
			}
		}
		tx.DeleteIdentityProvider(p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (o *ops) list(c *emulator.Call) (any, error) {
	var in providerWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var res map[string]any
	var aerr *wire.Error
	o.svc.State.View(func(tx *state.Tx) error {
		if _, aerr = userpool.AdminPool(tx, in.UserPoolId); aerr != nil {
			return nil
		}
		all := tx.IdentityProviders(in.UserPoolId)
		start, end, next, e := userpool.Page(len(all), in.MaxResults, in.NextToken, 60)
		if aerr = e; e != nil {
			return nil
		}
		list := make([]map[string]any, 0, end-start)
		for _, p := range all[start:end] {
			list = append(list, map[string]any{"ProviderName": p.Name, "ProviderType": p.Type,
				"CreationDate": wire.Epoch(p.CreatedAt), "LastModifiedDate": wire.Epoch(p.ModifiedAt)})
		}
		res = map[string]any{"Providers": list}
		if next != "" {
			res["NextToken"] = next
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	return res, nil
}

func (o *ops) getByIdentifier(c *emulator.Call) (any, error) {
	var in providerWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.IdpIdentifier == "" {
		return nil, wire.InvalidParameter("Missing required parameter IdpIdentifier")
	}
	var p *state.IdentityProvider
	var aerr *wire.Error
	o.svc.State.View(func(tx *state.Tx) error {
		if _, aerr = userpool.AdminPool(tx, in.UserPoolId); aerr == nil {
			p = userpool.ProviderByIdentifier(tx, in.UserPoolId, in.IdpIdentifier)
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	if p == nil {
		return nil, wire.ResourceNotFound("No identity provider of the user pool has the identifier %s.", wire.Truncate(in.IdpIdentifier, 64))
	}
	return map[string]any{"IdentityProvider": out(p)}, nil
}
