---@meta inilua
-- LuaLS (lua-language-server) annotations of the inilua Lua API: the ini,
-- iniserve and json modules, files, application views, sessions and the
-- globals CHECK, HOST and ARGS (docs/lua-api.md, docs/batch.md).
-- Written by `inilua --emit-types DIR`; a test in package luaapi/luals checks
-- that every function and field here exists in the bindings and the other
-- way round. Do not edit a copy: emit it again after upgrading inilua.

---A value type of f:get, f:set and ini.decode (docs/lua-api.md, "Typed values").
---@alias inilua.ValueType
---| "bytes"   # the raw bytes (default)
---| "string"  # the bytes before the first NUL
---| "string0" # text of a value that ends in exactly one NUL
---| "strings" # array of NUL-separated strings, ending in an extra NUL
---| "u8"      # unsigned little-endian integer, 1 byte
---| "u16"     # unsigned little-endian integer, 2 bytes
---| "u32"     # unsigned little-endian integer, 4 bytes
---| "i8"      # signed little-endian integer, 1 byte
---| "i16"     # signed little-endian integer, 2 bytes
---| "i32"     # signed little-endian integer, 4 bytes
---| "hex"     # upper-case hex text of the bytes

---One change recorded by a file (f:changes()).
---@class inilua.Change
---@field application? string application name (absent for a file-system change)
---@field key? string key name (absent for a file-system change)
---@field old? string the value before; nil when the key was created
---@field new? string the value after; nil when the key was deleted
---@field file string local path or remote file name
---@field host? string the session's host; absent for local files
---@field partial? true a chunked write that failed midway (no new value)
---@field op? "mkdir"|"move"|"remove" a change of the host's file system
---@field to? string destination of a move

---Options of f:save.
---@class inilua.SaveOptions
---@field path? string save there (format by the name unless format is given)
---@field format? "ini"|"tni" the format to write
---@field backup? boolean keep the old file as path.BAK
---@field fmt? string the text of a FMT format file, for TNI output
---@field force? boolean overwrite a file changed on disk since it was opened

---An INI or TNI file, local (ini.open, ini.new, ini.parse, s:fetch) or on a
---host (s:open). `f[app]` is an application view, never nil.
---@class inilua.File
---@field [string] inilua.Application
local File = {}

---The value of key in app, decoded as type (default "bytes"); nil when absent.
---@param app string application name
---@param key string key name
---@param type? inilua.ValueType
---@return any value
function File:get(app, key, type) end

---Writes value, encoded as type (default "bytes").
---@param app string application name
---@param key string key name
---@param value any a string, number or array of strings, as the type wants (not nil: use f:delete)
---@param type? inilua.ValueType
function File:set(app, key, value, type) end

---Deletes the key, or without key the whole application; a missing one is not an error.
---@param app string application name
---@param key? string key name
function File:delete(app, key) end

---The application view of name (also for names that are method names).
---@param name string application name
---@return inilua.Application
function File:app(name) end

---The application names, in file order.
---@return string[]
function File:apps() end

---The key names of app, in file order (empty when missing).
---@param app string application name
---@return string[]
function File:keys(app) end

---The changes recorded on this file, in order.
---@return inilua.Change[]
function File:changes() end

---Moves every key of old to new (written first, then old deleted).
---@param old string application name
---@param new string application name
---@return integer moved number of keys moved (0 when old is missing)
function File:rename_app(old, new) end

---Renames a key (writes new, then deletes old).
---@param app string application name
---@param old string key name
---@param new string key name
---@return boolean renamed false when old is missing
function File:rename_key(app, old, new) end

---Writes a local file atomically (a remote file is written already; in check mode nothing is written).
---@param target? string|inilua.SaveOptions a path, or options
function File:save(target) end

---The file as TNI text.
---@param fmt? string the text of a FMT format file
---@return string
function File:tni(fmt) end

---The file as binary INI bytes.
---@return string
function File:binary() end

---The path or remote name; nil for ini.new, ini.parse and s:fetch files.
---@return string?
function File:name() end

---The session's host; nil for local files.
---@return string?
function File:host() end

---The file's format.
---@return "ini"|"tni"
function File:format() end

---An application of a file: `a[key]` is the value (a string of raw bytes) or
---nil; `a[key] = v` writes, `a[key] = nil` deletes.
---@class inilua.Application
---@field [string] string?
local Application = {}

---The key names, in file order.
---@return string[]
function Application:keys() end

---A session to an INIServe host (iniserve.connect, iniserve.serve, or the
---first value of "..." in a batch script).
---@class inilua.Session
local Session = {}

