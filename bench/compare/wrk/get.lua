-- GET of a random one of KEYS warmed keys per request; PREFIX is the path before the key
-- ("/v1/groups/bench/keys/" for K8sCache, "/get?key=" for groupcache's front). Keys are key-NNNNNNNNNNNN.
local keys = tonumber(os.getenv("KEYS") or "10000")
local prefix = os.getenv("PREFIX")

request = function()
  return wrk.format("GET", prefix .. string.format("key-%012d", math.random(0, keys - 1)))
end
