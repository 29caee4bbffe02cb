/*
 * checklist.c — the checklist templates (see checklist.h). The wording follows what service
 * handbooks list for each kind of visit; a tenant's own templates may replace these later.
 */
#include "domain/checklist.h"

#include <string.h>

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const ck_item repair[] = {
	{"fault_confirmed", "与客户确认故障现象", "Fault confirmed with the customer"},
	{"cause_recorded", "诊断故障原因并记录", "Cause diagnosed and recorded"},
	{"parts_match", "更换配件与型号核对无误", "Replacement parts match the model"},
	{"repair_done", "维修作业完成", "Repair carried out"},
	{"function_test", "功能测试正常（通电试机/路试）", "Function test passed (power-on or road test)"},
	{"old_parts", "旧件按客户意愿处理（带走/留厂）", "Old parts handled as the customer wished (keep or leave)"},
	{"site_clean", "现场清理干净", "Work area cleaned"},
	{"explained", "向客户讲解维修内容及注意事项", "Work and care advice explained to the customer"},
};

static const ck_item install[] = {
	{"site_survey", "安装位置勘察（承重、间距、通风）", "Site checked (load bearing, clearance, ventilation)"},
	{"power_check", "电源电压、插座及线径符合要求", "Supply voltage, socket and cable size adequate"},
	{"unpacked", "开箱验货，附件齐全无损", "Unpacked; accessories complete and undamaged"},
	{"mounting", "固定牢靠，水平/垂直符合要求", "Mounted firmly, level and plumb"},
	{"piping_wiring", "管路、线路连接及密封良好", "Pipes and wiring connected and sealed"},
	{"grounding", "接地可靠", "Earthing connected"},
	{"trial_run", "试机运行正常", "Trial run normal"},
	{"usage_explained", "向客户讲解使用与保养", "Use and care explained to the customer"},
	{"warranty_card", "填写保修卡或完成电子注册", "Warranty card filled in or registered online"},
};

static const ck_item inspection[] = {
	{"appearance", "外观检查", "Exterior inspected"},
	{"running_state", "运行状态检查（噪音、振动、温度）", "Running state checked (noise, vibration, temperature)"},
	{"electrical", "电气连接与绝缘检查", "Electrical connections and insulation checked"},
	{"wear_parts", "易损件及耗材检查", "Wear parts and consumables checked"},
	{"cleaning", "清洁保养", "Cleaned"},
	{"hazards", "排查安全隐患并告知客户", "Hazards checked and reported to the customer"},
	{"record", "填写巡检记录", "Inspection record filled in"},
};

static const ck_item consultation[] = {
	{"question_recorded", "记录客户问题", "Customer's question recorded"},
	{"answer_given", "给出解答或处理方案", "Answer or solution given"},
	{"visit_decided", "确认是否需要上门或转维修", "Decided whether a visit or repair is needed"},
	{"customer_confirmed", "客户确认问题已解决", "Customer confirms it is resolved"},
};

static const ck_item return_[] = {
	{"proof_checked", "核对购买凭证及三包凭证", "Proof of purchase and warranty card checked"},
	{"fault_verified", "故障鉴定（是否性能故障）", "Fault verified (performance failure or not)"},
	{"appearance_checked", "外观及附件完整性检查", "Appearance and accessories checked for completeness"},
	{"decision_recorded", "退货/换货/维修决定已记录", "Refund, exchange or repair decision recorded"},
	{"unit_packed", "旧机包装回收", "Returned unit packed for collection"},
};

static const ck_item maint_vehicle[] = {
	{"engine_oil", "更换机油", "Engine oil replaced"},
	{"oil_filter", "更换机油滤清器", "Oil filter replaced"},
	{"air_filter", "检查空气滤清器", "Air filter checked"},
	{"cabin_filter", "检查空调滤清器", "Cabin filter checked"},
	{"brake_fluid", "检查制动液液位", "Brake fluid level checked"},
	{"coolant", "检查冷却液液位", "Coolant level checked"},
	{"tyres", "检查轮胎气压及磨损", "Tyre pressures and wear checked"},
	{"lights", "检查灯光", "Lights checked"},
};

