-- wrk: POST /api/v1/api-keys/verify for keys drawn from a Zipf-like (s = 1) distribution over the keys file.
local keys, cumulative = {}, {}
function init(args)
  for line in io.lines(args[1]) do keys[#keys + 1] = line end
  local total = 0
  for i = 1, #keys do total = total + 1 / i; cumulative[i] = total end
  for i = 1, #keys do cumulative[i] = cumulative[i] / total end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  math.randomseed(os.time() + (args[3] or 0))
end
local function pick()
  local r, lo, hi = math.random(), 1, #cumulative
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cumulative[mid] < r then lo = mid + 1 else hi = mid end
  end
  return keys[lo]
end
function request()
  return wrk.format(nil, nil, nil, '{"key":"' .. pick() .. '"}')
end
