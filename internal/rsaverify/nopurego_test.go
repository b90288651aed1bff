//go:build !purego

package rsaverify

const puregoTag = false
