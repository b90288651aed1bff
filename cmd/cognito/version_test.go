package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, stdout, stderr := runCLI(t, "", nil, args...)
		if code != exitOK || stderr != "" {
			t.Errorf("%v: got exit %d, stderr %q; want 0 and nothing", args, code, stderr)
		}
		if !strings.HasPrefix(stdout, "cognito ") || !strings.HasSuffix(stdout, "("+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH+")\n") {
			t.Errorf("%v: got %q", args, stdout)
		}
	}
	if code, _, _ := runCLI(t, "", nil, "version", "extra"); code != exitUsage {
		t.Errorf("version extra: got exit %d; want %d", code, exitUsage)
	}
	tests := []struct {
		info *debug.BuildInfo
		want string
	}{
		{nil, "cognito devel ("},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "cognito devel ("},
		{&debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "cognito v1.2.3 ("},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}}, "cognito devel 0123456789ab+dirty ("},
	}
	for _, tc := range tests {
		if got := versionLine(tc.info); !strings.HasPrefix(got, tc.want) {
			t.Errorf("versionLine(%+v): got %q; want prefix %q", tc.info, got, tc.want)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"lgoin"}, `unknown command "lgoin"; did you mean "login"?`},
		{[]string{"verfy"}, `did you mean "verify"?`},
		{[]string{"whomai"}, `did you mean "whoami"?`},
		{[]string{"refres"}, `did you mean "refresh"?`},
		{[]string{"loc"}, `did you mean "local"?`},
		{[]string{"login", "--usrname", "x"}, `did you mean --username?`},
		{[]string{"verify", "--tokenuse", "access"}, `did you mean --token-use?`},
	}
	for _, tc := range tests {
		code, _, stderr := runCLI(t, "", nil, tc.args...)
		if code != exitUsage {
			t.Errorf("%v: got exit %d; want %d", tc.args, code, exitUsage)
		}
		oneLine(t, stderr, tc.want)
	}
	// Nothing close, or two equally close: no guess.
	for _, name := range []string{"xyzzy", "ver", "a"} {
		_, _, stderr := runCLI(t, "", nil, name)
		if strings.Contains(stderr, "did you mean") {
			t.Errorf("%q: got %q; want no suggestion", name, stderr)
		}
	}
}
