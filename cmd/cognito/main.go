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
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
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
		fmt.Fprintf(e.stderr, "cognito %s: %v (see 'cognito %s --help')\n", c.name, err, c.name)
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
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
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
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(e.stderr, "cognito: unknown command %q (see 'cognito help')\n", name)
		return exitUsage
	}
	return c.run(ctx, e, args[1:])
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	os.Exit(runMain(ctx, e, os.Args[1:]))
}
