package main

import (
	"flag"
	"regexp"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/internal/testrun"
)

func TestMain(m *testing.M) {
	flag.Parse()
	if selected("TestBrowserSignIn") {
		browser = launchChromium()
	}
	code := m.Run()
	if browser != nil {
		browser.stop()
	}
	testrun.Exit(code)
}

// selected reports whether -test.run and -test.skip let the top-level
// test name run (by the first element of each pattern). In doubt it says
// yes.
func selected(name string) bool {
	match := func(flagName string) (matched, set bool) {
		f := flag.Lookup(flagName)
		if f == nil || f.Value.String() == "" {
			return false, false
		}
		first, _, sub := strings.Cut(f.Value.String(), "/")
		re, err := regexp.Compile(first)
		if err != nil {
			return false, false
		}
		return re.MatchString(name) && !(flagName == "test.skip" && sub), true
	}
	if m, set := match("test.run"); set && !m {
		return false
	}
	m, _ := match("test.skip")
	return !m
}
