-- set-setting.lua: change one setting in every INI file of a program.
--
-- A program often keeps its settings in several INI files (one per domain,
-- per user, per printer...). When a new release or a new policy needs the
-- same value everywhere, this script sets it in every matching file of the
-- program's directory, on every host of the batch:
--
--   inilua batch --inventory hosts.txt --diff --backup-dir bak \
--     scripts/set-setting.lua 'dir=C:\MAILSRV' 'app=$SYS' key=TimeOut \
--     type=u32 value=300 'notify=\SEM32\MAILSRV\RELOAD'
--
-- Arguments (name=value after the script name; they arrive in ARGS):
--   dir     the program's directory, e.g. C:\MAILSRV (required)
--   mask    which files, OS/2 wildcards (default *.INI; TNI files work too)
--   app     application name (required)
--   key     key name (required)
--   value   the new value, written in the notation of type (required)
--   type    how to encode value (default string0):
--             string0  text plus the terminating NUL most OS/2 programs use
--             string   text as is;  hex  bytes as hex digits (0A1B...)
--             u8, u16, u32  unsigned little-endian integers of 1, 2, 4 bytes
--             i8, i16, i32  signed ones
--   create  "yes": also add the key to files that lack the application;
--           by default only files that already have the application are
--           touched, so unrelated files in the directory are left alone
--   notify  an event semaphore to post once, after the script, if any file
--           on the host changed (the program then rereads its INI files)
--
-- A file that already holds the value is not written (and not counted as a
-- change), so running the script twice changes nothing the second time.
-- Try it first with --check --diff: nothing is written, and the messages
-- say "would be set".

local s = ...
assert(s, "run me with: inilua batch ... set-setting.lua dir=... app=... key=... value=...")

local function need(name)
  local v = ARGS[name]
  if v == nil or v == "" then
    error("set-setting.lua: argument " .. name .. "= is required", 0)
  end
  return v
end

local dir = need("dir"):gsub("[\\/]+$", "")
local mask = ARGS.mask or "*.INI"
local app, key = need("app"), need("key")
local vtype = ARGS.type or "string0"
local value = need("value")
local create = ARGS.create == "yes"

-- Integer types take a Lua number; the others take the text.
if vtype:match("^[ui]%d+$") then -- u8 u16 u32 i8 i16 i32
  value = tonumber(value) or error("set-setting.lua: value=" .. ARGS.value .. " is not a number", 0)
end

local changed = 0
for _, name in ipairs(s:ls(dir .. "\\" .. mask)) do
  if name:sub(-1) ~= "/" then -- directories end in "/"
    local path = dir .. "\\" .. name
    local f = s:open(path)
    if create or #f:app(app) > 0 then -- f:app(name), not f[name]: safe for any name
      local before = #f:changes()
      f:set(app, key, value, vtype)
      if #f:changes() > before then
        changed = changed + 1
        print(("%s: [%s] %s %s"):format(path, app, key, CHECK and "would be set" or "set"))
      end
    end
  end
end

if changed > 0 and ARGS.notify and ARGS.notify ~= "" then
  s:notify(ARGS.notify) -- posted once, after the script, only if something changed
end
print(("%d file(s) %s on %s"):format(changed, CHECK and "would change" or "changed", HOST.name))
