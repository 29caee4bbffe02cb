-- archive.lua — the lookups of bench/archive.sh (issue 3 speed): FUWU_BENCH_KIND is
--   phone4  GET /api/v1/customers?phone=NNNN        the last four digits of a phone (50 rows)
--   phone4l the same with limit=10 (the first screen of a lookup)
--   phone   GET /api/v1/customers?phone=130…        a full phone of a loaded customer
--   plate   GET /api/v1/customers?plate=粤A…         a plate from the loader's sample
--   due     GET /api/v1/maintenance/due?org_id=…    the due-this-month list of one outlet
package.path = package.path .. ";" .. (os.getenv("FUWU_BENCH_DIR") or "bench") .. "/?.lua"
local c = require("common")
local kind = os.getenv("FUWU_BENCH_KIND") or "phone4"
local ncust = tonumber(os.getenv("FUWU_BENCH_CUSTOMERS") or "1000")
local outlets = {}
for id in string.gmatch(os.getenv("FUWU_BENCH_OUTLETS") or "5", "%d+") do outlets[#outlets + 1] = id end
local plates = {}

setup = c.setup
done = c.done
function init(args)
	c.seed()
	local f = io.open(os.getenv("FUWU_BENCH_PLATES") or "", "r")
	if f then
		for line in f:lines() do plates[#plates + 1] = line end
		f:close()
	end
end

function request()
	local path
	if kind == "phone4" then
		path = string.format("/api/v1/customers?phone=%04d", math.random(0, 9999))
	elseif kind == "phone4l" then
		path = string.format("/api/v1/customers?phone=%04d&limit=10", math.random(0, 9999))
	elseif kind == "phone" then
		-- the loader's phones: 130 + (i * 387420489 + 12345) mod 10^9, i < customers
		local i = math.random(0, ncust - 1)
		path = string.format("/api/v1/customers?phone=130%09d", (i * 387420489 + 12345) % 1000000000)
	elseif kind == "plate" then
		path = "/api/v1/customers?plate=" .. plates[math.random(1, #plates)]
	else
		path = "/api/v1/maintenance/due?org_id=" .. outlets[math.random(1, #outlets)]
	end
	return wrk.format("GET", path, c.headers)
end
