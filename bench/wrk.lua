-- wrk script: requests the paths given after "--" in turn, or by default a browsing
-- mix (leaderboard, sorted, filtered, detail pages, exports). Prints one RESULT line.
local paths = {
  "/",
  "/?sort=-benchmark-ai-index",
  "/?sort=benchmark-pinchbench",
  "/?sort=-total_parameters",
  "/?q=nemotron&open_weights=on",
  "/?organization=nvidia&has_results=ai-index",
  "/benchmarks/",
  "/benchmarks/ai-index/",
  "/models/nemotron-3-super/",
  "/models/gpt-oss-largest/",
  "/organizations/nvidia/",
  "/sources/gate-nvidia-enters-the-ai-large-model-race/",
  "/?_export=csv",
  "/?_export=json",
}
local counter = 0

init = function(args)
  if #args > 0 then
    paths = args
  end
end

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
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
