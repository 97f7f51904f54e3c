-- export-tni.lua: export every binary INI file of a host to TNI text.
--
-- TNI is GenINI's text form of an INI file: readable, diffable, editable
-- with any editor and loadable back with LoadINI. This script walks a
-- directory tree of the host and, for every binary INI file, writes the
-- TNI text of the same content either
--   * beside it on the host (NAME.INI -> NAME.TNI, what DumpINI does on
--     OS/2), the default; or
--   * into a local directory (out=DIR), one file per INI file, named
--     HOST_C_PATH_NAME.TNI, for keeping every host's settings in version
--     control. DIR must exist; nothing is written on the host.
--
--   inilua batch --inventory hosts.txt scripts/export-tni.lua 'dir=C:\MAILSRV'
--   inilua batch --inventory hosts.txt scripts/export-tni.lua 'dir=C:\' out=exported
--
-- Arguments:
--   dir      where to start (default C:\); subdirectories are included
--   out      a local directory to export into instead of the host
--   depth    how many directory levels to descend (default 8)
--
-- On the host, an existing NAME.TNI is made identical to NAME.INI (keys it
-- has that the INI file lacks are deleted): if a program reads its
-- settings from NAME.TNI (GenINI lets programs use either), export with
-- out= instead, or run with --backup-dir so inilua restore can undo it.
-- Rerunning rewrites only what changed since. Try it first with --check:
-- nothing is written, on the host or locally.
--
-- A file that cannot be exported (one INIServe cannot send whole, such as
-- an empty application name; a name TNI cannot carry; on the host also a
-- name holding CR or LF) is skipped with a message naming it and the
-- reason.

local s = ...
assert(s, "run me with: inilua batch ... export-tni.lua dir=...")

local root = (ARGS.dir or "C:\\"):gsub("[\\/]+$", "")
local out = ARGS.out
local maxDepth = tonumber(ARGS.depth or "8") or error("export-tni.lua: depth=" .. ARGS.depth .. " is not a number", 0)
local exported, skipped = 0, 0

-- out= must be a writable local directory: say so once, before any host
-- work, instead of failing on every file (--check writes nothing locally,
-- so it does not probe)
if out and not CHECK then
  local probe = out .. "/.export-tni-probe"
  local f = io.open(probe, "w")
  if not f then
    error(("export-tni.lua: out=%s is not a writable directory (create it first)"):format(out), 0)
  end
  f:close()
  os.remove(probe)
end

-- badName returns why a name cannot be exported, or nil. The protocol
-- sends names on one line, so a name holding a line break cannot be
-- written through INIServe; an empty name cannot be stored at all.
local function badName(name)
  if name == "" then return "an empty name" end
  if name:find("[%z\r\n]") then return ("the name %q holds NUL, CR or LF"):format(name) end
end

local function exportFile(path)
  -- a local copy of the whole file; a file the protocol cannot carry (an
  -- empty application name, for one) is skipped, not fatal
  local ok, snap = pcall(s.fetch, s, path)
  if not ok then
    skipped = skipped + 1
    print(("skipped %s: %s"):format(path, tostring(snap)))
    return
  end
  local err
  ok, err = pcall(snap.tni, snap) -- can TNI carry every name?
  if ok and not out then
    for _, app in ipairs(snap:apps()) do
      err = badName(app)
      for _, key in ipairs(snap:keys(app)) do err = err or badName(key) end
      if err then ok = false break end
    end
  end
  if not ok then
    skipped = skipped + 1
    print(("skipped %s: %s"):format(path, tostring(err)))
    return
  end
  if out then
    local flat = (HOST.name .. "_" .. path):gsub("[:\\/]+", "_"):gsub("%.[Ii][Nn][Ii]$", "")
    snap:save(out .. "/" .. flat .. ".TNI")
  else
    local tni = path:gsub("%.[^.\\]*$", "") .. ".TNI"
    s:push(tni, snap, { delete = true })
  end
  exported = exported + 1
  print(("%s %s"):format(CHECK and "would export" or "exported", path))
end

local function walk(dir, depth)
  for _, name in ipairs(s:ls(dir .. "\\")) do
    if name:sub(-1) == "/" then
      if depth < maxDepth then walk(dir .. "\\" .. name:sub(1, -2), depth + 1) end
    elseif name:upper():match("%.INI$") then
      exportFile(dir .. "\\" .. name)
    end
  end
end

walk(root, 0)
print(("%d file(s) %s, %d skipped on %s"):format(exported, CHECK and "would be exported" or "exported", skipped, HOST.name))
