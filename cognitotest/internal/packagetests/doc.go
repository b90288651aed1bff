// Package packagetests holds the unit tests and fuzz targets of the
// emulator's small internal packages (boltstore, console, emulator, guard,
// identity, lambda, state, upstream, and userpool's idp, imports and
// users), in one test binary.
//
// Each of those packages would otherwise have its own test binary, and
// each of those binaries links most of the emulator: under -race about a
// second of link time apiece, which was a sixth of `go test -race ./...`
// on two cores, for tests that run in milliseconds. Here they share one
// link. The tests use the packages' exported names only (the parsers they
// fuzz are exported for that; the packages are internal, so nothing
// outside cognitotest sees them), and each file is named after the
// package it tests: guard_guard_test.go tests package guard.
//
// Run one package's tests with -run, for example
// `go test -run 'Guard' ./cognitotest/internal/packagetests`, and fuzz
// with -fuzz: `go test -fuzz FuzzUserFilter ./cognitotest/internal/packagetests`.
// The larger internal package userpool keeps its own tests.
package packagetests
