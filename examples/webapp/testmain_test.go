package main

import (
	"flag"
	"testing"

	"github.com/cognitokit/cognitokit/internal/testrun"
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testrun.Selected("TestBrowserSignIn") {
		browser = launchChromium()
	}
	code := m.Run()
	if browser != nil {
		browser.stop()
	}
	testrun.Exit(code)
}
