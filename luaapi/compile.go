package luaapi

import (
	"context"
	"errors"
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// Program is a compiled script, ready to run with Runtime.Run. It is
// immutable and may be shared between goroutines and runtimes (a batch run
// compiles its script once and runs it on every host).
type Program struct {
	proto *lua.FunctionProto
	name  string
}

// Name returns the chunk name the program was compiled with (the name its
// messages and tracebacks use).
func (p *Program) Name() string { return p.name }

// Compile parses and compiles a script once, so that many runtimes can run
// it without parsing it again. chunkname names the chunk in messages and
// tracebacks (a script's path, "stdin", "(command line)"; gopher-lua shows
// it as given, without the "=" and "@" conventions of C Lua). A first line
// starting with # is skipped (line numbers are kept). Errors: a
// *SyntaxError worded as lua words it (naming chunkname and the line), or a
// compile error naming chunkname.
func Compile(code, chunkname string) (*Program, error) {
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
	return &Program{proto: proto, name: chunkname}, nil
}

// Run runs prog in this runtime with args as its "..." and returns the
// values it returned. It is the one way to run a script: the command line,
// the batch runner (args: the host's session, then the name=value strings)
// and -e chunks all use it; set the global arg first with SetArg where the
// script expects one.
//
// ctx carries the script's deadline and its interruption (Ctrl-C): when it
// is done, the Lua VM stops at its next instruction, a network call in
// progress is abandoned, and a long library call (string.gsub, find, match,
// gmatch) stops at its next check; Options.Stop stops the Lua code but lets
// an API call in progress finish its command. Errors as for Call:
// *ExitError when the script called os.exit, *ScriptError for a Lua error
// (Cause context.DeadlineExceeded when ctx's deadline passed,
// context.Canceled when ctx or Options.Stop stopped it).
func (r *Runtime) Run(ctx context.Context, prog *Program, args ...lua.LValue) ([]lua.LValue, error) {
	if prog == nil {
		return nil, errors.New("luaapi: Run: nil Program")
	}
	if r.closed {
		return nil, errors.New("luaapi: runtime is closed")
	}
	return r.Call(ctx, r.ls.NewFunctionFromProto(prog.proto), args...)
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