static const ck_item maint_appliance[] = {
	{"filters_cleaned", "清洗过滤网", "Filters cleaned"},
	{"exchanger_cleaned", "清洁换热器/内部部件", "Heat exchanger and inside parts cleaned"},
	{"drain_checked", "检查排水", "Drainage checked"},
	{"electrical_checked", "检查电气连接", "Electrical connections checked"},
	{"test_run", "试机运行", "Test run"},
};

static const ck_item tail_vehicle[] = {
	{"reminder_reset", "复位保养提示", "Service reminder reset"},
	{"service_recorded", "填写保养记录并提示下次保养", "Service recorded, next service advised"},
};

static const ck_item tail_appliance[] = {
	{"service_recorded", "填写保养记录并提示下次保养", "Service recorded, next service advised"},
};

static const ck_item safety_vehicle[] = {
	{"safety_brakes", "制动系统检查（踏板行程、制动效果）", "Brakes checked (pedal travel, braking)"},
	{"safety_tyres", "轮胎气压及轮毂螺栓紧固", "Tyre pressures and wheel nuts tightened"},
	{"safety_lights", "灯光及信号正常", "Lights and signals working"},
};

static const ck_item safety_appliance[] = {
	{"safety_electrical", "电气安全（绝缘良好、无漏电）", "Electrical safety (insulation sound, no leakage)"},
	{"safety_grounding", "接地可靠", "Earthing connected"},
};

static const ck_item damage_reception = {"no_new_damage", "与接车单对比无新增损伤",
					 "No new damage compared with the reception sheet"};
static const ck_item damage_before = {"no_new_damage", "与服务前相比无新增损伤", "No new damage compared with before the work"};

const ck_item *ck_template(const char *type, bool vehicle, int *n)
{
	static const struct {
		const char *type;
		const ck_item *items;
		int n;
	} t[] = {
		{"repair", repair, N(repair)},
		{"install", install, N(install)},
		{"inspection", inspection, N(inspection)},
		{"consultation", consultation, N(consultation)},
		{"return", return_, N(return_)},
	};
	*n = 0;
	if (!type)
		return NULL;
	if (!strcmp(type, "maintenance")) {
		*n = vehicle ? N(maint_vehicle) : N(maint_appliance);
		return vehicle ? maint_vehicle : maint_appliance;
	}
	for (int i = 0; i < N(t); i++)
		if (!strcmp(t[i].type, type)) {
			*n = t[i].n;
			return t[i].items;
		}
	return NULL;
}

const ck_item *ck_maint_tail(bool vehicle, int *n)
{
	*n = vehicle ? N(tail_vehicle) : N(tail_appliance);
	return vehicle ? tail_vehicle : tail_appliance;
}

const ck_item *ck_qc_safety(bool vehicle, int *n)
{
	*n = vehicle ? N(safety_vehicle) : N(safety_appliance);
	return vehicle ? safety_vehicle : safety_appliance;
}

const ck_item *ck_qc_no_new_damage(bool has_reception)
{
	return has_reception ? &damage_reception : &damage_before;
}

bool ck_is_vehicle(const char *category, bool has_plate, bool has_mileage)
{
	if (has_plate || has_mileage)
		return true;
	if (!category)
		return false;
	static const char *const words[] = {"车", "car", "Car", "vehicle", "Vehicle", "truck", "Truck", NULL};
	for (int i = 0; words[i]; i++)
		if (strstr(category, words[i]))
			return true;
	return false;
}

bool ck_key_valid(const char *key)
{
	size_t n = key ? strlen(key) : 0;
	if (n == 0 || n > 64)
		return false;
	for (const char *s = key; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return false;
	return true;
}
