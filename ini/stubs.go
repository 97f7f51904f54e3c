package ini

import "errors"

// Stubs replaced by the real codec; each owner deletes its stub when the real
// function lands.

var errTODO = errors.New("not implemented yet")
