package oidcprovider_test

import (
	"testing"

	"github.com/cognitokit/cognitokit/internal/browsertest"
)

func TestMain(m *testing.M) {
	browsertest.Main(m, "TestSignInAsPageInChromium", &browser, launchBrowser)
}
