package luaapi

import (
	"slices"

	lua "github.com/yuin/gopher-lua"
)

// Methods returns the sorted method names of v when it is a file,
// application view or session of this runtime (what the REPL completes
// after "v:"), and nil for any other value. It sends nothing.
func (r *Runtime) Methods(v lua.LValue) []string {
	ud, ok := v.(*lua.LUserData)
	if !ok {
		return nil
	}
	var m map[string]lua.LValue
	switch ud.Value.(type) {
	case *fileObj:
		m = r.fileMethods
	case *appObj:
		m = r.appMethods
	case *sessionObj:
		m = r.sessMethods
	default:
		return nil
	}
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
