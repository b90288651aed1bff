// Command cognito is the cognitokit command-line tool: it verifies and
// decodes Cognito tokens, signs users in, and runs a local Cognito emulator.
//
// Run "cognito help" for the list of commands and "cognito COMMAND --help"
// for the flags and examples of one command.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// Exit codes shared by every command.
const (
	exitOK          = 0
	exitFailure     = 1 // the operation ran and failed (rejected token, bad password, ...)
	exitUsage       = 2 // bad flags or arguments
	exitUnavailable = 3 // a dependency (JWKS, endpoint) could not be reached
)

// env bundles the process environment a command runs in, so that commands
// are testable without touching the real process state.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// localOptions are added to the emulator's options by "cognito local":
	// the tests give it fixed signing keys, which a real run generates.
	localOptions []cognitotest.Option
}

// command is one subcommand. Each command lives in its own file and adds
// itself to the registry from an init function with [register].
type command struct {
	name     string
	summary  string // one line for "cognito help"
	usage    string // full help text: synopsis, flags are appended, then examples
	examples string
	// run executes the command with its arguments (without the command
	// name). It returns the process exit code.
	run func(ctx context.Context, e *env, args []string) int
}

// commands is the registry filled by the init functions of the command files.
var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("cognito: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// errUsage marks an error that is the user's fault and exits with code 2.
var errUsage = errors.New("usage error")

// usageErrorf returns an error wrapping errUsage.
func usageErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// newFlagSet returns a flag set for c that prints c's help on -h/--help and
// does not print anything on a parse error: the caller reports the error in
// one line.
func (c *command) newFlagSet(e *env) *flag.FlagSet {
	fs := flag.NewFlagSet("cognito "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args with fs. It returns done=true with the exit code
// when the command must stop: after printing help (exit 0) or on a bad flag
// (one-line error, exit 2).
func (c *command) parseFlags(e *env, fs *flag.FlagSet, args []string) (code int, done bool) {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, flag.ErrHelp):
		c.printHelp(e.stdout, fs)
		return exitOK, true
	default:
		hint := ""
		if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: "); ok {
			var flags []string
			fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f.Name) })
			if s := closest(strings.TrimLeft(name, "-"), flags); s != "" {
				hint = fmt.Sprintf("; did you mean --%s?", s)
			}
		}
		fmt.Fprintf(e.stderr, "cognito %s: %v%s (see 'cognito %s --help')\n", c.name, err, hint, c.name)
		return exitUsage, true
	}
}

// printHelp writes the command's usage, its flags and its examples.
func (c *command) printHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "%s\n", strings.TrimSpace(c.usage))
	if fs != nil {
		fmt.Fprintf(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	if c.examples != "" {
		fmt.Fprintf(w, "\nExamples:\n%s\n", strings.TrimRight(c.examples, "\n"))
	}
}

// fail reports err on stderr in one line and returns the exit code for it.
func fail(e *env, name string, code int, err error) int {
	fmt.Fprintf(e.stderr, "cognito %s: %v\n", name, err)
	return code
}

func printMainHelp(w io.Writer) {
	fmt.Fprintln(w, "cognito: tools for Amazon Cognito user pools (cognitokit)")
	fmt.Fprintln(w, "\nUsage: cognito COMMAND [flags] [args]")
	fmt.Fprintln(w, "\nCommands:")
	for _, n := range slices.Sorted(maps.Keys(commands)) {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'cognito COMMAND --help' for a command's flags and examples.")
}

// runMain dispatches to a command and returns the exit code.
func runMain(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		printMainHelp(e.stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				return c.run(ctx, e, []string{"--help"})
			}
		}
		printMainHelp(e.stdout)
		return exitOK
	case "-version", "--version":
		return commands["version"].run(ctx, e, args[1:])
	}
	c, ok := commands[name]
	if !ok {
		hint := ""
		if s := closest(name, slices.Collect(maps.Keys(commands))); s != "" {
			hint = fmt.Sprintf("; did you mean %q?", s)
		}
		fmt.Fprintf(e.stderr, "cognito: unknown command %q%s (see 'cognito help')\n", name, hint)
		return exitUsage
	}
	return c.run(ctx, e, args[1:])
}

// closest returns the candidate nearest to s, for "did you mean": the one
// with the smallest edit distance (a swap of two neighbours counts as one
// edit) if it is at most 2 and less than half of s, or the only candidate s
// is a prefix of. It returns "" when no candidate is close, or two are
// equally close.
func closest(s string, candidates []string) string {
	best, bestD, ties := "", 3, 0
	var prefixed []string
	for _, c := range candidates {
		if len(s) >= 2 && strings.HasPrefix(c, s) {
			prefixed = append(prefixed, c)
		}
		switch d := editDistance(s, c); {
		case d < bestD:
			best, bestD, ties = c, d, 0
		case d == bestD:
			ties++
		}
	}
	if best != "" && ties == 0 && bestD*2 < len(s) {
		return best
	}
	if len(prefixed) == 1 {
		return prefixed[0]
	}
	return ""
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of neighbours.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	os.Exit(runMain(ctx, e, os.Args[1:]))
}
