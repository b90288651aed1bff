package pools

import (
	"maps"
	"slices"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// CreateResourceServer creates a resource server whose scopes app clients
// can be allowed ("identifier/scope"); name defaults to the identifier.
func CreateResourceServer(svc *userpool.Service, poolID, identifier, name string, scopes map[string]string) error {
	rs, err := resourceServer(poolID, identifier, name, scopes)
	if err != nil {
		return err
	}
	return svc.State.Update(func(tx *state.Tx) error {
		if tx.Pool(poolID) == nil {
			return emulator.NotFoundf("user pool %q", poolID)
		}
		if tx.ResourceServer(poolID, identifier) != nil {
			return emulator.Existsf("resource server %q", identifier)
		}
		if len(tx.ResourceServers(poolID)) >= MaxResourceServers {
			return wire.Errorf("LimitExceededException", "The user pool %s has %d resource servers, the most it can have", poolID, MaxResourceServers)
		}
		tx.PutResourceServer(rs)
		return nil
	})
}

// Cognito's limits on resource servers.
const (
	MaxResourceServers = 25  // per pool
	MaxScopes          = 100 // per resource server
)

var (
	rsIdentifierRE = userpool.MustRuneClass(`[\x09-\x0D\x20-\x7E]`, 1, 256)
	rsNameRE       = userpool.MustRuneClass(`[\w\s+=,.@-]`, 1, 256)
	scopeNameRE    = userpool.MustRuneClass(`[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]`, 1, 256)
)

// resourceServer returns the record of a resource server, checked.
func resourceServer(poolID, identifier, name string, scopes map[string]string) (*state.ResourceServer, error) {
	if !rsIdentifierRE.MatchString(identifier) {
		return nil, emulator.Invalidf("resource server Identifier: want 1 to 256 printable ASCII characters")
	}
	if name == "" {
		name = identifier
	}
	if len(name) > 256 {
		return nil, emulator.Invalidf("resource server Name: at most 256 characters")
	}
	if len(scopes) > MaxScopes {
		return nil, emulator.Invalidf("a resource server has at most %d scopes", MaxScopes)
	}
	rs := &state.ResourceServer{PoolID: poolID, Identifier: identifier, Name: name, Scopes: make(map[string]string, len(scopes))}
	for k, v := range scopes {
		if !scopeNameRE.MatchString(k) {
			return nil, emulator.Invalidf("resource server scope %q: want 1 to 256 printable ASCII characters without spaces, \", / or \\", k)
		}
		if len(v) > 256 {
			return nil, emulator.Invalidf("description of scope %q: at most 256 characters", k)
		}
		rs.Scopes[k] = v
	}
	return rs, nil
}

type resourceServerWire struct {
	UserPoolId string
	Identifier string
	Name       string
	Scopes     []scopeWire
	MaxResults int32  `json:",omitempty"`
	NextToken  string `json:",omitempty"`
}

type scopeWire struct{ ScopeName, ScopeDescription string }

// content checks the server's name and scopes, and returns the scopes.
func (in *resourceServerWire) content() (map[string]string, *wire.Error) {
	if in.Name == "" {
		return nil, wire.InvalidParameter("Missing required parameter Name")
	}
	if !rsNameRE.MatchString(in.Name) {
		return nil, wire.InvalidParameter("Name: 1 to 256 letters, digits, spaces and +=,.@-")
	}
	return in.scopes()
}

func (in *resourceServerWire) scopes() (map[string]string, *wire.Error) {
	scopes := map[string]string{}
	for _, sc := range in.Scopes {
		if _, dup := scopes[sc.ScopeName]; dup {
			return nil, wire.InvalidParameter("Scope %q is given twice", wire.Truncate(sc.ScopeName, 64))
		}
		scopes[sc.ScopeName] = sc.ScopeDescription
	}
	return scopes, nil
}

func resourceServerOut(rs *state.ResourceServer) map[string]any {
	scopes := make([]scopeWire, 0, len(rs.Scopes))
	for _, name := range slices.Sorted(maps.Keys(rs.Scopes)) {
		scopes = append(scopes, scopeWire{name, rs.Scopes[name]})
	}
	return map[string]any{"UserPoolId": rs.PoolID, "Identifier": rs.Identifier, "Name": rs.Name, "Scopes": scopes}
}

func (o *ops) createResourceServer(c *emulator.Call) (any, error) {
	var in resourceServerWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if aerr := o.checkPool(in.UserPoolId); aerr != nil {
		return nil, aerr
	}
	scopes, aerr := in.content()
	if aerr != nil {
		return nil, aerr
	}
	if err := CreateResourceServer(o.svc, in.UserPoolId, in.Identifier, in.Name, scopes); err != nil {
		return nil, apiError(err)
	}
	var out map[string]any
	o.svc.State.View(func(tx *state.Tx) error {
		out = resourceServerOut(tx.ResourceServer(in.UserPoolId, in.Identifier))
		return nil
	})
	return map[string]any{"ResourceServer": out}, nil
}

// poolResourceServer finds a resource server of the request's pool.
func poolResourceServer(tx *state.Tx, in *resourceServerWire) (*state.ResourceServer, *wire.Error) {
	if _, aerr := userpool.AdminPool(tx, in.UserPoolId); aerr != nil {
		return nil, aerr
	}
	if in.Identifier == "" {
		return nil, wire.InvalidParameter("Missing required parameter Identifier")
	}
	rs := tx.ResourceServer(in.UserPoolId, in.Identifier)
	if rs == nil {
		return nil, wire.ResourceNotFound("Resource server %s does not exist.", wire.Truncate(in.Identifier, 256))
	}
	return rs, nil
}

func (o *ops) describeResourceServer(c *emulator.Call) (any, error) {
	return userpool.Read(o.svc, c, func(tx *state.Tx, in *resourceServerWire) (any, *wire.Error) {
		rs, aerr := poolResourceServer(tx, in)
		if aerr != nil {
			return nil, aerr
		}
		return map[string]any{"ResourceServer": resourceServerOut(rs)}, nil
	})
}

func (o *ops) listResourceServers(c *emulator.Call) (any, error) {
	return userpool.Read(o.svc, c, func(tx *state.Tx, in *resourceServerWire) (any, *wire.Error) {
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return nil, aerr
		}
		return userpool.List("ResourceServers", tx.ResourceServers(p.ID), in.MaxResults, in.NextToken, 50, resourceServerOut)
	})
}

// updateResourceServer serves UpdateResourceServer: the name and the
// scopes are replaced. A scope that goes is no longer granted, to
// client_credentials or the authorization code grant, although app
// clients still list it.
func (o *ops) updateResourceServer(c *emulator.Call) (any, error) {
	return userpool.Write(o.svc, c, func(tx *state.Tx, in *resourceServerWire) (any, error) {
		scopes, aerr := in.content()
		if aerr != nil {
			return nil, aerr
		}
		old, aerr := poolResourceServer(tx, in)
		if aerr != nil {
			return nil, aerr
		}
		rs, err := resourceServer(old.PoolID, old.Identifier, in.Name, scopes)
		if err != nil {
			return nil, apiError(err)
		}
		tx.PutResourceServer(rs)
		return map[string]any{"ResourceServer": resourceServerOut(rs)}, nil
	})
}

func (o *ops) deleteResourceServer(c *emulator.Call) (any, error) {
	return userpool.Write(o.svc, c, func(tx *state.Tx, in *resourceServerWire) (any, error) {
		rs, aerr := poolResourceServer(tx, in)
		if aerr != nil {
			return nil, aerr
		}
		tx.DeleteResourceServer(rs)
		return struct{}{}, nil
	})
}