---Changes the current directory (OS/2 path, `/` or `\`, drive letters).
---@param path string
function Session:cd(path) end

---Names in a directory or matching a mask; directories end in `/`.
---@param path? string directory or mask
---@return string[]
function Session:ls(path) end

---Creates a directory (raises when it exists).
---@param path string
function Session:mkdir(path) end

---Moves or renames src to dst (raises when src is missing or dst exists).
---@param src string
---@param dst string
function Session:move(src, dst) end

---Removes a file or an empty directory.
---@param path string
---@return boolean removed false when it did not exist
function Session:remove(path) end

---Posts an event semaphore at once.
---@param semaphore string e.g. "\\SEM32\\WEASEL\\UPDATED"
function Session:post(semaphore) end

---Posts semaphore once after the script, only if something on this host changed.
---@param semaphore string
function Session:notify(semaphore) end

---Asks the host to reload its configuration; the session is closed afterwards.
function Session:restart() end

---Closes the session (posting pending notifications first); closing twice is fine.
function Session:close() end

---Opens a remote file (a missing file reads as empty and is created by the first write).
---@param name string
---@return inilua.File
function Session:open(name) end

---Downloads a file into a local file without a path.
---@param name string
---@return inilua.File
function Session:fetch(name) end

---Makes the remote file hold every key of f, writing only what differs.
---@param name string remote file name
---@param f inilua.File local or remote file
---@param opts? {delete?: boolean} delete = true also deletes what f lacks
---@return integer changes
function Session:push(name, f, opts) end

---GenINI's choice between base.INI and base.TNI on the host.
---@param base string
---@return string name
function Session:choose(base) end

---The host (host:port).
---@return string
function Session:host() end

---Options of ini.open.
---@class inilua.OpenOptions
---@field create? boolean a missing file gives an empty file

---The ini module: local INI and TNI files and value encoders.
---@class inilua.ini
ini = {}

---The names of the value types.
---@type inilua.ValueType[]
ini.types = {}

---Opens a local INI or TNI file (format by content, else by name).
---@param path string
---@param opts? inilua.OpenOptions
---@return inilua.File
function ini.open(path, opts) end

---An empty local file with no path.
---@return inilua.File
function ini.new() end

---Parses binary INI bytes or TNI text into a local file with no path.
---@param bytes string
---@param name? string used in error messages
---@return inilua.File
function ini.parse(bytes, name) end

---GenINI's choice between base.INI and base.TNI on the local disk.
---@param base string
---@return string path
function ini.choose(base) end

---1 byte, unsigned.
---@param n integer 0..255
---@return string
function ini.u8(n) end

---2 bytes, unsigned little-endian.
---@param n integer 0..65535
---@return string
function ini.u16(n) end

---4 bytes, unsigned little-endian.
---@param n integer 0..4294967295
---@return string
function ini.u32(n) end

---4 bytes, two's complement little-endian.
---@param n integer -2147483648..2147483647
---@return string
function ini.i32(n) end

---s followed by one NUL.
---@param s string
---@return string
function ini.strz(s) end

---s1 NUL s2 NUL ... NUL (an empty list gives one NUL).
---@param list string[]
---@return string
function ini.strings(list) end

---Two upper-case hex digits per byte.
---@param bytes string
---@return string
function ini.hex(bytes) end

---The bytes of hex text (either case).
---@param text string
---@return string
function ini.unhex(text) end

---The value of bytes read as type.
---@param bytes string
---@param type inilua.ValueType
---@return any
function ini.decode(bytes, type) end

---Options of iniserve.connect.
---@class inilua.ConnectOptions
---@field password? string
---@field password_env? string name of an environment variable holding the password
---@field timeout? number|string seconds, or a Go duration ("30s")
---@field tls? true|{server_name?: string, insecure?: boolean}

---Options of iniserve.serve.
---@class inilua.ServeOptions
---@field password? string default empty
---@field read_only? boolean
---@field events? string[] event semaphores E accepts

---The iniserve module: sessions to INIServe hosts.
---@class inilua.iniserve
iniserve = {}

---The default port, 3560.
---@type integer
iniserve.port = 3560

---Connects to an INIServe host and logs in.
---@param addr string host or host:port
---@param opts? inilua.ConnectOptions
---@return inilua.Session
function iniserve.connect(addr, opts) end

---Starts a server over the local directory dir (volume C:) on 127.0.0.1 and connects to it.
---@param dir string
---@param opts? inilua.ServeOptions
---@return inilua.Session
function iniserve.serve(dir, opts) end

---The value JSON null decodes to, and that json.encode writes as null.
---@class inilua.JSONNull

---The json module: JSON text (docs/lua-api.md, "The json module").
---@class inilua.json
json = {}

---JSON null (a value distinct from nil, so arrays keep their holes).
---@type inilua.JSONNull
json.null = nil

---The JSON text of value (strings must be UTF-8; keys sorted).
---@param value any
---@param opts? {indent?: string}
---@return string
function json.encode(value, opts) end

---The value of JSON text; raises with the line and column of an error.
---@param text string
---@return any
function json.decode(text) end

---true in a dry run (inilua --check, inilua batch --check): nothing is written.
---@type boolean
CHECK = false

---The host a batch script runs on (inilua batch only; nil otherwise). Each
---inventory variable is also a field.
---@class inilua.Host
---@field name string the inventory name
---@field address string host:port
---@field groups string[] the inventory groups of the host
---@field vars table<string, string> the inventory variables
---@field [string] string an inventory variable

---The host of a batch run (inilua batch only; nil otherwise).
---@type inilua.Host?
HOST = nil

---The name=value arguments of a batch run, as strings (inilua batch only).
---@type table<string, string>?
ARGS = nil
