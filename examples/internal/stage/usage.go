package stage

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Usage is what an example's --help says, in the layout every example
// shares: a synopsis, what it does, its flags, and the environment
// variables that switch it from the embedded emulator to real Cognito.
type Usage struct {
	// Name is the example's directory under examples/.
	Name string
	// Synopsis lists the flags, such as "[--addr 127.0.0.1:8080] [--self-check]".
	Synopsis string
	// About says what the example does, in a few sentences.
	About string
	// Env lists the variables that switch the example to real Cognito,
	// COGNITO_USER_POOL_ID (or COGNITO_DOMAIN) first. Nil for an example
	// that always runs on the emulator.
	Env []EnvVar
}

// EnvVar is one environment variable an example reads.
type EnvVar struct{ Name, Meaning string }

// The variables the examples share, with one wording everywhere.
var (
	EnvPoolID     = EnvVar{"COGNITO_USER_POOL_ID", "user pool ID, such as eu-west-1_AbC123; setting it leaves the emulator"}
	EnvClientIDs  = EnvVar{"COGNITO_CLIENT_ID", "accepted app client IDs, comma-separated; users sign in through the first"}
	EnvClientID   = EnvVar{"COGNITO_CLIENT_ID", "app client ID"}
	EnvSecret     = EnvVar{"COGNITO_CLIENT_SECRET", "secret of that app client, if it has one"}
	EnvEndpoint   = EnvVar{"COGNITO_ENDPOINT", "only for emulators (cognito local, cognito-local, LocalStack): their base URL"}
	EnvDomain     = EnvVar{"COGNITO_DOMAIN", "OAuth 2.0 domain, https://PREFIX.auth.REGION.amazoncognito.com"}
	EnvRegion     = EnvVar{"AWS_REGION", "AWS region (default: the user pool ID's prefix)"}
	EnvUsername   = EnvVar{"COGNITO_USERNAME", "a user for the signed-in steps (without it --self-check skips them, and says so)"}
	EnvPassword   = EnvVar{"COGNITO_PASSWORD", "that user's password"}
	EnvIdentityID = EnvVar{"COGNITO_IDENTITY_POOL_ID", "identity pool ID, such as eu-west-1:0a1b2c3d-..."}
)

// Write prints u with fs's flags on w.
func (u Usage) Write(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: go run ./examples/%s %s\n\n%s\n\nFlags:\n", u.Name, u.Synopsis, wrap(u.About, 76))
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	if u.Env == nil {
		fmt.Fprintf(w, "\n%s\n", wrap("Environment: none. This example always runs on the embedded emulator; the others switch to real Cognito with COGNITO_USER_POOL_ID and the variables their --help lists.", 76))
		return
	}
	fmt.Fprintf(w, "\n%s\n", wrap("Environment: without "+u.Env[0].Name+` the example runs on the embedded emulator (cognitotest) with the demo pool of "cognito local". For real Cognito, set:`, 76))
	width := 0
	for _, v := range u.Env {
		width = max(width, len(v.Name))
	}
	for _, v := range u.Env {
		fmt.Fprintf(w, "  %-*s  %s\n", width, v.Name, v.Meaning)
	}
}

// Parse parses args with fs, which must have been made with
// flag.ContinueOnError. On -h or --help it prints u on stdout and returns
// exit code 0 and done; on a bad flag or an argument it prints one line on
// stderr and returns 2 and done.
func (u Usage) Parse(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, done bool) {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		u.Write(stdout, fs)
		return 0, true
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v (see 'go run ./examples/%s --help')\n", u.Name, err, u.Name)
		return 2, true
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "%s: unexpected argument %q (see 'go run ./examples/%s --help')\n", u.Name, fs.Arg(0), u.Name)
		return 2, true
	}
	return 0, false
}

// wrap breaks s into lines of at most width bytes at spaces.
func wrap(s string, width int) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(s) {
		if i > 0 {
			if n+1+len(word) > width {
				b.WriteByte('\n')
				n = 0
			} else {
				b.WriteByte(' ')
				n++
			}
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}
