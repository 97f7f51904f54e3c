package luaapi

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/ini"
)

// TestTableView runs every table-view, typed-access, change-recording and
// rename script against a local file and against package server, expecting
// the same output, errors, changes and files.
func TestTableView(t *testing.T) {
	base := func() map[string]*ini.File {
		return map[string]*ini.File{"TEST.INI": mkfile(t,
			"App", "Key", "value",
			"App", "Num", "\x19\x00\x00\x00",
			"Other", "X", "1",
			"Other", "Y", "",
		)}
	}
	cases := []bothCase{
		{
			name:  "read",
			files: base(),
			script: `
				local f = OPEN("TEST.INI")
				print(#f, #f.App, #f.Other, #f.Missing)
				print(f.App.Key, f.App.Missing, f.Missing.Key, f.Other.Y == "")
				print(f:get("App", "Num", "u32"), f:get("App", "Key", "hex"), f:get("App", "Nope", "u32"))
				for a, v in pairs(f) do
					for k, val in pairs(v) do print(a, k, ini.hex(val)) end
				end
				print(table.concat(f:apps(), ","), table.concat(f:keys("App"), ","), #f:keys("Missing"))
				print(table.concat(f.App:keys(), ","), #f:changes())`,
			want: "2\t2\t2\t0\n" +
				"value\tnil\tnil\ttrue\n" +
				"25\t76616C7565\tnil\n" +
				"App\tKey\t76616C7565\nApp\tNum\t19000000\nOther\tX\t31\nOther\tY\t\n" +
				"App,Other\tKey,Num\t0\n" +
				"Key,Num\t0\n",
		},
		{
			name:  "write and delete",
			files: base(),
			script: `
				local f = OPEN("TEST.INI")
				f.App.Key = "new"
				f.App.Key = "new"        -- same bytes: not a change
				f.App.Num = ini.u32(25)  -- same bytes: not a change
				f.App.Empty = ""
				f.New.K = "x"            -- missing application view creates it
				f.Other.X = nil
				f.Other.Missing = nil    -- deleting a missing key: not a change
				f.Other.Y = nil          -- last key: the application goes
				SAVE(f)
				print(#f, f.App.Key, f.App.Empty == "", f.New.K, #f.Other)
				print(table.concat(f:apps(), ","))
				for _, c in ipairs(f:changes()) do
					print(c.application, c.key, c.old and ini.hex(c.old) or "nil", c.new and ini.hex(c.new) or "nil")
				end`,
			want: "2\tnew\ttrue\tx\t0\n" +
				"App,New\n" +
				"App\tKey\t76616C7565\t6E6577\n" +
				"App\tEmpty\tnil\t\n" +
				"New\tK\tnil\t78\n" +
				"Other\tX\t31\tnil\n" +
				"Other\tY\t\tnil\n",
		},
		{
			name:  "views are reused and follow the file",
			files: base(),
			script: `
				local f = OPEN("TEST.INI")
				local v = f.App
				print(rawequal(v, f.App), rawequal(v, f.Other))
				f.App = nil                 -- the application goes; the view stays usable
				print(v.Key, #v)
				v.Key = "back"              -- and writes through the name it holds
				print(f.App.Key, rawequal(v, f.App))
				for i = 1, 600 do f["A" .. i].K = tostring(i) end  -- more names than the views kept
				local n = 0
				for i = 1, 600 do if f["A" .. i].K == tostring(i) then n = n + 1 end end
				print(n, #f, v.Key)
				f.App.Key = "x" .. "y"      -- a value built at run time
				SAVE(f)
				print(f.App.Key, #f:changes())`,
			want: "true\tfalse\n" +
				"nil\t0\n" +
				"back\ttrue\n" +
				"600\t602\tback\n" +
				"xy\t604\n",
		},
		{
			// each value is read again and again (and so, for a local
			// file, kept by the view) before it is changed another way than
			// through the view
			name:  "reads follow every change",
			files: base(),
			script: `
				local f = OPEN("TEST.INI")
				local function warm(view)
					for _ = 1, 3 do for k in pairs(view) do local _ = view[k] end end
				end
				local v = f.App
				warm(v) warm(f.Other)
				print(v.Key, f.App.Key, f.Other.X, f.Other.Y == "")
				f:set("App", "Key", "set")           print(v.Key, f.App.Key)
				warm(v) f:set("App", "Key", 7, "u8") print(ini.hex(v.Key))
				warm(v) f:delete("App", "Key")       print(v.Key, f.App.Key)
				warm(v) f.App = {Key = "table"}      print(v.Key, v.Num)
				f.Copy = f.App                       print(f.Copy.Key)
				warm(f.Copy) warm(v)
				f.Copy.Key = "copy"                  print(f.Copy.Key, v.Key)
				warm(f.Copy) warm(v)
				print(f:rename_key("App", "Key", "K2"), v.Key, v.K2)
				warm(v) print(f:rename_app("App", "Moved"), v.K2, f.Moved.K2)
				f.Other.X = "2"                      print(f.Other.X)
				warm(f.Other) f:delete("Other")      print(f.Other.X, f.Other.Y)
				warm(f.Moved) f.Moved = nil          print(f.Moved.K2)
				for k, val in pairs(f.Copy) do print(k, val) end
				SAVE(f)`,
			want: "value\tvalue\t1\ttrue\n" +
				"set\tset\n" +
				"07\n" +
				"nil\tnil\n" +
				"table\tnil\n" +
				"table\n" +
				"copy\ttable\n" +
				"true\tnil\ttable\n" +
				"1\tnil\ttable\n" +
				"2\n" +
				"nil\tnil\n" +
				"nil\n" +
				"Key\tcopy\n",
		},
		{
			// names of methods: f.save and f.App.keys are the methods, and
			// the application "save" and the key "keys" are still reached
			name:  "names of methods",
			files: base(),
			script: `
				local f = OPEN("TEST.INI")
				f:app("save").keys = "k"
				print(type(f.save), type(f.App.keys), f:app("save"):keys()[1], f:get("save", "keys"))
				f:set("save", "keys", "k2")
				print(f:get("save", "keys"), type(f:app("save").keys))
				for a, view in pairs(f) do if a == "save" then print(view:keys()[1], f:app("save") == view) end end
				SAVE(f)`,
			want: "function\tfunction\tkeys\tk\n" +
				"k2\tfunction\n" +
				"keys\ttrue\n",
		},
		{
			name:  "application assignment",
			files: base(),
			script: `
				local f = OPEN("TEST.INI")
				f.App = {Key = "value", B = "2", A = "1"}  -- Num goes, A and B come
				f.Copy = f.App
				f.Other = nil
				f.Gone = {}                                  -- empty: nothing to create
				SAVE(f)
				for a, v in pairs(f) do
					for k, val in pairs(v) do print(a, k, val) end
				end
				print(#f:changes())`,
			want: "App\tKey\tvalue\nApp\tA\t1\nApp\tB\t2\n" +
				"Copy\tKey\tvalue\nCopy\tA\t1\nCopy\tB\t2\n" +
				"8\n",
		},
		{
			name:  "typed set and get",
			files: base(),
			script: `
				local f = OPEN("TEST.INI")
				f:set("T", "u8", 255, "u8")
				f:set("T", "u16", 513, "u16")
				f:set("T", "u32", 4294967295, "u32")
				f:set("T", "i32", -2, "i32")
				f:set("T", "s", "text", "string")
				f:set("T", "s0", "text", "string0")
				f:set("T", "list", {"a", "bc"}, "strings")
				f:set("T", "none", {}, "strings")
				f:set("T", "hex", "00ff10", "hex")
				f:set("T", "raw", "a\0b")
				SAVE(f)
				for _, k in ipairs(f:keys("T")) do print(k, ini.hex(f.T[k])) end
				print(f:get("T", "u8", "u8"), f:get("T", "u16", "u16"), f:get("T", "u32", "u32"), f:get("T", "i32", "i32"))
				print(f:get("T", "s0", "string"), f:get("T", "s0", "string0"), f:get("T", "raw", "string"))
				local l = f:get("T", "list", "strings")
				print(#l, l[1], l[2], #f:get("T", "none", "strings"), f:get("T", "hex", "hex"))`,
			want: "u8\tFF\nu16\t0102\nu32\tFFFFFFFF\ni32\tFEFFFFFF\ns\t74657874\ns0\t7465787400\n" +
				"list\t610062630000\nnone\t00\nhex\t00FF10\nraw\t610062\n" +
				"255\t513\t4294967295\t-2\n" +
				"text\ttext\ta\n" +
				"2\ta\tbc\t0\t00FF10\n",
		},
		{
			name:    "typed get of wrong length",
			files:   base(),
			script:  `local f = OPEN("TEST.INI"); print(f:get("App", "Key", "u16"))`,
			wantErr: `TEST.INI": application "App": key "Key": get: as u16`,
		},
		{
			name:    "value out of range",
			files:   base(),
			script:  `local f = OPEN("TEST.INI"); f:set("App", "N", 256, "u8")`,
			wantErr: `application "App": key "N": set: u8 value: 256 out of range`,
		},
		{
			name:    "number as raw value",
			files:   base(),
			script:  `local f = OPEN("TEST.INI"); f.App.N = 5`,
			wantErr: `application "App": key "N": set: value must be a string of bytes, got number`,
		},
		{
			name:    "unknown type",
			files:   base(),
			script:  `local f = OPEN("TEST.INI"); f:get("App", "Key", "float")`,
			wantErr: `bad argument #4 to get (unknown value type "float"`,
		},
		{
			name:    "non-string application name",
			files:   base(),
			script:  `local f = OPEN("TEST.INI"); print(f[1])`,
			wantErr: "application name must be a string, got number",
		},
		{
			name:    "non-string key name",
			files:   base(),
			script:  `local f = OPEN("TEST.INI"); f.App[true] = "x"`,
			wantErr: "key name must be a string, got boolean",
		},
		{
			name:    "string of strings with an empty element",
			files:   base(),
			script:  `local f = OPEN("TEST.INI"); f:set("A", "B", {"x", ""}, "strings")`,
			wantErr: `application "A": key "B": set: strings value: element 2 is empty`,
		},
		{
			name:    "string of strings with a number",
			files:   base(),
			script:  `local f = OPEN("TEST.INI"); f:set("A", "B", {"x", 1}, "strings")`,
			wantErr: `application "A": key "B": set: strings value: element 2 is a number, want a string`,
		},
		{
			name:    "hex text that is not hex",
			files:   base(),
			script:  `local f = OPEN("TEST.INI"); f:set("A", "B", "0g", "hex")`,
			wantErr: `application "A": key "B": set: hex value: byte 'g' at offset 1 is not a hex digit`,
		},
		{
			name:    "number for a string type",
			files:   base(),
			script:  `local f = OPEN("TEST.INI"); f:set("A", "B", 5, "string0")`,
			wantErr: `application "A": key "B": set: type string0 needs a string, got number`,
		},
		{
			name:    "bad table value",
			files:   base(),
			script:  `local f = OPEN("TEST.INI"); f.App = {K = 1}`,
			wantErr: `application "App": replace application: key "K": value must be a string of bytes, got number`,
		},
		{
			name:  "pcall catches API errors and the file is unchanged",
			files: base(),
			script: `
				local f = OPEN("TEST.INI")
				local ok, err = pcall(function() f.App = {A = "1", B = 2} end)
				print(ok, #f:changes(), table.concat(f.App:keys(), ","))`,
			want: "false\t0\tKey,Num\n",
		},
		{
			name:  "rename",
			files: base(),
			script: `
				local f = OPEN("TEST.INI")
				print(f:rename_app("Other", "Renamed"), f:rename_app("Other", "Renamed"))
				print(f:rename_key("App", "Key", "Key2"), f:rename_key("App", "Key", "Key2"))
				SAVE(f)
				print(table.concat(f:apps(), ","), table.concat(f.App:keys(), ","), f.App.Key2, f.Renamed.X)`,
			want: "2\t0\ntrue\tfalse\nApp,Renamed\tNum,Key2\tvalue\t1\n",
		},
		{
			name: "rename finishes an interrupted rename",
			files: map[string]*ini.File{"TEST.INI": mkfile(t,
				"Old", "A", "1", "Old", "B", "2", "New", "A", "1")},
			script: `
				local f = OPEN("TEST.INI")
				print(f:rename_app("Old", "New"), #f.Old, #f.New, #f:changes())
				SAVE(f)`,
			want: "2\t0\t2\t3\n",
		},
		{
			name:  "delete method",
			files: base(),
			script: `
				local f = OPEN("TEST.INI")
				f:delete("App", "Key")
				f:delete("Other")
				f:delete("Missing")
				SAVE(f)
				print(table.concat(f:apps(), ","), #f:changes())`,
			want: "App\t3\n",
		},
		{
			name:  "export and parse",
			files: base(),
			script: `
				local f = OPEN("TEST.INI")
				local g = ini.parse(f:binary())
				print(#g, g.App.Key, g:format())
				local h = ini.parse(f:tni())
				print(#h, h.Other.X, h:format(), h:name())`,
			want: "2\tvalue\tini\n2\t1\ttni\tnil\n",
		},
		{
			name: "TNI files list sorted",
			files: map[string]*ini.File{"TEST.TNI": mkfile(t,
				"b", "y", "1", "b", "x", "2", "a", "k", "3")},
			script: `
				local f = OPEN("TEST.TNI")
				f.aa.k = "4"
				f.b.a = "5"
				SAVE(f)
				print(table.concat(f:apps(), ","), table.concat(f.b:keys(), ","), f:format())`,
			want: "a,aa,b\ta,x,y\ttni\n",
		},
		{
			name:  "new file is created on first write",
			files: map[string]*ini.File{},
			script: `
				local f = OPEN("NEW.INI")
				print(#f, f.A.B)
				f.A.B = "c"
				SAVE(f)
				print(#f, f.A.B)`,
			want: "0\tnil\n1\tc\n",
		},
		{
			name:  "methods win over application names",
			files: map[string]*ini.File{"TEST.INI": mkfile(t, "get", "k", "v")},
			script: `
				local f = OPEN("TEST.INI")
				print(type(f.get), f:app("get").k, f:get("get", "k"))`,
			want: "function\tv\tv\n",
		},
	}
	runBoth(t, cases, Options{})
}

