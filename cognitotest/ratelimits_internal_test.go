package cognitotest

import (
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool/pools"
)

// Every user pool operation counts against a quota category that
// UpdateProvisionedLimit knows.
func TestEveryOperationHasQuotaCategory(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	for _, op := range s.reg.Ops(emulator.UserPools) {
		cat, ok := emulator.OperationCategories[op.Name]
		if !ok {
			t.Errorf("%s: no quota category", op.Name)
			continue
		}
		if _, ok := pools.LimitCategories[cat]; !ok {
			t.Errorf("%s: category %s is not in LimitCategories", op.Name, cat)
		}
	}
}
