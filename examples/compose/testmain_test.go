package compose

import (
	"testing"

	"github.com/cognitokit/cognitokit/internal/browsertest"
)

func TestMain(m *testing.M) { browsertest.Main(m, "TestCompose", &browser, launchBrowser) }