// TestCheckModeBoth runs writing scripts in check mode: the same changes
// are recorded locally and remotely, later reads see them, and nothing is
// written to disk.
func TestCheckModeBoth(t *testing.T) {
	files := func() map[string]*ini.File {
		return map[string]*ini.File{"TEST.INI": mkfile(t, "App", "Key", "value", "Other", "X", "1")}
	}
	cases := []bothCase{
		{
			name:  "changes recorded and visible, nothing written",
			files: files(),
			script: `
				local f = OPEN("TEST.INI")
				f.App.Key = "new"
				f.Other = nil
				f.Added.K = "v"
				SAVE(f)
				print(f.App.Key, #f.Other, f.Added.K, table.concat(f:apps(), ","))
				for _, c in ipairs(f:changes()) do print(c.application, c.key, c.old, c.new) end
				local g = OPEN("NEW.INI")
				g.A.B = "c"
				SAVE(g)`,
			want: "new\t0\tv\tApp,Added\n" +
				"App\tKey\tvalue\tnew\nOther\tX\t1\tnil\nAdded\tK\tnil\tv\n",
		},
	}
	runBoth(t, cases, Options{CheckMode: true})
	// the files on disk are untouched (runBoth compared local with remote;
	// check one run against the original bytes)
	orig := files()["TEST.INI"]
	for _, m := range []mode{local, remote} {
		r := runScript(t, m, files(), cases[0].script, Options{CheckMode: true})
		want, _ := orig.MarshalBinary()
		if got := r.files["TEST.INI"]; string(got) != string(want) {
			t.Errorf("%s: check mode changed TEST.INI", m)
		}
		if _, ok := r.files["NEW.INI"]; ok {
			t.Errorf("%s: check mode created NEW.INI", m)
		}
		if len(r.files) != 1 {
			t.Errorf("%s: files after check run: %v", m, names(r.files))
		}
	}
}

