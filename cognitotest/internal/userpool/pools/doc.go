// Package pools implements the pool, app client and resource server
// operations of the user pool API (CreateUserPool, DescribeUserPool,
// DeleteUserPool, CreateUserPoolClient, DescribeUserPoolClient,
// ListUserPoolClients, DeleteUserPoolClient, CreateResourceServer), and the
// Go API that creates pools, app clients and resource servers and rotates
// signing keys.
package pools
