-- common.lua — shared by the wrk scenarios of bench/run.sh: the bearer token from the
-- environment (FUWU_BENCH_TOKEN), one random stream per wrk thread, and a done() that
-- prints the figures run.sh reads (one "BENCH key value" line each, latency in ms).
local M = {}

M.token = os.getenv("FUWU_BENCH_TOKEN") or ""
M.headers = {["Authorization"] = "Bearer " .. M.token, ["Accept"] = "application/json"}

local threads = 0
function M.setup(thread)
	threads = threads + 1
	thread:set("thread_no", threads)
end

-- In a wrk thread's own Lua state: thread_no is the global setup() gave it.
function M.seed()
	math.randomseed(os.time() * 1000 + (_G.thread_no or 0) * 7919)
end

function M.done(summary, latency, requests)
	local s = summary.duration / 1e6
	local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
		summary.errors.timeout + summary.errors.status
	io.write(string.format("BENCH requests %d\n", summary.requests))
	io.write(string.format("BENCH seconds %.3f\n", s))
	io.write(string.format("BENCH rps %.1f\n", summary.requests / s))
	io.write(string.format("BENCH p50_ms %.3f\n", latency:percentile(50) / 1000))
	io.write(string.format("BENCH p90_ms %.3f\n", latency:percentile(90) / 1000))
	io.write(string.format("BENCH p99_ms %.3f\n", latency:percentile(99) / 1000))
	io.write(string.format("BENCH max_ms %.3f\n", latency.max / 1000))
	io.write(string.format("BENCH errors %d\n", errors))
	io.write(string.format("BENCH non2xx %d\n", summary.errors.status))
end

return M
