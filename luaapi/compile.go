package luaapi

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// Compile parses and compiles a script once, so that many runtimes (one
// per host in a batch run) can run it without parsing it again: the
// returned *lua.FunctionProto is immutable and may be shared between
// goroutines. chunkname names the chunk in messages (a script's path, as
// DoFile uses). A first line starting with # is skipped. Errors: a
// *parse.Error (naming chunkname and the line) or a compile error.
func Compile(code, chunkname string) (*lua.FunctionProto, error) {
	if strings.HasPrefix(code, "#") {
		// keep line numbers: blank the line, not remove it
		if i := strings.IndexByte(code, '\n'); i >= 0 {
			code = code[i:]
		} else {
			code = ""
		}
	}
	chunk, err := parse.Parse(strings.NewReader(code), chunkname)
	if err != nil {
		return nil, LuaSyntaxError(err, code) // names chunkname and the line
	}
	proto, err := lua.Compile(chunk, chunkname)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", chunkname, err)
	}
	return proto, nil
}

// CompileFile reads and compiles the script at path (see Compile).
func CompileFile(path string) (*lua.FunctionProto, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Compile(string(data), path)
}

// DoProto runs a compiled script as DoFileWith does: the global arg holds
// arg[0] = script and arg[1..n] = args; "..." receives first, then args.
// Errors as for Call.
func (r *Runtime) DoProto(ctx context.Context, proto *lua.FunctionProto, script string, args []string, first []lua.LValue) error {
	_, err := r.Call(ctx, r.ls.NewFunctionFromProto(proto), r.setArgs(script, args, first)...)
	return err
}

// SyntaxError is a gopher-lua *parse.Error worded the way the lua
// interpreter words syntax errors: "chunk:LINE: MESSAGE near 'TOKEN'", or
// "chunk:LINE: MESSAGE near <eof>" at the end of the input.
type SyntaxError struct {
	Msg string       // the lua-style message
	Err *parse.Error // the parser's error
}

// Error returns the lua-style message.
func (e *SyntaxError) Error() string { return e.Msg }

// Unwrap returns the parser's error, so IsIncomplete still applies.
func (e *SyntaxError) Unwrap() error { return e.Err }

// LuaSyntaxError rewrites err as a *SyntaxError when it is a *parse.Error
// (directly or wrapped) and returns any other error unchanged. code is the
// source that failed to parse: gopher-lua gives no line for an error at
// the end of the input, so its last line is named then.
func LuaSyntaxError(err error, code string) error {
	var pe *parse.Error
	if !errors.As(err, &pe) {
		return err
	}
	line, near := pe.Pos.Line, "'"+pe.Token+"'"
	if line == parse.EOF {
		line, near = strings.Count(strings.TrimRight(code, "\n"), "\n")+1, "<eof>"
	}
	return &SyntaxError{Msg: fmt.Sprintf("%s:%d: %s near %s", pe.Pos.Source, line, pe.Message, near), Err: pe}
}
