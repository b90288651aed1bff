// Package browsertest starts the headless Chromium that a test binary's
// browser tests share, in the background, so that its start (about a
// second) overlaps the tests that run first.
//
// A TestMain launches it when -run can select a browser test
// ([testrun.Selected]), usually through [Main], and a test takes a tab with
// [Browser.Tab], which skips when Chromium is missing, unless CI=true (then
// it fails).
package browsertest

import (
	"context"
	"flag"
	"io"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cognitokit/cognitokit/internal/testrun"
)

// Main is the TestMain of a test binary whose browser test is named test.
// When -run can select that test, it launches Chromium in the background
// with launch and stores it in *b, where the test takes its tab from (a
// test that finds *b nil launches it itself). After the tests it stops
// Chromium and exits through [testrun.Exit].
func Main(m *testing.M, test string, b **Browser, launch func() *Browser) {
	flag.Parse()
	if testrun.Selected(test) {
		*b = launch()
	}
	code := testrun.Run(m)
	if *b != nil {
		(*b).Stop()
	}
	testrun.Exit(code)
}

// Path finds Chromium: $CHROMIUM, or chromium-headless-shell on PATH
// (Chromium's old headless mode: the same engine without the browser's
// user interface, about half the CPU), or /usr/bin/chromium, or chromium,
// chromium-browser or google-chrome on PATH. It returns "" if there is
// none.
func Path() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium-headless-shell", "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser is a headless Chromium started by [Launch].
type Browser struct {
	ready   chan struct{}   // closed once started, or failed
	missing bool            // no Chromium installed
	tab     context.Context // its first tab, once ready
	err     error           // why it did not start
	stop    func()
}

// Launch starts Chromium with the flags every browser test uses plus
// opts, and returns at once. name labels its profile directory.
func Launch(name string, opts ...chromedp.ExecAllocatorOption) *Browser {
	b := &Browser{ready: make(chan struct{}), stop: func() {}}
	exe := Path()
	if exe == "" {
		b.missing = true
		close(b.ready)
		return b
	}
	dir, err := os.MkdirTemp("", name+"-chromium-")
	if err != nil {
		b.err = err
		close(b.ready)
		return b
	}
	all := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(dir),
		chromedp.CombinedOutput(io.Discard),
	}, opts...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), all...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	b.tab = bctx
	b.stop = sync.OnceFunc(func() { cancelBrowser(); cancelAlloc(); os.RemoveAll(dir) })
	go func() {
		defer close(b.ready)
		b.err = chromedp.Do(bctx)
	}()
	return b
}

// Stop stops Chromium and removes its profile. It is safe to call more
// than once.
func (b *Browser) Stop() { b.stop() }

// Tab waits for Chromium and returns its tab, bounded to timeout; Chromium
// stops when t ends (each binary's browser serves one test). It skips when
// Chromium is missing, unless CI=true (then it fails).
func (b *Browser) Tab(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	t.Cleanup(b.Stop)
	<-b.ready
	if b.missing {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium not found and CI=true: install the Debian package chromium-headless-shell or chromium (or set CHROMIUM)")
		}
		t.Skip("chromium not found; install the Debian package chromium-headless-shell or chromium (or set CHROMIUM) to run the browser test")
	}
	if b.err != nil {
		t.Fatalf("start chromium: %v", b.err)
	}
	ctx, cancel := context.WithTimeout(b.tab, timeout)
	t.Cleanup(cancel)
	return ctx
}
