package verifier

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/cognitokit/cognitokit/internal/testrun"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(testrun.Exit))
}
