-- post.lua — scenario (c): the smallest create of docs/api.md, durable (201 only after the
-- commit is on disk), each with its audit row and its "create" timeline row. Phones are
-- those of the demo customers (1380000xxxx), so the orders go to existing customers.
package.path = package.path .. ";" .. (os.getenv("FUWU_BENCH_DIR") or "bench") .. "/?.lua"
local c = require("common")

setup = c.setup
done = c.done
function init(args) c.seed() end

local headers = {}
for k, v in pairs(c.headers) do headers[k] = v end
headers["Content-Type"] = "application/json"

local faults = {"空调不制冷", "冰箱异响", "洗衣机漏水", "热水器不加热", "发动机故障灯亮"}
function request()
	local body = string.format(
		'{"type":"repair","priority":"P2","channel":"phone","customer":{"name":"张伟","phone":"1380000%04d"},' ..
		'"address":"广东省广州市天河区天河路385号","fault_description":"%s"}',
		math.random(1, 200), faults[math.random(1, #faults)])
	return wrk.format("POST", "/api/v1/work-orders", headers, body)
end
