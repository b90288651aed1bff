package oidcprovider

import "errors"

// ErrInvalidConfig is wrapped by every error [New] returns for a bad
// [Config].
var ErrInvalidConfig = errors.New("oidcprovider: invalid configuration")
