-- wrk: POST /api/v1/api-keys/verify once for every key of the keys file, then exit (warms the key cache).
--   wrk -t1 -c64 -d3600s -s bench/each-key.lua URL -- KEYS_FILE GATEWAY_KEY
-- One thread only: wrk runs for its whole -d even when its threads stop, so the script ends the process itself
-- once every key was answered (a request that timed out is made again with the first key: counted, cached).
function init(args)
  keys = {}
  for line in io.lines(args[1]) do keys[#keys + 1] = line end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  nextIndex = 1
  answered = 0
end
function request()
  local key = keys[nextIndex] or keys[1]
  nextIndex = nextIndex + 1
  return wrk.format(nil, nil, nil, '{"key":"' .. key .. '"}')
end
function response(status, headers, body)
  answered = answered + 1
  if answered >= #keys then os.exit(0) end
end
