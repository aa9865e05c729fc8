-- wrk: GET /api/v1/forward-auth with a new well-formed forged key on every request (random body, valid CRC32
-- checksum, see backend KeyFormat) from a new partner address (X-Real-IP, random in 10.0.0.0/8).
--   wrk -t1 -c32 -d3600s -s bench/forge.lua URL -- GATEWAY_KEY COUNT STATUS_FILE
-- One thread only: the answers by status go to STATUS_FILE ("forged <status> <n>" lines, every 1,000 answers); once
-- COUNT answers arrived it ends the process (wrk would otherwise run for its whole -d).
local bit = require("bit")
local ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
local chars = {}
for i = 1, 62 do chars[i] = ALPHABET:sub(i, i) end
local crcTable = {}
for i = 0, 255 do
  local c = i
  for _ = 1, 8 do
    if bit.band(c, 1) == 1 then c = bit.bxor(bit.rshift(c, 1), 0xEDB88320) else c = bit.rshift(c, 1) end
  end
  crcTable[i] = c
end
local function crc32(s)
  local c = 0xFFFFFFFF
  for i = 1, #s do
    c = bit.bxor(crcTable[bit.band(bit.bxor(c, s:byte(i)), 0xFF)], bit.rshift(c, 8))
  end
  c = bit.bxor(c, 0xFFFFFFFF)
  if c < 0 then c = c + 4294967296 end
  return c
end
local function forged()
  local body = { "ksk_" }
  for i = 2, 33 do body[i] = chars[math.random(1, 62)] end
  local s = table.concat(body)
  local v, out = crc32(s), {}
  for i = 6, 1, -1 do out[i] = chars[(v % 62) + 1]; v = math.floor(v / 62) end
  return s .. table.concat(out)
end

function init(args)
  gateway = args[1]
  quota = tonumber(args[2])
  statusFile = args[3]
  answered = 0
  statuses = {}
  math.randomseed(os.time())
end
function request()
  local ip = "10." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
  return wrk.format("GET", nil, {
    ["X-Keysmith-Gateway-Key"] = gateway,
    ["Authorization"] = "Bearer " .. forged(),
    ["X-Forwarded-Method"] = "GET",
    ["X-Forwarded-Uri"] = "/api/v1/people",
    ["X-Real-IP"] = ip,
  })
end
function response(status, headers, body)
  answered = answered + 1
  statuses[status] = (statuses[status] or 0) + 1
  -- written every 1,000 answers too, so a flood stopped early still says what it did
  if answered % 1000 == 0 or answered >= quota then
    local f = io.open(statusFile .. ".tmp", "w")
    for k, v in pairs(statuses) do f:write("forged " .. k .. " " .. v .. "\n") end
    f:close()
    os.rename(statusFile .. ".tmp", statusFile)
  end
  if answered >= quota then os.exit(0) end
end
