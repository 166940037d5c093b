-- One benchmark scenario for wrk: wrk -s bench/wrk/scenario.lua <url> -- <paths file> [method] [body file] [key]
-- Each request takes a random path from the file (one per line). A body's "{n}" becomes a number
-- unique to the request, so writes do not collide on slugs. `done` prints one JSON line.
local paths = {}
local method = "GET"
local template = nil
local key = nil
local counter = 0
local threads = 0
id = 0

-- Runs in the main state, once per thread: numbers each thread so bodies stay unique across them.
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  math.randomseed(os.time() + id)
  for line in io.lines(args[1]) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  method = args[2] or "GET"
  if args[3] and args[3] ~= "" then
    local file = io.open(args[3], "r")
    template = file:read("*a")
    file:close()
  end
  if args[4] and args[4] ~= "" then key = args[4] end
end

function request()
  counter = counter + 1
  local path = paths[math.random(#paths)]
  local headers = {}
  if key then headers["Authorization"] = "Bearer " .. key end
  if template then
    headers["Content-Type"] = "application/json"
    local body = template:gsub("{n}", id .. "-" .. counter .. "-" .. math.random(1000000000))
    return wrk.format(method, path, headers, body)
  end
  return wrk.format(method, path, headers)
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d,"non2xx":%d,"socketErrors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
