package boltstore

import "errors"

// ErrLocked reports a data file that another process (or another store of
// this process) has open: another "cognito local", or a server of a test,
// uses the data directory.
var ErrLocked = errors.New("in use")

// ErrNoData reports a read-only Open of a directory without a data file.
var ErrNoData = errors.New("no data file")
