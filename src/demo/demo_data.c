/*
 * demo_data.c — the tables the demo data set is drawn from: three cities of the Pearl River
 * Delta with their districts, roads and positions, two fictitious manufacturers (美森电器,
 * an appliance maker; 华驰汽车, a car maker) and their product models, Chinese names, and
 * the fault descriptions people actually phone in. Brand names are made up on purpose.
 * Positions are close to the real districts, so maps and "nearest" dispatch look right.
 */
#include "demo/demo_int.h"

#include <stdio.h>

int demo_rng_weighted(rng *r, const int *weights, int n)
{
	int total = 0;
	for (int i = 0; i < n; i++)
		total += weights[i];
	int x = (int)rng_below(r, (uint32_t)total);
	for (int i = 0; i < n; i++) {
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	return n - 1;
}

const struct demo_city demo_cities[DEMO_CITIES] = {
	{
		"广东省", "广州市", 45,
		{"广州服务站", "DEMO-GZ", "天河区", "广东省广州市天河区体育西路111号建和中心9楼", 23.1375, 113.3240},
		{
			{"广州天河网点", "DEMO-GZ-1", "天河区", "广东省广州市天河区中山大道西238号", 23.1262, 113.3485},
			{"广州海珠网点", "DEMO-GZ-2", "海珠区", "广东省广州市海珠区新港中路397号", 23.1012, 113.3198},
		},
		{
			{"天河区", 23.1250, 113.3610, {"天河路", "体育东路", "黄埔大道西", "中山大道西", "天河北路"}},
			{"越秀区", 23.1290, 113.2670, {"东风中路", "北京路", "中山五路", "环市东路", "解放北路"}},
			{"海珠区", 23.0960, 113.3170, {"江南大道中", "新港中路", "工业大道中", "昌岗中路", "宝岗大道"}},
			{"白云区", 23.1620, 113.2730, {"白云大道北", "机场路", "广园中路", "同和路", "云城东路"}},
			{"番禺区", 22.9380, 113.3840, {"市桥大北路", "迎宾路", "番禺大道北", "兴业大道", "清河东路"}},
		},
	},
	{
		"广东省", "深圳市", 35,
		{"深圳服务站", "DEMO-SZ", "福田区", "广东省深圳市福田区深南大道6008号特区报业大厦21楼", 22.5405, 114.0560},
		{
			{"深圳南山网点", "DEMO-SZ-1", "南山区", "广东省深圳市南山区南海大道2163号", 22.5283, 113.9291},
			{"深圳龙岗网点", "DEMO-SZ-2", "龙岗区", "广东省深圳市龙岗区龙岗大道5008号", 22.7203, 114.2462},
		},
		{
			{"福田区", 22.5410, 114.0550, {"深南大道", "福华三路", "益田路", "彩田路", "红荔路"}},
			{"南山区", 22.5330, 113.9300, {"科技园南路", "南海大道", "后海大道", "学府路", "桃园路"}},
			{"罗湖区", 22.5480, 114.1310, {"人民南路", "东门中路", "宝安南路", "深南东路", "爱国路"}},
			{"宝安区", 22.5550, 113.8840, {"新安六路", "宝安大道", "创业一路", "建安一路", "前进一路"}},
			{"龙岗区", 22.7200, 114.2470, {"龙翔大道", "龙岗大道", "布吉路", "黄阁路", "吉华路"}},
		},
	},
	{
		"广东省", "佛山市", 20,
		{"佛山服务站", "DEMO-FS", "禅城区", "广东省佛山市禅城区季华五路18号", 23.0162, 113.1118},
		{
			{"佛山南海网点", "DEMO-FS-1", "南海区", "广东省佛山市南海区南海大道北68号", 23.0352, 113.1480},
			{"佛山顺德网点", "DEMO-FS-2", "顺德区", "广东省佛山市顺德区大良凤山中路12号", 22.8408, 113.2521},
		},
		{
			{"禅城区", 23.0090, 113.1220, {"季华五路", "祖庙路", "汾江中路", "人民路", "岭南大道北"}},
			{"南海区", 23.0290, 113.1430, {"南海大道北", "海八路", "灯湖东路", "桂澜北路", "南桂东路"}},
			{"顺德区", 22.8050, 113.2930, {"凤山中路", "容桂大道", "德胜东路", "德和路", "伦教大道"}},
			{"三水区", 23.1560, 112.8970, {"广海大道西", "西南大道", "健力宝南路", "三达路", "广海大道东"}},
			{"高明区", 22.9000, 112.8920, {"沧江路", "荷城大道", "中山路", "文华路", "富湾大道"}},
		},
	},
};

const struct demo_maker demo_makers[2] = {
	{{"美森电器", "DEMO-MS", "顺德区", "广东省佛山市顺德区北滘镇美森大道6号", 22.9263, 113.2057}, "广东省", "佛山市",
	 "美森", false},
	{{"华驰汽车", "DEMO-HC", "番禺区", "广东省广州市番禺区化龙镇华驰大道1号", 23.0410, 113.4590}, "广东省", "广州市",
	 "华驰", true},
};

const char *const demo_cat_names[CAT_COUNT] = {"空调", "冰箱", "洗衣机", "热水器", "汽车", "新能源汽车"};

const struct demo_model demo_models[] = {
	{0, CAT_AC, "KFR-35GW/MS1", "MSK35", 72, 1200},
	{0, CAT_AC, "KFR-72LW/MS3", "MSK72", 72, 1400},
	{0, CAT_FRIDGE, "BCD-516WKPZM", "MSB51", 36, 1100},
	{0, CAT_FRIDGE, "BCD-215TM", "MSB21", 36, 1000},
	{0, CAT_WASHER, "MG100V58WT", "MSG10", 36, 1150},
	{0, CAT_WASHER, "MB80ECO", "MSM80", 36, 1000},
	{0, CAT_HEATER, "F6030-V3S", "MSF60", 48, 900},
	{0, CAT_HEATER, "JSQ30-16HWA", "MSJ16", 36, 1300},
	{1, CAT_CAR, "HC-A5 1.5T", "LHCA5", 36, 1500},
	{1, CAT_CAR, "HC-X7 2.0T", "LHCX7", 36, 1600},
	{1, CAT_CAR, "HC-M8 2.0T", "LHCM8", 36, 1600},
	{1, CAT_EV, "HC-E6 EV", "LHCE6", 96, 1800},
};
const int demo_model_count = (int)(sizeof demo_models / sizeof demo_models[0]);

const char *const demo_type_names[T_COUNT] = {"repair", "install", "maintenance", "inspection", "return", "consultation"};

const char *const demo_status_names[DEMO_STATUSES] = {
	"new",       "accepted",         "dispatched", "taken",     "on_the_way", "in_service", "waiting_parts",
	"waiting_customer", "completed", "qc_passed", "settled", "closed",     "followed_up", "cancelled",
};

/* --- fault and request texts --------------------------------------------------------- */

static const char *const f_ac[T_COUNT][9] = {
	[T_REPAIR] = {"空调不制冷", "空调制热效果差", "空调外机噪音大", "室内机漏水", "遥控器失灵，空调无法开机",
		      "空调显示E1故障代码", "出风有异味", "开机几分钟后自动停机", NULL},
	[T_INSTALL] = {"新购空调上门安装（挂机，需打孔）", "柜机移机安装", "新购空调安装，需加长铜管", NULL},
	[T_MAINTENANCE] = {"空调清洗保养", "空调加氟", "换季前空调全面检查保养", NULL},
	[T_INSPECTION] = {"商用空调季度巡检", "中央空调年度巡检", NULL},
};
static const char *const f_fridge[T_COUNT][9] = {
	[T_REPAIR] = {"冰箱异响", "冷藏室不制冷", "冷冻室结霜严重", "门封条老化漏冷", "压缩机频繁启动",
		      "显示屏报F2故障", "冰箱内有异味", "制冰机不出冰", NULL},
	[T_INSTALL] = {"新购冰箱送装，需调平", "对开门冰箱安装及接水管", NULL},
	[T_MAINTENANCE] = {"冰箱除霜清洁保养", "冰箱全面检测", NULL},
	[T_INSPECTION] = {"商用冷柜月度巡检", NULL},
};
static const char *const f_washer[T_COUNT][9] = {
	[T_REPAIR] = {"洗衣机漏水", "脱水时震动剧烈", "洗衣机不排水", "滚筒不转", "门锁打不开", "进水慢",
		      "显示E21故障", "洗衣时有焦味", NULL},
	[T_INSTALL] = {"新购洗衣机安装及旧机拆除", "洗衣机安装，需改接排水管", NULL},
	[T_MAINTENANCE] = {"洗衣机滚筒清洗", "波轮洗衣机拆洗保养", NULL},
	[T_INSPECTION] = {"洗衣房设备季度巡检", NULL},
};
static const char *const f_heater[T_COUNT][9] = {
	[T_REPAIR] = {"热水器不加热", "出水忽冷忽热", "漏电保护跳闸", "燃气热水器点不着火", "热水器显示E4故障",
		      "热水器漏水", "水温达不到设定温度", NULL},
	[T_INSTALL] = {"电热水器上门安装", "燃气热水器安装（需接气）", "热水器移机安装", NULL},
	[T_MAINTENANCE] = {"热水器除垢保养", "更换镁棒", NULL},
	[T_INSPECTION] = {"燃气热水器安全检查", NULL},
};
static const char *const f_car[T_COUNT][10] = {
	[T_REPAIR] = {"发动机故障灯亮", "刹车异响", "车内空调不凉", "高速时方向盘抖动", "变速箱换挡顿挫",
		      "蓄电池亏电无法启动", "过减速带底盘异响", "胎压报警", "怠速不稳", NULL},
	[T_INSTALL] = {"加装行车记录仪", "加装倒车影像", NULL},
	[T_MAINTENANCE] = {"5000公里首保", "10000公里常规保养（机油、机滤、空滤）", "20000公里保养",
			   "40000公里大保养（变速箱油、刹车油、火花塞）", NULL},
	[T_INSPECTION] = {"年检前检测", "长途出行前安全检查", NULL},
};
static const char *const f_ev[T_COUNT][9] = {
	[T_REPAIR] = {"无法充电", "续航明显下降", "仪表提示动力电池故障", "车机黑屏", "充电口盖打不开",
		      "低速行驶有异响", NULL},
	[T_INSTALL] = {"家用充电桩安装", "充电桩移装", NULL},
	[T_MAINTENANCE] = {"常规保养（空调滤芯、制动液）", "动力电池健康检测", NULL},
	[T_INSPECTION] = {"高压系统安全检查", NULL},
};
static const char *const f_return[] = {"新机开箱有划痕，申请换货", "购买7天内出现故障，申请退货",
				       "安装后发现型号不符，申请换货", NULL};
static const char *const f_consult[] = {"咨询三包政策", "咨询保修期限", "咨询延保服务", "询问配件价格",
					"咨询以旧换新活动", NULL};

const char *const *demo_faults(int cat, int type)
{
	if (type == T_RETURN)
		return f_return;
	if (type == T_CONSULTATION)
		return f_consult;
	switch (cat) {
	case CAT_AC: return f_ac[type];
	case CAT_FRIDGE: return f_fridge[type];
	case CAT_WASHER: return f_washer[type];
	case CAT_HEATER: return f_heater[type];
	case CAT_CAR: return f_car[type];
	default: return f_ev[type];
	}
}

const char *const demo_fault_notes[] = {
	"，已持续两天", "，客户要求尽快上门", "，家中有老人小孩", "，希望周末上门", "，请提前电话联系",
	"，之前维修过一次", "，客户情绪较急", "，上午不方便", "，需带配件",
};
const int demo_fault_note_count = (int)(sizeof demo_fault_notes / sizeof demo_fault_notes[0]);

/* --- people ------------------------------------------------------------------------- */

/* The most common surnames first: they are drawn more often (see demo_person_name). */
const char *const demo_surnames[] = {
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
	"何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
	"萧", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
	"任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "廖", "欧阳", "司徒",
};
const int demo_surname_count = (int)(sizeof demo_surnames / sizeof demo_surnames[0]);

const char *const demo_given[] = {
	"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
	"涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "志强", "晓东", "海燕", "丽华",
	"俊杰", "子涵", "浩然", "欣怡", "梓萱", "宇轩", "嘉怡", "文博", "思远", "雨桐", "家豪",
	"晓明", "国强", "春梅", "玉兰", "建国", "立新", "志明", "淑贞", "锦华", "振华", "美玲",
	"少芬", "伟健", "嘉欣", "泽宇", "诗琪", "永康", "丽萍", "卫东", "红梅", "德明",
};
const int demo_given_count = (int)(sizeof demo_given / sizeof demo_given[0]);

const char *const demo_compounds[] = {
	"翠苑小区", "锦绣花园", "碧桂园", "金海湾花园", "阳光家园", "万科城", "保利花园", "丽江花园",
	"星河湾", "华润城", "富力城", "雅居乐花园", "海景湾", "东方新世界", "中海名都", "恒大御景",
	"幸福里", "汇景新城", "江南新苑", "天朗明居",
};
const int demo_compound_count = (int)(sizeof demo_compounds / sizeof demo_compounds[0]);

const char *const demo_company_words[] = {"恒发", "鑫达", "华信", "宏图", "嘉禾", "永盛", "天成", "瑞丰", "粤海", "百利"};
const int demo_company_word_count = (int)(sizeof demo_company_words / sizeof demo_company_words[0]);
const char *const demo_company_trades[] = {"餐饮管理", "物业管理", "酒店", "贸易", "科技", "物流", "教育咨询"};
const int demo_company_trade_count = (int)(sizeof demo_company_trades / sizeof demo_company_trades[0]);

/* One login per staff role (DOMAIN §1); all sit at the platform root so they see the
 * whole network. Technicians (tech01 … tech30) are generated at the outlets. */
const struct demo_staff demo_staff[] = {
	{"manager1", "周建华", "manager"},
	{"dispatcher1", "林晓东", "dispatcher"},
	{"agent1", "陈丽华", "agent"},
	{"advisor1", "黄志强", "advisor"},
	{"qc1", "吴海燕", "qc"},
	{"warranty1", "郑国强", "warranty_assessor"},
	{"warehouse1", "何春梅", "warehouse"},
	{"cashier1", "梁玉兰", "cashier"},
	{"followup1", "谢欣怡", "followup"},
};
const int demo_staff_count = (int)(sizeof demo_staff / sizeof demo_staff[0]);

void demo_person_name(rng *r, char *out, size_t len)
{
	/* Half the draws from the 16 commonest surnames, as in real life. */
	int s = rng_pct(r, 50) ? (int)rng_below(r, 16) : (int)rng_below(r, (uint32_t)demo_surname_count);
	snprintf(out, len, "%s%s", demo_surnames[s], demo_given[rng_below(r, (uint32_t)demo_given_count)]);
}