// TestChoose applies the GenINI rules (spec ini-formats.md §6.2) through
// ini.choose (local) and s:choose (remote) on the same files.
func TestChoose(t *testing.T) {
	useTNI := func(v string) *ini.File { return mkfile(t, "$SYS", "UseTNI", v, "A", "B", "C") }
	cases := []bothCase{
		{name: "only INI", files: map[string]*ini.File{"P.INI": mkfile(t, "A", "B", "C")}, want: "P.INI\n"},
		{name: "only TNI", files: map[string]*ini.File{"P.TNI": mkfile(t, "A", "B", "C")}, want: "P.TNI\n"},
		{name: "neither", files: map[string]*ini.File{}, want: "P.INI\n"},
		{name: "both, TNI says 1", files: map[string]*ini.File{"P.INI": mkfile(t, "A", "B", "C"), "P.TNI": useTNI("\x01")}, want: "P.TNI\n"},
		{name: "both, INI says 0", files: map[string]*ini.File{"P.INI": useTNI("\x00"), "P.TNI": mkfile(t, "A", "B", "C")}, want: "P.INI\n"},
		{name: "both, 4-byte flag ignored", files: map[string]*ini.File{"P.INI": mkfile(t, "A", "B", "C"), "P.TNI": useTNI("\x01\x00\x00\x00")}, want: "P.INI\n"},
		{name: "both disagree", files: map[string]*ini.File{"P.INI": useTNI("\x00"), "P.TNI": useTNI("\x01")}, want: "P.INI\n"},
	}
	for i := range cases {
		cases[i].script = `
			local name
			if S then name = S:choose("P") else name = ini.choose(DIR .. "/P") end
			print((name:gsub("^.*/", "")))`
	}
	// the warning of the 4-byte case is asserted by TestCodecWarnings
	runBoth(t, cases, Options{Logger: slog.New(slog.DiscardHandler)})
}

