-- wrk script: requests the paths given after "--" in turn, or by default the browsing
-- mix in bench/paths.txt (leaderboard, sorted, filtered, detail pages, exports).
-- A "{n}" in a path becomes a number no other request in the run uses, so that no
-- cache keyed on the URL can answer (as for a filter combination never seen before).
-- Prints one machine-readable RESULT line (bench/pyload.py prints the same).
local paths = {}
local counter = 0
local thread_id = 0
local threads = 0

setup = function(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

init = function(args)
  if #args > 0 then
    paths = args
  else
    local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
    for line in io.lines(here .. "paths.txt") do
      if line ~= "" then paths[#paths + 1] = line end
    end
  end
end

request = function()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]:gsub("{n}", thread_id .. "-" .. counter)
  return wrk.format("GET", path)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f " ..
    "connect_errors=%d read_errors=%d write_errors=%d timeouts=%d non_2xx_3xx=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000,
    e.connect, e.read, e.write, e.timeout, e.status))
end
