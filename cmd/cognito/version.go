package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

func init() {
	register(&command{
		name:    "version",
		summary: "print the version of cognito and of the Go toolchain that built it",
		usage: `Usage: cognito version

Prints the cognitokit module version of this binary ("devel" when built from
a source checkout), the source revision when the build recorded one, and the
Go version and platform it was built with. "cognito --version" does the same.`,
		examples: `  cognito version
  go install github.com/cognitokit/cognitokit/cmd/cognito@latest && cognito version`,
		run: runVersion,
	})
}

func runVersion(_ context.Context, e *env, args []string) int {
	c := commands["version"]
	fs := c.newFlagSet(e)
	if code, done := c.parseFlags(e, fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		return fail(e, "version", exitUsage, usageErrorf("unexpected argument %q", fs.Arg(0)))
	}
	info, _ := debug.ReadBuildInfo()
	fmt.Fprintln(e.stdout, versionLine(info))
	return exitOK
}

// versionLine renders build information: "cognito v1.2.3 (go1.26.8
// linux/amd64)", "cognito devel 0123456789ab+dirty (go1.26.8 linux/amd64)".
func versionLine(info *debug.BuildInfo) string {
	version, rev, dirty := "devel", "", false
	if info != nil {
		if v := info.Main.Version; v != "" && v != "(devel)" {
			version = v
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	line := "cognito " + version
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if dirty {
			rev += "+dirty"
		}
		line += " " + rev
	}
	return fmt.Sprintf("%s (%s %s/%s)", line, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
