-- wrk: POST /api/v1/api-keys/verify for every key of the keys file in turn, each connection pausing DELAY_MS
-- between requests (a steady background stream that leaves the cores to something else).
--   wrk -t1 -c4 -d600s -s bench/paced.lua URL -- KEYS_FILE GATEWAY_KEY DELAY_MS
function init(args)
  keys = {}
  for line in io.lines(args[1]) do keys[#keys + 1] = line end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  pause = tonumber(args[3])
  i = 0
end
function delay() return pause end
function request()
  i = i % #keys + 1
  return wrk.format(nil, nil, nil, '{"key":"' .. keys[i] .. '"}')
end
