package packagetests_test

import (
	"testing"

	"github.com/cognitokit/cognitokit/internal/testrun"
)

func TestMain(m *testing.M) { testrun.Main(m) }
