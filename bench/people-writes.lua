-- wrk script: POST /api/v1/people with the headers in the environment.
--   AUTH (full Authorization value) or COOKIE + CSRF (a session); IDEM=fixed: one Idempotency-Key for every request
--   (a replay after the first), IDEM=unique: a fresh key per request (each does the work and keeps its answer).
local auth, cookie, csrf, idem = os.getenv("AUTH"), os.getenv("COOKIE"), os.getenv("CSRF"), os.getenv("IDEM")
local body = '{"firstName":"Bench","lastName":"Writer","jobTitle":"Load"}'
local threads, n = 0, 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function request()
  n = n + 1
  local h = { ["Content-Type"] = "application/json" }
  if auth then h["Authorization"] = auth end
  if cookie then h["Cookie"] = "ks_session=" .. cookie; h["X-CSRF-Token"] = csrf end
  if idem == "fixed" then h["Idempotency-Key"] = "bench-replay" end
  if idem == "unique" then h["Idempotency-Key"] = "bench-" .. tid .. "-" .. n .. "-" .. os.time() end
  return wrk.format("POST", "/api/v1/people", h, body)
end
