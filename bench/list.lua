-- list.lua — scenario (b): the work-order list with a filter, as a dispatcher's screen asks
-- for it: the newest 20 in service, and the newest 20 urgent new ones (status + priority).
package.path = package.path .. ";" .. (os.getenv("FUWU_BENCH_DIR") or "bench") .. "/?.lua"
local c = require("common")

setup = c.setup
done = c.done
function init(args) c.seed() end

local paths = {
	"/api/v1/work-orders?status=in_service&limit=20",
	"/api/v1/work-orders?status=new&priority=P1&limit=20",
}
local n = 0
function request()
	n = n + 1
	return wrk.format("GET", paths[(n % #paths) + 1], c.headers)
end
