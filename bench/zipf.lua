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
  sequential = args[3] == "seq"
  math.randomseed(os.time())
end
local next_index = 0
function setup(thread)
  thread:set("offset", next_index)
  next_index = next_index + 1
end
local function pick()
  local r, lo, hi = math.random(), 1, #cumulative
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cumulative[mid] < r then lo = mid + 1 else hi = mid end
  end
  return keys[lo]
end
local counter = 0
function request()
  local key
  if sequential then
    -- warm-up: every key once (two threads interleave odd and even ranks)
    counter = counter + 1
    key = keys[((counter * 2 + (offset or 0)) % #keys) + 1]
  else
    key = pick()
  end
  return wrk.format(nil, nil, nil, '{"key":"' .. key .. '"}')
end
