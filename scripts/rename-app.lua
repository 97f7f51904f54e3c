-- rename-app.lua: rename an application in the INI files of a program.
--
-- Used when a program renames its settings section between releases (here
-- the mail server's "MailServer" becomes "MailService"): every key of the
-- old application is copied into the new one, then the old application is
-- deleted. The new keys are written before the old ones are deleted, so an
-- interrupted run loses nothing and a rerun finishes the job.
--
--   inilua batch --inventory hosts.txt --diff --backup-dir bak \
--     scripts/rename-app.lua 'dir=C:\MAILSRV' mask=MAILSRV.INI \
--     from=MailServer to=MailService
--
-- Arguments:
--   dir     the program's directory (required)
--   mask    which files, OS/2 wildcards (default *.INI)
--   from    the application's current name (required)
--   to      its new name (required)
--   force   "yes": merge into an application named `to` that already
--           exists (its keys of the same name are overwritten); by default
--           such a file is an error, so nothing is merged by accident
--
-- Files without the application are left alone; a file where only `to`
-- exists has been migrated already and is left alone too. A file where
-- both exist and one holds a part of the other (same keys, same values)
-- is what an interrupted run leaves: a rerun finishes it without force.
-- Try it first with --check --diff: nothing is written.

local s = ...
assert(s, "run me with: inilua batch ... rename-app.lua dir=... from=... to=...")

local function need(name)
  local v = ARGS[name]
  if v == nil or v == "" then
    error("rename-app.lua: argument " .. name .. "= is required", 0)
  end
  return v
end

local dir = need("dir"):gsub("[\\/]+$", "")
local mask = ARGS.mask or "*.INI"
local from, to = need("from"), need("to")
if from == to then error("rename-app.lua: from= and to= are the same", 0) end

-- within returns true when every key of application a of f is also in
-- application b, with the same value.
local function within(f, a, b)
  for _, key in ipairs(f:keys(a)) do
    if f:get(a, key) ~= f:get(b, key) then return false end
  end
  return true
end

-- interrupted returns true when both applications are there as a rename
-- interrupted halfway leaves them: the new one a copy of part of the old
-- one (while copying), or the old one what is left of the new one (while
-- deleting).
local function interrupted(f, old, new)
  return within(f, new, old) or within(f, old, new)
end

local renamed = 0
for _, name in ipairs(s:ls(dir .. "\\" .. mask)) do
  if name:sub(-1) ~= "/" then
    local path = dir .. "\\" .. name
    local f = s:open(path)
    if #f:app(from) > 0 then -- f:app(name) works for any name, even "keys"
      if #f:app(to) > 0 and ARGS.force ~= "yes" and not interrupted(f, from, to) then
        error(("rename-app.lua: %s has both [%s] and [%s]; rerun with force=yes to merge"):format(path, from, to), 0)
      end
      local n = f:rename_app(from, to)
      renamed = renamed + 1
      print(("%s: %s[%s] -> [%s] (%d keys)"):format(path, CHECK and "would rename " or "", from, to, n))
    end
  end
end
print(("%d file(s) %s on %s"):format(renamed, CHECK and "would change" or "changed", HOST.name))
