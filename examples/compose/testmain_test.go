package compose

import (
	"flag"
	"testing"

	"github.com/cognitokit/cognitokit/internal/testrun"
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testrun.Selected("TestCompose") {
		browser = launchBrowser()
	}
	code := testrun.Run(m)
	if browser != nil {
		browser.Stop()
	}
	testrun.Exit(code)
}
