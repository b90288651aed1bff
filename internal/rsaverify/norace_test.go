//go:build !race

package rsaverify

const raceEnabled = false
