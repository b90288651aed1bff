//go:build !race

package verifier

// raceEnabled is true in race-enabled builds; see race.go.
const raceEnabled = false
