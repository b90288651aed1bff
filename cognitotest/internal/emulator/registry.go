package emulator

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// Service is an emulated AWS service.
type Service string

// The services of the AWS JSON 1.1 API at POST /.
const (
	UserPools Service = "cognito-idp"      // X-Amz-Target AWSCognitoIdentityProviderService.*
	Identity  Service = "cognito-identity" // X-Amz-Target AWSCognitoIdentityService.*
)

// Target returns the X-Amz-Target prefix of the service.
func (s Service) Target() string {
	if s == Identity {
		return wire.IdentityTarget
	}
	return wire.UserPoolTarget
}

// A Handler implements an operation: it decodes the request from c and
// returns the response value (encoded as JSON) or an error, a *wire.Error
// for the errors of the API. It commits every change of the state before
// it returns.
type Handler func(c *Call) (any, error)

// Op is an API operation.
type Op struct {
	Service Service
	Name    string
	Handler Handler
	// Public: Cognito serves the operation without AWS credentials (the
	// AWS SDKs send it unsigned; the client ID, a Session or a token is
	// the credential). Web pages of any origin may call it. Every other
	// operation needs an Authorization header, and only trusted origins
	// may call it from a browser.
	Public bool
	// Writes: the operation changes the state (on success, at least in
	// some cases). Operations without it must never write.
	Writes bool
}

// Registry holds the operations. It is filled before the server serves
// and read-only afterwards.
type Registry struct {
	ops map[Service]map[string]*Op
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{ops: map[Service]map[string]*Op{}} }

// Add registers ops. It panics on a duplicate or incomplete operation: a
// programming error.
func (r *Registry) Add(ops ...Op) {
	for _, op := range ops {
		if op.Service == "" || op.Name == "" || op.Handler == nil {
			panic(fmt.Sprintf("emulator: incomplete operation %+v", op))
		}
		m := r.ops[op.Service]
		if m == nil {
			m = map[string]*Op{}
			r.ops[op.Service] = m
		}
		if _, dup := m[op.Name]; dup {
			panic("emulator: operation " + string(op.Service) + " " + op.Name + " registered twice")
		}
		m[op.Name] = &op
	}
}

// Lookup returns an operation, or nil.
func (r *Registry) Lookup(svc Service, name string) *Op { return r.ops[svc][name] }

// Public reports whether the operation is registered and public.
func (r *Registry) Public(svc Service, name string) bool {
	op := r.ops[svc][name]
	return op != nil && op.Public
}

// Ops returns the operations of svc, sorted by name.
func (r *Registry) Ops(svc Service) []*Op {
	out := make([]*Op, 0, len(r.ops[svc]))
	for _, op := range r.ops[svc] {
		out = append(out, op)
	}
	slices.SortFunc(out, func(a, b *Op) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// ServiceOf returns the service and operation an X-Amz-Target names.
func ServiceOf(target string) (Service, string, bool) {
	if op, ok := strings.CutPrefix(target, wire.UserPoolTarget); ok {
		return UserPools, op, true
	}
	if op, ok := strings.CutPrefix(target, wire.IdentityTarget); ok {
		return Identity, op, true
	}
	return "", "", false
}

// Call is one API request.
type Call struct {
	Op      *Op
	Request *http.Request
	Body    []byte
	// IAM: the request carries an Authorization header.
	IAM bool
}

// Context returns the request's context.
func (c *Call) Context() context.Context { return c.Request.Context() }

// Decode unmarshals the request body into v.
func (c *Call) Decode(v any) error { return wire.Decode(c.Body, c.Op.Name, v) }

// Access says which web pages may call a route.
type Access int

const (
	SameOrigin Access = iota // pages of the server's own origin only; no CORS headers
	AnyOrigin                // any origin, as in Cognito
	APIAccess                // any origin for public operations; trusted origins for all
)

// Route is an HTTP endpoint of the server.
type Route struct {
	Pattern string // a ServeMux pattern, such as "GET /oauth2/userInfo"
	Access  Access
	Handler http.HandlerFunc
}
