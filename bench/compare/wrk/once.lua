-- GET of each key in the file KEYS_FILE once, threads taking interleaved slices (no key is asked twice while keys
-- last); PREFIX as in get.lua.
local prefix = os.getenv("PREFIX")
local threads = {}
local counter = 1

setup = function(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

init = function(args)
  keys = {}
  for line in io.lines(os.getenv("KEYS_FILE")) do keys[#keys + 1] = line end
  step = tonumber(os.getenv("THREADS") or "2")
  i = id
end

request = function()
  local key = keys[((i - 1) % #keys) + 1]
  i = i + step
  return wrk.format("GET", prefix .. key)
end
