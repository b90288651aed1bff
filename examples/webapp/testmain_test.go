package main

import (
	"flag"
	"testing"

	"github.com/cognitokit/cognitokit/internal/testrun"
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testrun.Selected("TestBrowserSignIn") {
		browser = launchBrowser()
	}
	code := m.Run()
	if browser != nil {
		browser.Stop()
	}
	testrun.Exit(code)
}
