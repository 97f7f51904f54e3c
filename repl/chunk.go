package repl

import (
	"errors"
	"strings"

	"github.com/inilua/inilua/luaapi"
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
	"github.com/yuin/gopher-lua/parse"
)

// chunkName names REPL input in error messages ("stdin:1: ...").
const chunkName = "stdin"

// errIncomplete is returned by compile when the text so far is an
// unfinished statement: the REPL reads another line.
var errIncomplete = errors.New("incomplete statement")

// IsIncomplete reports whether err, returned by parse.Parse, means the
// chunk ended before the statement did (an unfinished function, table,
// string or expression): gopher-lua reports that as a *parse.Error
// positioned at line parse.EOF.
func IsIncomplete(err error) bool {
	var pe *parse.Error
	return errors.As(err, &pe) && pe.Pos.Line == parse.EOF
}

// compile turns the text typed so far into a function, the way lua.c does:
// a leading "=" means "return "; with printResults, "return <text>" is tried
// first so that an expression prints its value; otherwise the text is
// compiled as statements. It returns errIncomplete when more lines are
// needed, or the syntax error (a *luaapi.SyntaxError). firstLine is the line number of the text's
// first line in error messages (1 at the prompt). Top-level local
// declarations become global assignments (see localsToGlobals).
func compile(L *lua.LState, text string, printResults bool, firstLine int) (*lua.LFunction, error) {
	pad := strings.Repeat("\n", max(firstLine-1, 0))
	exprIncomplete := false
	if rest, ok := strings.CutPrefix(text, "="); ok {
		text = "return " + rest
	} else if printResults {
		chunk, err := parse.Parse(strings.NewReader(pad+"return "+text), chunkName)
		if err == nil {
			return build(L, chunk)
		}
		exprIncomplete = IsIncomplete(err)
	}
	chunk, err := parse.Parse(strings.NewReader(pad+text), chunkName)
	if err != nil {
		// "1 +" is an error as a statement but an unfinished expression:
		// either reading asks for more input.
		if IsIncomplete(err) || exprIncomplete {
			return nil, errIncomplete
		}
		return nil, luaapi.LuaSyntaxError(err, pad+text)
	}
	return build(L, localsToGlobals(chunk))
}

// build compiles a parsed chunk into a function of L.
func build(L *lua.LState, chunk []ast.Stmt) (*lua.LFunction, error) {
	proto, err := lua.Compile(chunk, chunkName)
	if err != nil {
		return nil, err
	}
	return L.NewFunctionFromProto(proto), nil
}

// localsToGlobals rewrites the top-level "local a, b = ..." and
// "local function f" statements of a REPL chunk into global assignments.
// Each line typed at the prompt is its own chunk, so a local would vanish
// as soon as its line ran ("local s = iniserve.connect(...)" followed by
// "s:ls()" would fail); as a global it stays for the next lines. Locals
// inside blocks and functions are left alone.
func localsToGlobals(chunk []ast.Stmt) []ast.Stmt {
	out := make([]ast.Stmt, len(chunk))
	for i, st := range chunk {
		ls, ok := st.(*ast.LocalAssignStmt)
		if !ok {
			out[i] = st
			continue
		}
		as := &ast.AssignStmt{Rhs: ls.Exprs}
		for _, name := range ls.Names {
			id := &ast.IdentExpr{Value: name}
			id.SetLine(ls.Line())
			id.SetLastLine(ls.Line())
			as.Lhs = append(as.Lhs, id)
		}
		if len(as.Rhs) == 0 {
			nils := make([]ast.Expr, len(ls.Names))
			for j := range nils {
				n := &ast.NilExpr{}
				n.SetLine(ls.Line())
				n.SetLastLine(ls.Line())
				nils[j] = n
			}
			as.Rhs = nils
		}
		as.SetLine(ls.Line())
		as.SetLastLine(ls.LastLine())
		out[i] = as
	}
	return out
}
