-- get.lua — scenario (a): GET one work order, ids drawn at random over the whole table
-- (1 … FUWU_BENCH_MAX_ID), so the reads hit the 1,000,000 generated orders, not a hot few.
package.path = package.path .. ";" .. (os.getenv("FUWU_BENCH_DIR") or "bench") .. "/?.lua"
local c = require("common")
local max_id = tonumber(os.getenv("FUWU_BENCH_MAX_ID") or "1000")

setup = c.setup
done = c.done
function init(args) c.seed() end

function request()
	local id = math.random(1, max_id)
	return wrk.format("GET", "/api/v1/work-orders/" .. id, c.headers)
end
