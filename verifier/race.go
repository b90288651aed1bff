//go:build race

package verifier

// raceEnabled is true in race-enabled builds (go test -race), where the
// verified-token cache keeps a pristine copy of each entry's claims and
// panics when a caller has modified the shared ones.
const raceEnabled = true
