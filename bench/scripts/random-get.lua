-- wrk script: GET a random one of the KEYS warmed keys per request.
local keys = tonumber(os.getenv("KEYS") or "10000")
local group = os.getenv("GROUP") or "scores"

request = function()
  return wrk.format("GET", "/v1/groups/" .. group .. "/keys/key-" .. math.random(0, keys - 1))
end