// TestFormatFile: f:tni(fmt) and f:save{fmt = ...} lay TNI out by a FMT
// format file.
func TestFormatFile(t *testing.T) {
	cases := []bothCase{{
		name:  "fmt",
		files: map[string]*ini.File{"T.INI": mkfile(t, "A", "N", "\x05\x00\x06\x00", "A", "Hidden", "x")},
		script: `
			local f = OPEN("T.INI")
			local fmt = "[A]\nN=(2)\nHidden=*\n[/A]\n"
			local text = f:tni(fmt)
			print(text:find("N=(2)5 6", 1, true) ~= nil, text:find("Hidden", 1, true))
			print(select(2, pcall(f.tni, f, 5)):match("format file must be the text of a format file, got number") ~= nil)
			local l = ini.new(); l.A.N = "\5\0\6\0"
			l:save{path = DIR .. "/OUT.TNI", fmt = fmt}
			local back = io.open(DIR .. "/OUT.TNI"):read("*a")
			print(back:find("N=(2)5 6", 1, true) ~= nil)`,
		want: "true\tnil\ntrue\ntrue\n",
	}}
	runBoth(t, cases, Options{})
}

// TestRandomOpsSameLocalRemote runs random sequences of writes, deletions,
// application replacements and renames on a local and a remote file
// (binary INI and TNI, real and check mode) and checks that both end with
// the same output, changes and files.
func TestRandomOpsSameLocalRemote(t *testing.T) {
	names := []string{"A", "B", "C"}
	for seed := range 24 {
		file := "R.INI"
		if seed%2 == 1 {
			file = "R.TNI" // sorted names
		}
		rng := rand.New(rand.NewPCG(uint64(seed), 1))
		pick := func() string { return names[rng.IntN(len(names))] }
		var b strings.Builder
		fmt.Fprintf(&b, "local f = OPEN(%q)\n", file)
		for range 40 {
			switch rng.IntN(8) {
			case 0, 1, 2:
				fmt.Fprintf(&b, "f[%q][%q] = %q\n", pick(), pick(), fmt.Sprint(rng.IntN(3)))
			case 3:
				fmt.Fprintf(&b, "f[%q][%q] = nil\n", pick(), pick())
			case 4:
				fmt.Fprintf(&b, "f[%q] = nil\n", pick())
			case 5:
				fmt.Fprintf(&b, "f[%q] = {%s = %q, %s = \"x\"}\n", pick(), pick(), fmt.Sprint(rng.IntN(3)), pick())
			case 6:
				fmt.Fprintf(&b, "print(f:rename_app(%q, %q))\n", pick(), pick())
			case 7:
				fmt.Fprintf(&b, "print(f:rename_key(%q, %q, %q))\n", pick(), pick(), pick())
			}
		}
		b.WriteString(`SAVE(f)
for app, a in pairs(f) do for k, v in pairs(a) do print(app, k, v) end end
print(#f, #f:changes())
`)
		script := b.String()
		opts := Options{CheckMode: seed%4 >= 2} // dry runs must agree too
		t.Run(fmt.Sprint(seed, file, opts.CheckMode), func(t *testing.T) {
			l := runScript(t, local, nil, script, opts)
			r := runScript(t, remote, nil, script, opts)
			if l.err != nil || r.err != nil {
				t.Fatalf("errors: local %v, remote %v\n%s", l.err, r.err, script)
			}
			if l.out != r.out {
				t.Errorf("output differs:\nlocal:\n%s\nremote:\n%s\nscript:\n%s", l.out, r.out, script)
			}
			if !sameChanges(l.changes, r.changes) {
				t.Errorf("changes differ\nscript:\n%s", script)
			}
			if !sameFiles(t, l.files, r.files) {
				t.Errorf("files differ\nscript:\n%s", script)
			}
		})
	}
}

