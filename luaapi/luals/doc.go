// Package luals holds the LuaLS (lua-language-server) annotations of the
// inilua Lua API and writes them where an editor finds them: with them,
// VS Code (the sumneko.lua extension) and Neovim (lua_ls) complete
// ini.open, f:get, s:push, json.decode, HOST.name and the rest, show their
// parameters and flag misspelt names.
//
// The annotations are one hand-written meta file (inilua.lua, embedded).
// Its test checks it against the real bindings in both directions: every
// module function and field, every method of files, application views and
// sessions, and every global that package luaapi (and, in package batch's
// tests, the batch runner) defines must be annotated, and every annotation
// must name something that exists. A function added to luaapi without its
// annotation therefore fails CI.
//
// Write puts the file and a .luarc.json into a directory (inilua
// --emit-types DIR); docs/lua-api.md says how to point an editor at it.
package luals
