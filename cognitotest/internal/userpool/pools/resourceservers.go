package pools

import (
	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// CreateResourceServer creates a resource server whose scopes app clients
// can be allowed ("identifier/scope"); name defaults to the identifier.
func CreateResourceServer(svc *userpool.Service, poolID, identifier, name string, scopes map[string]string) error {
	if identifier == "" || len(identifier) > 256 {
		return emulator.Invalidf("resource server Identifier: want 1 to 256 characters")
	}
	if name == "" {
		name = identifier
	}
	rs := &state.ResourceServer{PoolID: poolID, Identifier: identifier, Name: name, Scopes: make(map[string]string, len(scopes))}
	for k, v := range scopes {
		if k == "" || len(k) > 256 {
			return emulator.Invalidf("resource server scope %q: want 1 to 256 characters", k)
		}
		rs.Scopes[k] = v
	}
	return svc.State.Update(func(tx *state.Tx) error {
		if tx.Pool(poolID) == nil {
			return emulator.NotFoundf("user pool %q", poolID)
		}
		if tx.ResourceServer(poolID, identifier) != nil {
			return emulator.Existsf("resource server %q", identifier)
		}
		tx.PutResourceServer(rs)
		return nil
	})
}

type resourceServerWire struct {
	UserPoolId string
	Identifier string
	Name       string
	Scopes     []struct{ ScopeName, ScopeDescription string }
}

func (o *ops) createResourceServer(c *emulator.Call) (any, error) {
	var in resourceServerWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var aerr *wire.Error
	o.svc.State.View(func(tx *state.Tx) error { _, aerr = userpool.AdminPool(tx, in.UserPoolId); return nil })
	if aerr != nil {
		return nil, aerr
	}
	scopes := map[string]string{}
	for _, sc := range in.Scopes {
		scopes[sc.ScopeName] = sc.ScopeDescription
	}
	if err := CreateResourceServer(o.svc, in.UserPoolId, in.Identifier, in.Name, scopes); err != nil {
		return nil, apiError(err)
	}
	return map[string]any{"ResourceServer": in}, nil
}