// TestViewsBeyondLimit uses more application names of a local file than
// it keeps views (and value caches) for: the views made per access beyond
// maxViews read and write the file, and the kept ones still see changes
// made through them.
func TestViewsBeyondLimit(t *testing.T) {
	code := fmt.Sprintf(`
		local f, n = ini.new(), %d
		for i = 1, n do f["A" .. i].K = tostring(i) end
		local same = 0
		for i = 1, n do if f["A" .. i].K == tostring(i) then same = same + 1 end end
		for i = 1, n do f:set("A" .. i, "K", "x" .. i) end
		for i = 1, n do if f["A" .. i].K == "x" .. i then same = same + 1 end end
		print(same, #f, rawequal(f.A1, f.A1), rawequal(f["A" .. n], f["A" .. n]))`, maxViews+100)
	out, err := run(t, code, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%d\t%d\ttrue\tfalse\n", 2*(maxViews+100), maxViews+100); out != want {
		t.Fatalf("got %q, want %q", out, want)
	}
}

// TestMetatablesAreSmall: every metatable luaapi builds for files,
// application views and sessions holds at most smallTable fields, so that
// its string keys stay in Go's small-map form, where gopher-lua's lookup
// of __index on each f[app] and a[key] checks one group of slots
// (newSmallTable).
func TestMetatablesAreSmall(t *testing.T) {
	rt, err := New(t.Context(), Options{Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	f := ini.New()
	for i := range 3 {
		if err := f.Put([]byte("App"), fmt.Appendf(nil, "K%d", i), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	fo := rt.newFile(f, f, "", ini.FormatINI, nil, nil)
	ud := rt.fileValue(fo)
	// read every key twice: the second pass starts the view's value cache
	prog, err := Compile(`local f = ... for pass = 1, 2 do for i = 0, 2 do local v = f.App["K" .. i] end end`, "=t")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.Run(t.Context(), prog, ud); err != nil {
		t.Fatal(err)
	}
	app := fo.views["App"]
	if app == nil || app.Value.(*appObj).vals == nil {
		t.Fatal("the view of App has no value cache after two passes")
	}
	for name, mt := range map[string]lua.LValue{
		"r.fileMT": rt.fileMT, "r.appMT": rt.appMT, "r.sessMT": rt.sessMT,
		"the file's metatable": ud.Metatable, "f.index's metatable": fo.index.Metatable,
		"the cached view's metatable": app.Metatable, "a.vals's metatable": app.Value.(*appObj).vals.Metatable,
	} {
		tb, ok := mt.(*lua.LTable)
		if !ok {
			t.Fatalf("%s is %T, want a table", name, mt)
		}
		n := 0
		tb.ForEach(func(lua.LValue, lua.LValue) { n++ })
		if n == 0 || n > smallTable {
			t.Errorf("%s holds %d fields, want 1 to %d", name, n, smallTable)
		}
	}
}
