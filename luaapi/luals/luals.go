package luals

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"

	"github.com/inilua/inilua/ini"
)

// Annotations is the LuaLS meta file of the Lua API (Lua source made of
// ---@class, ---@field, ---@param and ---@return comments and empty
// function bodies; it also compiles as Lua 5.1).
//
//go:embed inilua.lua
var Annotations []byte

// LibDir is the directory, inside the directory given to Write, that holds
// the meta file; the .luarc.json written beside it names it in
// workspace.library.
const LibDir = "inilua-types"

// MetaFile is the file name of the annotations inside LibDir.
const MetaFile = "inilua.lua"

// LuaRC is the .luarc.json that Write puts in the directory: Lua 5.1 (as
// gopher-lua), the annotations as a library.
var LuaRC = []byte(`{
  "$schema": "https://raw.githubusercontent.com/LuaLS/vscode-lua/master/setting/schema.json",
  "runtime.version": "Lua 5.1",
  "workspace.library": ["` + LibDir + `"],
  "workspace.checkThirdParty": false
}
`)

// Write writes dir/inilua-types/inilua.lua (replacing an older copy) and
// dir/.luarc.json, creating the directories, each file atomically
// (temporary file, fsync, rename). It returns the paths written. An
// existing .luarc.json with other content is the user's own configuration:
// Write leaves it alone and returns an error saying what to add to it
// (after writing the meta file), rather than replacing it.
func Write(dir string) ([]string, error) {
	lib := filepath.Join(dir, LibDir)
	if err := os.MkdirAll(lib, 0o755); err != nil {
		return nil, err
	}
	meta := filepath.Join(lib, MetaFile)
	if err := ini.WriteFile(meta, Annotations, ini.SaveOptions{Perm: 0o644}); err != nil {
		return nil, err
	}
	written := []string{meta}
	rc := filepath.Join(dir, ".luarc.json")
	old, err := os.ReadFile(rc)
	switch {
	case err == nil && bytes.Equal(old, LuaRC):
		return append(written, rc), nil
	case err == nil:
		return written, fmt.Errorf("%s exists with other settings: left as it is; add %q to its workspace.library and set runtime.version to \"Lua 5.1\"", rc, LibDir)
	case !os.IsNotExist(err):
		return written, err
	}
	if err := ini.WriteFile(rc, LuaRC, ini.SaveOptions{Perm: 0o644}); err != nil {
		return written, err
	}
	return append(written, rc), nil
}

// Fields returns the names that ---@field lines declare for class (e.g.
// "inilua.Host"), in the order written, without index signatures such as
// [string]. Tests use it to compare the annotations with what the runtime
// really sets.
func Fields(class string) []string {
	var names []string
	in := false
	for _, line := range bytes.Split(Annotations, []byte("\n")) {
		s := string(bytes.TrimSpace(line))
		switch {
		case s == "---@class "+class || bytes.HasPrefix([]byte(s), []byte("---@class "+class+" ")):
			in = true
		case !in:
		case bytes.HasPrefix([]byte(s), []byte("---@field ")):
			f := bytes.Fields([]byte(s))
			if len(f) > 1 && f[1][0] != '[' {
				names = append(names, string(bytes.TrimSuffix(f[1], []byte("?"))))
			}
		case bytes.HasPrefix([]byte(s), []byte("---")):
		default:
			in = false
		}
	}
	return names
}
