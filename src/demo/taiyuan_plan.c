/* taiyuan_plan.c: February 2024 of the Taiyuan hotline, planned and replayed.
 *
 * The plan is made in three steps, all from one fixed-seed splitmix64
 * stream so that every run gives the same store. First the per-unit
 * counts: volumes from a table of realistic weights (the big districts
 * and the housing, city-management and market units receive the most),
 * scaled to the published base; survey success around the published
 * 82.66%; satisfaction rates laid out from the top of each group's ranking
 * to its bottom, shifted so that the pooled rate is the published 61.22%,
 * rounded, and then moved one citizen at a time until the three totals are
 * exact, never breaking the strict order of the ranking (fractions are
 * compared exactly, by cross-multiplication). Second, the work orders
 * behind those surveys, with their stories: when each was received,
 * dispatched (now and then to the wrong unit first), signed, extended,
 * reminded, supervised and completed, on working days and within working
 * hours, and the calls of its survey; a dissatisfied survey reopens the
 * order, which its unit signs again at once and, when there is time,
 * completes again within the month, and that completion's survey is the
 * next of the unit's counted cases. Third, orders that never enter the
 * base: answered at intake, invalid, merged duplicates, still open at the
 * end of the month, and one order excluded by an upheld appeal.
 *
 * Replaying the plan goes through the real use cases only: the orders CSV
 * for hl_transfer_import_orders, hl_app_act_within for both rounds of the
 * lifecycle, the survey CSVs for hl_transfer_import_surveys (which also
 * reopens dissatisfied orders), hl_app_act for the appeals. This module
 * computes no report figure itself: the bulletin reads them from the
 * rollups those use cases write. */
#include "demo/taiyuan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo.h"
#include "app/report.h"
#include "base/csv.h"
#include "base/i18n.h"

#define TAIYUAN_SEED 0x20240229C0FFEEull

/* Orders outside the base. */
#define INTAKE_ORDERS 520
#define INVALID_ORDERS 110
#define MERGED_ORDERS 140
#define OPEN_ORDERS 260
/* A unit's base is at least this, so that its reached surveys can reach
 * HL_TAIYUAN_MIN_REACHED at a plausible success rate. */
#define MIN_BASE 56
/* The unit whose extra order is excluded by an upheld appeal, and the unit
 * whose appeal is rejected. */
#define APPEAL_UPHELD_UNIT "xiaodian"
#define APPEAL_REJECTED_UNIT "city-management"
/* Orders of a lifecycle batch: one transaction each. */
#define LIFECYCLE_BATCH 500

#define MINUTE 60
#define HOUR 3600
#define DAY 86400
/* Units work 08:30-17:30 on working days; the survey team calls 09:00-20:00 every day. */
#define WORK_START (8 * HOUR + 30 * MINUTE)
#define WORK_END (17 * HOUR + 30 * MINUTE)
#define CALL_START (9 * HOUR)
#define CALL_END (20 * HOUR)

/* ---- randomness ---- */

/* splitmix64: small, fast, and the same on every machine. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t value = (*state += 0x9E3779B97F4A7C15ull);
    value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ull;
    value = (value ^ (value >> 27)) * 0x94D049BB133111EBull;
    return value ^ (value >> 31);
}

/* A whole number in [low, high); low when the range is empty. */
static int64_t random_range(uint64_t *state, int64_t low, int64_t high)
{
    if (high <= low)
        return low;
    return low + (int64_t)(next_random(state) % (uint64_t)(high - low));
}

static double random_fraction(uint64_t *state)
{
    return (double)(next_random(state) >> 11) * 0x1.0p-53;
}

static bool chance(uint64_t *state, int percent)
{
    return random_range(state, 0, 100) < percent;
}

/* ---- the tables: volumes, places, what citizens call about ---- */

typedef struct unit_profile {
    const char *code;
    int weight; /* relative number of orders in the base */
} unit_profile;

static const unit_profile profiles[] = {
    {"housing-fund", 420},
    {"approval", 300},
    {"women-federation", 66},
    {"hrss", 1050},
    {"fire-rescue", 140},
    {"heritage", 70},
    {"market-regulation", 1200},
    {"cable-tv", 260},
    {"culture-tourism", 230},
    {"state-investment", 380},
    {"power-supply", 760},
    {"taxation", 260},
    {"health", 680},
    {"parks", 240},
    {"medical-insurance", 520},
    {"traffic-police", 700},
    {"civil-affairs", 300},
    {"fenhe-authority", 90},
    {"postal", 210},
    {"metro", 130},
    {"police", 640},
    {"bus", 480},
    {"city-management", 1150},
    {"housing-admin", 1400},
    {"transport", 560},
    {"planning", 330},
    {"education", 820},
    {"longtou-group", 160},
    {"construction", 880},
    {"sasac", 100},
    {"zhongbei-hitech", 420},
    {"yingze", 2050},
    {"xiaodian", 2750},
    {"xinghualing", 1750},
    {"qingxu", 520},
    {"jinyuan", 880},
    {"wanbailin", 1950},
    {"xishan-zone", 260},
    {"loufan", 170},
    {"yangqu", 360},
    {"jiancaoping", 1380},
    {"gujiao", 470},
};
#define DEFAULT_WEIGHT 200

typedef struct district {
    const char *code; /* the unit that governs it */
    const char *name;
    const char *places[6];
    double latitude, longitude;
    int weight; /* how often a municipal unit's order is located there (0: never) */
} district;

/* One district per line reads better than the formatter's layout. */
/* clang-format off */
static const district districts[] = {
    {"xiaodian", "小店区", {"长治路", "平阳路", "坞城路", "亲贤北街", "许坦东街", "体育路"}, 37.736, 112.565, 28},
    {"yingze", "迎泽区", {"迎泽大街", "柳巷", "五一路", "双塔西街", "朝阳街", "建设南路"}, 37.855, 112.583, 20},
    {"xinghualing", "杏花岭区", {"解放路", "府西街", "胜利街", "北大街", "新建路", "敦化南路"}, 37.885, 112.570, 17},
    {"wanbailin", "万柏林区", {"千峰南路", "和平北路", "漪汾街", "迎泽西大街", "兴华街", "长风西街"}, 37.860, 112.515, 19},
    {"jinyuan", "晋源区", {"晋祠路", "新晋祠路", "晋阳街", "南屯村", "金胜镇", "姚村镇"}, 37.715, 112.478, 7},
    {"jiancaoping", "尖草坪区", {"迎新街", "汇丰街", "尖草坪街", "光社村", "新兰路", "柴村"}, 37.940, 112.487, 9},
    {"qingxu", "清徐县", {"清源镇", "徐沟镇", "东于镇", "孟封镇", "马峪乡", "柳杜乡"}, 37.607, 112.358, 0},
    {"yangqu", "阳曲县", {"黄寨镇", "大盂镇", "东黄水镇", "泥屯镇", "侯村乡", "高村乡"}, 38.058, 112.673, 0},
    {"loufan", "娄烦县", {"娄烦镇", "静游镇", "杜交曲镇", "盖家庄乡", "米峪镇乡", "马家庄乡"}, 38.067, 111.797, 0},
    {"gujiao", "古交市", {"东曲街道", "西曲街道", "桃园街道", "屯兰街道", "河口镇", "镇城底镇"}, 37.907, 112.175, 0},
    {"zhongbei-hitech", "中北高新区", {"学院路", "上兰街道", "新兰路", "柏板村", "西张村", "向阳店村"}, 37.960, 112.450, 0},
    {"xishan-zone", "西山示范区", {"玉门河路", "西峪村", "冶峪村", "王封乡", "九院沙河路", "石千峰路"}, 37.855, 112.440, 0},
};
/* clang-format on */
#define DISTRICT_COUNT (sizeof districts / sizeof districts[0])

/* What citizens call about: the owner is a unit code, "district" (every
 * district, county and zone) or "invalid" (calls that are no request). */
typedef struct topic {
    const char *owner;
    const char *category; /* a code of data/demo/categories.csv, or "" */
    hl_order_type type;
    bool placed; /* the address is part of the matter */
    const char *title;
    const char *detail;
    const char *ask;
} topic;

#define Q HL_TYPE_INQUIRY
#define H HL_TYPE_HELP
#define C HL_TYPE_COMPLAINT
#define R HL_TYPE_REPORT
#define S HL_TYPE_SUGGESTION
#define P HL_TYPE_PRAISE
static const topic topics[] = {
    {"housing-fund", "housing-fund", Q, false, "住房公积金提取进度咨询",
     "2月初通过网上大厅提交了租房提取住房公积金的申请，至今未到账", "希望告知办理进度"},
    {"housing-fund", "housing-fund", Q, false, "公积金贷款额度咨询",
     "计划购买首套住房，想了解住房公积金贷款的可贷额度和所需材料", "希望给予解答"},
    {"housing-fund", "housing-fund", C, false, "单位未足额缴存住房公积金",
     "所在单位长期按最低基数缴存住房公积金，与实际工资不符", "希望督促单位足额缴存"},
    {"approval", "approval", Q, false, "营业执照办理咨询",
     "准备开一家小餐馆，想了解营业执照和食品经营许可能否一次办理", "希望告知办理流程"},
    {"approval", "approval", C, false, "政务服务窗口要求重复提交材料",
     "在市政务服务中心办理施工许可，窗口多次要求补交已提交过的材料", "希望一次性告知所需材料"},
    {"approval", "approval", S, false, "建议延长政务大厅周末服务时间", "上班族工作日难以请假办事",
     "建议政务服务大厅周末全天开放"},
    {"women-federation", "women", H, true, "遭受家庭暴力求助",
     "长期遭受丈夫打骂，不敢报警，情绪很不稳定", "希望妇联提供帮助和心理疏导"},
    {"women-federation", "women", Q, false, "子女抚养费追索咨询",
     "离婚后对方一直不支付孩子的抚养费", "咨询维权途径"},
    {"hrss", "wages", C, true, "拖欠农民工工资",
     "在该处工地务工，春节前工资仍未结清，涉及十余名工人", "希望尽快协调支付工资"},
    {"hrss", "employment", Q, false, "社保卡补办咨询", "社会保障卡丢失", "咨询补办流程及办理地点"},
    {"hrss", "employment", H, false, "养老保险关系转移缓慢",
     "从外省调回太原工作，养老保险关系转移申请三个月仍未完成", "希望加快办理"},
    {"hrss", "employment", Q, false, "失业保险金申领咨询", "去年底被公司裁员",
     "咨询失业保险金的申领条件和流程"},
    {"fire-rescue", "fire", R, true, "楼道堆放杂物存在消防隐患",
     "楼道内长期堆放杂物，还有人在楼道给电动车充电", "希望检查整改"},
    {"fire-rescue", "fire", C, true, "小区消防通道被占用", "小区消防通道被私家车长期占用，物业不管",
     "希望清理消防通道"},
    {"heritage", "culture", R, true, "文物保护建筑墙体破损",
     "附近一处文物保护单位外墙破损，还被人乱贴乱画", "希望加强保护和修缮"},
    {"heritage", "culture", R, true, "文物保护范围内违规施工",
     "文物保护范围内有工程正在施工，担心破坏文物", "希望核实是否办理审批"},
    {"market-regulation", "market", C, false, "电暖器质量问题商家拒绝退换",
     "在本市某商场购买的电暖器使用三天即损坏，商家拒绝退换", "希望协调退货"},
    {"market-regulation", "market", R, true, "超市销售过期食品", "在该处超市购买的牛奶已过保质期",
     "希望依法查处"},
    {"market-regulation", "market", C, true, "年夜饭收费与宣传不符",
     "预订的年夜饭套餐实际收费比宣传价格高出三百多元", "希望核实并退还多收费用"},
    {"market-regulation", "market", C, true, "健身房关门预付卡无法退费",
     "办理的健身预付卡还有余额，门店突然关闭", "希望帮助退费"},
    {"cable-tv", "cable", H, true, "有线电视信号中断",
     "家中有线电视信号中断三天，报修后一直无人上门", "希望尽快维修"},
    {"cable-tv", "cable", Q, false, "有线电视收视费咨询", "有线电视收视费比去年上涨",
     "咨询收费标准"},
    {"culture-tourism", "culture", Q, false, "春节景区门票优惠咨询", "春节期间计划带家人游览晋祠",
     "咨询门票优惠政策和开放时间"},
    {"culture-tourism", "culture", C, false, "旅行社擅自变更行程",
     "参加某旅行社组织的春节旅游团，行程被随意变更", "希望维护合法权益"},
    {"culture-tourism", "culture", S, false, "建议元宵灯会加强人流疏导", "元宵节期间灯会游客较多",
     "建议加强人流疏导和安全管理"},
    {"state-investment", "utilities", C, true, "小区供暖温度不达标",
     "家中室温只有十四五度，远低于供暖标准", "希望尽快检修"},
    {"state-investment", "utilities", H, true, "暖气不热报修无人处理",
     "暖气片上热下凉，报修两天无人上门", "希望尽快派人维修"},
    {"state-investment", "utilities", Q, false, "供暖费缴纳咨询", "新购住房首次缴纳供暖费",
     "咨询缴费标准和方式"},
    {"power-supply", "power", Q, true, "突然停电原因咨询", "所在区域突然停电，事先没有接到通知",
     "询问停电原因及恢复时间"},
    {"power-supply", "power", C, false, "电费异常偏高",
     "本月电费比往月高出一倍多，怀疑电表计量有误", "希望核查电表"},
    {"power-supply", "power", H, true, "私人充电桩报装难",
     "申请安装私人充电桩，物业以电力容量不足为由不予配合", "希望协调报装"},
    {"taxation", "tax", Q, false, "个人所得税年度汇算咨询",
     "想了解2023年度个人所得税汇算的办理时间和专项附加扣除", "希望给予解答"},
    {"taxation", "tax", C, true, "商户拒开发票", "在该处商户消费后索要发票被拒绝", "希望依法处理"},
    {"health", "medical", C, false, "医院专家号挂号难",
     "在市某医院网上挂号，专家号源总是很快被抢空", "希望改善挂号方式"},
    {"health", "medical", C, false, "急诊医生服务态度差", "带孩子看急诊时医生态度生硬、解释不耐心",
     "希望加强管理"},
    {"health", "medical", Q, false, "流感疫苗接种咨询", "想为家中老人接种流感疫苗",
     "咨询接种地点和预约方式"},
    {"parks", "greening", R, true, "小区绿化带被毁种菜", "小区绿化带被个别住户毁坏后改成菜地",
     "希望恢复绿化"},
    {"parks", "greening", H, true, "公园健身器材损坏", "公园内多件健身器材损坏，存在安全隐患",
     "希望尽快维修"},
    {"parks", "greening", H, true, "行道树枯枝存在安全隐患", "行道树有大枯枝悬挂，大风天容易掉落",
     "希望及时修剪"},
    {"medical-insurance", "medical-insurance", Q, false, "异地就医备案咨询", "父母在外地长期居住",
     "咨询异地就医直接结算的备案流程"},
    {"medical-insurance", "medical-insurance", C, false, "医保报销迟迟未到账",
     "去年12月提交的住院费用报销材料至今未到账", "希望加快办理"},
    {"medical-insurance", "medical-insurance", Q, false, "门诊慢特病待遇申请咨询",
     "家中老人患有糖尿病", "咨询门诊慢特病待遇的申请条件"},
    {"traffic-police", "traffic-order", S, true, "路口信号灯配时不合理",
     "该路口红灯时间过长，早晚高峰拥堵严重", "建议优化信号灯配时"},
    {"traffic-police", "traffic-order", R, true, "车辆长期违停占用非机动车道",
     "多辆车长期违停占用非机动车道", "希望加强执法"},
    {"traffic-police", "traffic-order", Q, false, "交通违法记录异议",
     "收到一条交通违法记录，但当时车辆并未外出", "咨询如何申请复核"},
    {"civil-affairs", "civil", Q, false, "城市低保申请咨询", "家中有重病患者，收入很低",
     "咨询城市最低生活保障的申请条件"},
    {"civil-affairs", "civil", C, true, "养老院护理不到位",
     "母亲入住的养老院护理不到位，饭菜质量差", "希望加强监管"},
    {"civil-affairs", "civil", Q, false, "婚姻登记预约咨询", "准备在情人节办理结婚登记",
     "咨询预约方式和所需材料"},
    {"fenhe-authority", "greening", R, true, "汾河冰面有人滑冰存在安全隐患",
     "汾河冰面上有市民滑冰、凿冰钓鱼", "建议加强巡查劝离"},
    {"fenhe-authority", "city", H, true, "汾河公园步道路灯不亮",
     "滨河步道一段路灯多日不亮，夜间散步不安全", "希望尽快维修"},
    {"fenhe-authority", "city", R, true, "汾河岸边垃圾堆积", "汾河岸边有大量垃圾堆积无人清理",
     "希望及时清理"},
    {"postal", "postal", C, false, "快递显示签收但未收到",
     "快递显示已签收，本人并未收到，快递员不予理会", "希望核实处理"},
    {"postal", "postal", C, false, "春节期间快递滞留", "春节期间快递网点停止派送，包裹滞留十多天",
     "希望尽快派送"},
    {"metro", "public-transit", S, true, "地铁站出入口指引不清",
     "地铁2号线站点出入口指示标识不清，容易走错", "建议增设指引标识"},
    {"metro", "public-transit", C, true, "地铁施工围挡影响出行",
     "施工围挡占用人行道，行人只能走机动车道", "希望优化围挡设置"},
    {"metro", "public-transit", S, false, "建议延长地铁运营时间", "晚上加班后赶不上末班车",
     "建议延长运营时间"},
    {"police", "public-security", C, true, "楼上住户夜间噪音扰民",
     "楼上住户经常深夜喧哗，报警后未见处理", "希望依法处理"},
    {"police", "public-security", Q, false, "新生儿落户咨询", "孩子刚出生",
     "咨询新生儿落户需要的材料"},
    {"police", "public-security", H, false, "遭遇电信诈骗求助", "接到自称客服的电话后被骗转账",
     "希望帮助追回损失"},
    {"bus", "public-transit", C, true, "公交车不按站停靠",
     "公交车在该站经常不停靠，乘客等车时间过长", "希望加强管理"},
    {"bus", "public-transit", S, false, "建议增开至太原南站的公交线路",
     "家附近没有直达太原南站的公交", "建议增开或调整线路"},
    {"bus", "public-transit", C, false, "公交司机服务态度差", "乘坐公交车时司机态度恶劣、急刹急停",
     "希望加强培训"},
    {"city-management", "city", R, true, "路边摊贩占道经营", "路边摊贩占道经营，早晚高峰影响通行",
     "希望加强管理"},
    {"city-management", "city", H, true, "路灯多日不亮", "一段路灯多日不亮，夜间出行不便",
     "希望尽快维修"},
    {"city-management", "city", C, true, "生活垃圾清运不及时",
     "小区门口垃圾桶满溢，多日未清运，气味难闻", "希望及时清运"},
    {"city-management", "city", H, true, "人行道积雪结冰未清扫",
     "下雪后人行道积雪结冰，老人出行容易滑倒", "希望尽快清扫"},
    {"housing-admin", "property", C, true, "物业费上涨未征求业主意见",
     "物业公司上调物业费，事先未征求业主意见", "希望核实收费是否合规"},
    {"housing-admin", "property", H, true, "小区电梯频繁故障",
     "小区3号楼电梯频繁故障停运，老人上下楼困难", "希望督促物业维修"},
    {"housing-admin", "property", C, true, "顶层漏水物业推诿", "顶层房屋漏水，物业推诿不维修",
     "希望督促物业维修"},
    {"housing-admin", "housing", C, true, "购房多年未办理不动产权证",
     "购买商品房已五年，开发商至今未办理不动产权证", "希望督促开发商办理"},
    {"transport", "traffic", C, false, "出租车拒载不打表",
     "在太原南站乘坐出租车遭拒载，司机要求拼车且不打表", "希望依法查处"},
    {"transport", "traffic", C, false, "网约车绕路多收费", "乘坐网约车时司机故意绕路，多收车费",
     "希望核实处理"},
    {"transport", "traffic", H, true, "道路坑洼影响通行", "路面坑洼严重，车辆经过颠簸",
     "希望尽快修补"},
    {"planning", "planning", R, true, "小区内私搭乱建", "小区内有业主在楼下私搭乱建",
     "希望依法拆除"},
    {"planning", "planning", Q, true, "地块规划调整咨询", "听说附近地块规划要调整",
     "咨询规划内容和公示情况"},
    {"planning", "planning", Q, false, "征收补偿标准咨询", "家中土地被列入征收范围",
     "咨询补偿标准"},
    {"education", "education", C, true, "学校门口上下学时段拥堵",
     "学校门口上下学时段家长车辆乱停、交通拥堵", "希望加强疏导"},
    {"education", "education", C, false, "培训机构关门学费难退",
     "寒假期间孩子报名的培训机构突然关门，学费无法退还", "希望协调退费"},
    {"education", "education", Q, false, "小学入学划片政策咨询", "孩子今年秋季入学",
     "咨询小学入学划片政策"},
    {"longtou-group", "construction", C, true, "道路施工夜间作业噪音扰民",
     "道路施工夜间作业，噪音严重影响休息", "希望规范施工时间"},
    {"longtou-group", "construction", C, true, "施工围挡占道影响通行",
     "施工围挡占用大半个路面，早晚高峰拥堵", "希望缩小围挡范围"},
    {"construction", "construction", C, true, "建筑工地夜间施工扰民", "附近工地夜间施工，噪音严重",
     "希望依法查处"},
    {"construction", "construction", C, true, "老旧小区改造工程停工",
     "老旧小区改造工程停工多日，楼道内一片狼藉", "希望尽快复工"},
    {"construction", "construction", Q, false, "燃气管道改造咨询", "小区要进行燃气管道改造",
     "咨询改造时间和是否收费"},
    {"sasac", "employment", Q, false, "国企改制退休人员待遇咨询", "原市属国企改制后退休",
     "咨询退休人员待遇政策"},
    {"sasac", "employment", H, false, "企业改制遗留问题求助",
     "原单位改制时的职工安置问题至今未解决", "希望协调解决"},
    {"district", "community", Q, true, "居住证明办理咨询", "需要开具居住证明为孩子办理入学",
     "咨询社区办理居住证明需要的材料"},
    {"district", "community", H, true, "楼道照明损坏", "单元楼道照明灯损坏多日，夜间上下楼不安全",
     "希望尽快维修"},
    {"district", "community", R, true, "流浪狗聚集存在伤人隐患", "附近有多只流浪狗聚集，担心伤人",
     "希望妥善处置"},
    {"district", "property", C, true, "小区停车收费纠纷", "物业擅自提高小区停车费", "希望核实处理"},
    {"district", "city", C, true, "垃圾点多日无人清运", "垃圾点垃圾多日无人清运", "希望及时清运"},
    {"district", "city", R, true, "私搭乱建占用公共空间", "有商户私搭乱建占用公共空间",
     "希望依法处理"},
    {"district", "community", H, true, "下水道堵塞污水外溢", "小区下水道堵塞，污水外溢",
     "希望尽快疏通"},
    {"district", "property", C, true, "无物业小区管理混乱", "所在小区无物业管理，环境脏乱",
     "希望社区协调解决"},
    {"district", "traffic-order", R, true, "小区门口车辆乱停", "小区门口车辆乱停乱放，堵塞出入口",
     "希望加强管理"},
    {"district", "community", S, true, "建议增设便民健身设施", "社区内缺少健身设施", "建议增设"},
    {"district", "community", P, true, "表扬社区工作人员", "社区工作人员帮助独居老人解决了取暖问题",
     "特此表扬"},
    {"district", "community", C, true, "村道破损出行不便", "通往村里的道路破损严重，雨雪天泥泞",
     "希望尽快修缮"},
    {"invalid", "", Q, false, "来电无声", "来电接通后无人说话，多次询问无应答", "无"},
    {"invalid", "", Q, false, "骚扰来电", "来电人辱骂话务员，无具体诉求", "无"},
    {"invalid", "", Q, false, "重复来电无实质诉求", "来电人反复拨打，未提出具体诉求", "无"},
};
#undef Q
#undef H
#undef C
#undef R
#undef S
#undef P
#define TOPIC_COUNT (sizeof topics / sizeof topics[0])
#define MAX_UNIT_TOPICS 24

static const char *const surnames[] = {"王", "李", "张", "刘", "赵", "杨", "郭", "武", "田", "韩",
                                       "梁", "郝", "任", "贾", "史", "闫", "冯", "孙", "段", "高"};
static const char *const phone_prefixes[] = {
    "139", "138", "137", "136", "135", "150", "151", "152", "158", "159", "186", "187",
    "188", "155", "156", "130", "131", "132", "133", "153", "180", "189", "177", "199"};
static const char *const replies[] = {
    "经核实，已联系诉求人并现场处理，问题已解决。",
    "已安排工作人员上门查看并处理完毕，已电话告知诉求人。",
    "已按相关政策向诉求人作出解释，诉求人表示理解。",
    "经协调，相关责任方已整改到位。",
    "已转交具体经办科室办理完毕，并向诉求人反馈结果。",
    "经查，诉求人反映的情况属实，已督促整改，将持续跟踪。",
};
static const char *const return_notes[] = {"该事项不属于本单位职责范围，建议转相关单位办理。",
                                           "经核实，诉求地点不在本单位辖区。"};
static const char *const handle_notes[] = {"已联系诉求人，正在现场核实。", "已安排专人跟进处理。",
                                           "已与相关责任方沟通，正在协调解决。"};
static const char *const extension_notes[] = {"需协调多个部门共同处理，申请延期。",
                                              "涉及施工维修，需待气温回升后实施，申请延期。"};
static const char *const intake_notes[] = {"已按相关政策向市民解答，市民表示清楚。",
                                           "已告知办理地点和所需材料，市民表示满意。"};
static const char *const invalid_notes[] = {"来电无实质诉求，按无效工单处理。",
                                            "骚扰来电，不予受理。"};
static const char *const comments[HL_RATING_COUNT][2] = {
    [HL_RATING_VERY_SATISFIED] = {"办理很及时，非常满意", "工作人员态度很好，问题解决了"},
    [HL_RATING_SATISFIED] = {"问题已经解决", "处理得还可以"},
    [HL_RATING_BASIC] = {"处理了但不够彻底", "反馈有点慢"},
    [HL_RATING_DISSATISFIED] = {"问题没有解决", "只是电话回复，没有实际处理"},
    [HL_RATING_VERY_DISSATISFIED] = {"根本没人来处理", "互相推诿，很不满意"},
};
#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

/* ---- working time ---- */

/* The first instant at or after `instant` within working hours. */
static hl_time next_work_instant(const hl_calendar *calendar, hl_time instant)
{
    int32_t day = hl_clock_day_of(instant);
    hl_time start = hl_clock_start_of_day(day);
    if (hl_calendar_is_working_day(calendar, day)) {
        if (instant < start + WORK_START)
            return start + WORK_START;
        if (instant < start + WORK_END)
            return instant;
    }
    do
        day++;
    while (!hl_calendar_is_working_day(calendar, day));
    return hl_clock_start_of_day(day) + WORK_START;
}

/* The working hours of `day` that fall in [from, to), as [*low, *high). */
static bool work_span(const hl_calendar *calendar, int32_t day, hl_time from, hl_time to,
                      hl_time *low, hl_time *high)
{
    if (!hl_calendar_is_working_day(calendar, day))
        return false;
    hl_time open = hl_clock_start_of_day(day) + WORK_START,
            close = hl_clock_start_of_day(day) + WORK_END;
    *low = open > from ? open : from;
    *high = close < to ? close : to;
    return *high > *low;
}

static hl_time work_seconds(const hl_calendar *calendar, hl_time from, hl_time to)
{
    hl_time total = 0, low, high;
    for (int32_t day = hl_clock_day_of(from); from < to && hl_clock_start_of_day(day) < to; day++)
        if (work_span(calendar, day, from, to, &low, &high))
            total += high - low;
    return total;
}

/* A random instant within the working hours of [from, to); false when the
 * range holds none. */
static bool random_work_within(const hl_calendar *calendar, uint64_t *random, hl_time from,
                               hl_time to, hl_time *out)
{
    hl_time total = work_seconds(calendar, from, to);
    if (total <= 0)
        return false;
    hl_time offset = random_range(random, 0, total), low, high;
    for (int32_t day = hl_clock_day_of(from);; day++) {
        if (!work_span(calendar, day, from, to, &low, &high))
            continue;
        if (offset < high - low) {
            *out = low + offset;
            return true;
        }
        offset -= high - low;
    }
}

/* As random_work_within, falling back to the first working instant from `from`. */
static hl_time random_work_instant(const hl_calendar *calendar, uint64_t *random, hl_time from,
                                   hl_time to)
{
    hl_time instant;
    return random_work_within(calendar, random, from, to, &instant)
               ? instant
               : next_work_instant(calendar, from);
}

/* Moves an instant into the survey team's calling hours. */
static hl_time call_instant(uint64_t *random, hl_time instant)
{
    hl_time start = hl_clock_start_of_day(hl_clock_day_of(instant));
    if (instant < start + CALL_START)
        return start + CALL_START + random_range(random, 0, 90 * MINUTE);
    if (instant >= start + CALL_END)
        return start + DAY + CALL_START + random_range(random, 0, 90 * MINUTE);
    return instant;
}

static hl_time max_time(hl_time left, hl_time right)
{
    return left > right ? left : right;
}

static hl_time min_time(hl_time left, hl_time right)
{
    return left < right ? left : right;
}

/* ---- the planner ---- */

typedef struct category_days {
    char code[HL_CODE_BYTES];
    int handle_days;
} category_days;

typedef enum survey_case {
    CASE_VERY_SATISFIED = 0,
    CASE_SATISFIED,
    CASE_BASIC,
    CASE_DISSATISFIED,
    CASE_VERY_DISSATISFIED,
    CASE_NO_ANSWER,
    CASE_REFUSED,
    CASE_WRONG_NUMBER,
    CASE_COUNT
} survey_case;

typedef struct planner {
    const hl_calendar *calendar;
    const hl_limits *limits;
    uint64_t random;
    hl_taiyuan_plan *plan;
    category_days categories[64];
    size_t category_count;
    int (*unit_topics)[MAX_UNIT_TOPICS];
    int *unit_topic_count;
    double *weights;
    int invalid_topics[8];
    int invalid_topic_count;
    int32_t first_day; /* 1 February 2024 */
    hl_time last_work; /* 29 February 17:30: the last working instant of the month */
    int base_day_weight[30];
    int open_day_weight[30];
} planner;

static int plan_fail(hl_error *error, const char *what)
{
    return hl_error_set(error, HL_EINVAL, "plan", "taiyuan plan: %s", what);
}

static int find_column(const hl_csv_reader *reader, const char *name)
{
    for (size_t index = 0; index < reader->field_count; index++)
        if (hl_slice_equal(hl_slice_trim(reader->fields[index]), name))
            return (int)index;
    return -1;
}

static hl_slice field_at(const hl_csv_reader *reader, int column)
{
    if (column < 0 || (size_t)column >= reader->field_count)
        return hl_slice_of("");
    return hl_slice_trim(reader->fields[column]);
}

/* The units of data/demo/units.csv in file order: the published rank within each group. */
static int parse_units(hl_taiyuan_plan *plan, hl_error *error)
{
    hl_csv_reader reader;
    hl_csv_reader_init(&reader, hl_demo_units_csv, hl_demo_units_csv_size);
    int result = hl_csv_reader_next(&reader, error);
    int code_column = -1, name_column = -1, group_column = -1;
    if (result == 1) {
        code_column = find_column(&reader, "code");
        name_column = find_column(&reader, "name");
        group_column = find_column(&reader, "group");
    }
    if (result >= 0 && (code_column < 0 || name_column < 0 || group_column < 0))
        result = plan_fail(error, "units.csv needs code, name and group");
    size_t capacity = 0;
    int group_count = 0;
    while (result >= 0 && (result = hl_csv_reader_next(&reader, error)) == 1) {
        if (plan->unit_count == capacity) {
            capacity = capacity == 0 ? 64 : capacity * 2;
            plan->units = hl_xrealloc(plan->units, capacity * sizeof *plan->units);
        }
        hl_taiyuan_unit *unit = &plan->units[plan->unit_count];
        memset(unit, 0, sizeof *unit);
        result = hl_text_copy(unit->code, sizeof unit->code, field_at(&reader, code_column),
                              HL_CODE_CHARS, false, "code", error);
        if (result == HL_OK)
            result = hl_text_copy(unit->name, sizeof unit->name, field_at(&reader, name_column),
                                  HL_NAME_CHARS, false, "name", error);
        if (result == HL_OK)
            result = hl_text_copy(unit->group, sizeof unit->group, field_at(&reader, group_column),
                                  HL_NAME_CHARS, false, "group", error);
        if (result != HL_OK)
            break;
        unit->group_index = -1;
        unit->rank = 1;
        for (size_t other = 0; other < plan->unit_count; other++) {
            if (strcmp(plan->units[other].group, unit->group) != 0)
                continue;
            unit->group_index = plan->units[other].group_index;
            unit->rank++;
        }
        if (unit->group_index < 0)
            unit->group_index = group_count++;
        plan->unit_count++;
        result = 1;
    }
    hl_csv_reader_free(&reader);
    if (result < 0)
        return result;
    if (plan->unit_count == 0)
        return plan_fail(error, "no units");
    return HL_OK;
}

/* Each category's own time limit, for the deadlines the workflow will set. */
static int parse_categories(planner *planning, hl_error *error)
{
    hl_csv_reader reader;
    hl_csv_reader_init(&reader, hl_demo_categories_csv, hl_demo_categories_csv_size);
    int result = hl_csv_reader_next(&reader, error);
    int code_column = -1, days_column = -1;
    if (result == 1) {
        code_column = find_column(&reader, "code");
        days_column = find_column(&reader, "handle_days");
    }
    if (result >= 0 && code_column < 0)
        result = plan_fail(error, "categories.csv needs code");
    while (result >= 0 && (result = hl_csv_reader_next(&reader, error)) == 1) {
        if (planning->category_count == COUNT_OF(planning->categories)) {
            result = plan_fail(error, "too many categories");
            break;
        }
        category_days *category = &planning->categories[planning->category_count];
        result = hl_text_copy(category->code, sizeof category->code, field_at(&reader, code_column),
                              HL_CODE_CHARS, false, "code", error);
        if (result != HL_OK)
            break;
        int64_t days = 0;
        hl_slice text = field_at(&reader, days_column);
        if (text.len > 0 && hl_text_parse_int(text, 0, 60, &days) != HL_OK) {
            result = plan_fail(error, "a category's handle_days is malformed");
            break;
        }
        category->handle_days = (int)days;
        planning->category_count++;
        result = 1;
    }
    hl_csv_reader_free(&reader);
    return result < 0 ? result : HL_OK;
}

static int district_of(const char *code)
{
    for (size_t index = 0; index < DISTRICT_COUNT; index++)
        if (strcmp(districts[index].code, code) == 0)
            return (int)index;
    return -1;
}

static const category_days *category_of(const planner *planning, const char *code)
{
    for (size_t index = 0; index < planning->category_count; index++)
        if (strcmp(planning->categories[index].code, code) == 0)
            return &planning->categories[index];
    return NULL;
}

/* Each unit's topics: its own, and the neighbourhood ones for districts. */
static int assign_topics(planner *planning, hl_error *error)
{
    hl_taiyuan_plan *plan = planning->plan;
    for (size_t index = 0; index < TOPIC_COUNT; index++) {
        if (topics[index].category[0] != '\0' &&
            category_of(planning, topics[index].category) == NULL)
            return plan_fail(error, "a topic names a category that is not in categories.csv");
        if (strcmp(topics[index].owner, "invalid") == 0 &&
            planning->invalid_topic_count < (int)COUNT_OF(planning->invalid_topics))
            planning->invalid_topics[planning->invalid_topic_count++] = (int)index;
    }
    for (size_t unit = 0; unit < plan->unit_count; unit++) {
        const char *code = plan->units[unit].code;
        bool governs_place = district_of(code) >= 0;
        for (size_t index = 0;
             index < TOPIC_COUNT && planning->unit_topic_count[unit] < MAX_UNIT_TOPICS; index++)
            if (strcmp(topics[index].owner, code) == 0 ||
                (governs_place && strcmp(topics[index].owner, "district") == 0))
                planning->unit_topics[unit][planning->unit_topic_count[unit]++] = (int)index;
        /* A unit this table does not know takes the neighbourhood matters. */
        for (size_t index = 0; planning->unit_topic_count[unit] == 0 && index < TOPIC_COUNT;
             index++)
            if (strcmp(topics[index].owner, "district") == 0)
                planning->unit_topics[unit][planning->unit_topic_count[unit]++] = (int)index;
        if (planning->unit_topic_count[unit] == 0)
            return plan_fail(error, "no topic for a unit");
    }
    return HL_OK;
}

static int handle_days_of(const planner *planning, const hl_taiyuan_order *order)
{
    const category_days *category = category_of(planning, topics[order->topic].category);
    if (category != NULL && category->handle_days > 0)
        return category->handle_days;
    return planning->limits->handle_days[order->type];
}

/* Exactly: numerator_a / denominator_a > numerator_b / denominator_b (denominators > 0). */
static bool rate_above(int64_t numerator_a, int64_t denominator_a, int64_t numerator_b,
                       int64_t denominator_b)
{
    return numerator_a * denominator_b > numerator_b * denominator_a;
}

/* Moves values one by one, biggest units first, within [low, high], until
 * they sum to target. */
static int fix_total(int64_t *values, const int64_t *low, const int64_t *high, const size_t *order,
                     size_t count, int64_t target, const char *what, hl_error *error)
{
    int64_t sum = 0;
    for (size_t index = 0; index < count; index++)
        sum += values[index];
    while (sum != target) {
        bool moved = false;
        for (size_t step = 0; step < count && sum != target; step++) {
            size_t unit = order[step];
            if (sum < target && values[unit] < high[unit]) {
                values[unit]++;
                sum++;
                moved = true;
            } else if (sum > target && values[unit] > low[unit]) {
                values[unit]--;
                sum--;
                moved = true;
            }
        }
        if (!moved)
            return plan_fail(error, what);
    }
    return HL_OK;
}

/* Unit indexes sorted by a key, largest first (insertion sort: 42 units). */
static void sort_descending(size_t *order, const int64_t *key, size_t count)
{
    for (size_t index = 0; index < count; index++)
        order[index] = index;
    for (size_t index = 1; index < count; index++) {
        size_t moving = order[index], slot = index;
        while (slot > 0 && key[order[slot - 1]] < key[moving]) {
            order[slot] = order[slot - 1];
            slot--;
        }
        order[slot] = moving;
    }
}

/* The previous and next unit of the same group, in rank order (-1: none). */
static void group_neighbours(const hl_taiyuan_plan *plan, int *previous, int *next)
{
    for (size_t unit = 0; unit < plan->unit_count; unit++) {
        previous[unit] = next[unit] = -1;
        for (size_t other = unit; other-- > 0;)
            if (plan->units[other].group_index == plan->units[unit].group_index) {
                previous[unit] = (int)other;
                break;
            }
        for (size_t other = unit + 1; other < plan->unit_count; other++)
            if (plan->units[other].group_index == plan->units[unit].group_index) {
                next[unit] = (int)other;
                break;
            }
    }
}

static bool can_raise(const int64_t *satisfied, const int64_t *succeeded, const int *previous,
                      size_t unit)
{
    if (satisfied[unit] + 1 > succeeded[unit])
        return false;
    int above = previous[unit];
    return above < 0 ||
           rate_above(satisfied[above], succeeded[above], satisfied[unit] + 1, succeeded[unit]);
}

static bool can_lower(const int64_t *satisfied, const int64_t *succeeded, const int *next,
                      size_t unit)
{
    if (satisfied[unit] < 1)
        return false;
    int below = next[unit];
    return below < 0 ||
           rate_above(satisfied[unit] - 1, succeeded[unit], satisfied[below], succeeded[below]);
}

/* The satisfaction range a group's ranking spans, from its first unit to its last. */
static void group_range(int group_index, double *top, double *bottom)
{
    *top = group_index == 0 ? 0.85 : 0.80;
    *bottom = group_index == 0 ? 0.40 : 0.45;
}

static int plan_counts(planner *planning, hl_error *error)
{
    hl_taiyuan_plan *plan = planning->plan;
    size_t count = plan->unit_count;
    int64_t *base = hl_xcalloc(count, sizeof *base),
            *succeeded = hl_xcalloc(count, sizeof *succeeded);
    int64_t *satisfied = hl_xcalloc(count, sizeof *satisfied);
    int64_t *low = hl_xcalloc(count, sizeof *low), *high = hl_xcalloc(count, sizeof *high);
    int64_t *key = hl_xcalloc(count, sizeof *key);
    size_t *order = hl_xcalloc(count, sizeof *order);
    int *previous = hl_xcalloc(count, sizeof *previous), *next = hl_xcalloc(count, sizeof *next);
    double *rate = hl_xcalloc(count, sizeof *rate);
    int result = HL_OK;

    /* Volumes: each unit's weight with a tenth either way, scaled to the base. */
    double total_weight = 0;
    for (size_t unit = 0; unit < count; unit++) {
        int weight = DEFAULT_WEIGHT;
        for (size_t index = 0; index < COUNT_OF(profiles); index++)
            if (strcmp(profiles[index].code, plan->units[unit].code) == 0)
                weight = profiles[index].weight;
        planning->weights[unit] = weight * (0.9 + 0.2 * random_fraction(&planning->random));
        total_weight += planning->weights[unit];
    }
    for (size_t unit = 0; unit < count; unit++) {
        base[unit] = (int64_t)(HL_TAIYUAN_BASE * planning->weights[unit] / total_weight);
        if (base[unit] < MIN_BASE)
            base[unit] = MIN_BASE;
        low[unit] = MIN_BASE;
        high[unit] = INT64_MAX / 4;
        key[unit] = base[unit];
    }
    sort_descending(order, key, count);
    result = fix_total(base, low, high, order, count, HL_TAIYUAN_BASE, "the base cannot be reached",
                       error);

    /* Survey success: around the published rate with six points either way,
     * shifted together so that the total is nearly exact before rounding;
     * within 70%..95%, and at least the minimum reached. */
    double expected = 0;
    for (size_t unit = 0; unit < count; unit++) {
        rate[unit] = 0.8266 + (random_fraction(&planning->random) * 2 - 1) * 0.06;
        expected += rate[unit] * (double)base[unit];
    }
    double success_shift = (HL_TAIYUAN_SUCCEEDED - expected) / HL_TAIYUAN_BASE;
    for (size_t unit = 0; unit < count && result == HL_OK; unit++) {
        low[unit] = (int64_t)ceil(0.70 * (double)base[unit]);
        if (low[unit] < HL_TAIYUAN_MIN_REACHED)
            low[unit] = HL_TAIYUAN_MIN_REACHED;
        high[unit] = (int64_t)floor(0.95 * (double)base[unit]);
        succeeded[unit] = llround((rate[unit] + success_shift) * (double)base[unit]);
        if (succeeded[unit] < low[unit])
            succeeded[unit] = low[unit];
        if (succeeded[unit] > high[unit])
            succeeded[unit] = high[unit];
        if (low[unit] > high[unit])
            result = plan_fail(error, "a unit is too small to be ranked");
    }
    if (result == HL_OK)
        result = fix_total(succeeded, low, high, order, count, HL_TAIYUAN_SUCCEEDED,
                           "the reached total cannot be reached", error);

    /* Satisfaction: evenly spaced from the group's top to its bottom, with a
     * little noise (less than a third of a step, so the order holds), then
     * shifted so that the pooled rate is the published one. */
    group_neighbours(plan, previous, next);
    double pooled = 0;
    for (size_t unit = 0; unit < count && result == HL_OK; unit++) {
        int members = 0;
        for (size_t other = 0; other < count; other++)
            members += plan->units[other].group_index == plan->units[unit].group_index;
        double top, bottom;
        group_range(plan->units[unit].group_index, &top, &bottom);
        double step = members > 1 ? (top - bottom) / (members - 1) : 0;
        double jitter = (random_fraction(&planning->random) * 2 - 1) * 0.3 * step;
        rate[unit] = top - step * (plan->units[unit].rank - 1) + jitter;
        pooled += rate[unit] * (double)succeeded[unit];
    }
    double shift = (HL_TAIYUAN_SATISFIED - pooled) / HL_TAIYUAN_SUCCEEDED;
    for (size_t unit = 0; unit < count && result == HL_OK; unit++) {
        rate[unit] += shift;
        if (rate[unit] < 0.05 || rate[unit] > 0.97)
            result = plan_fail(error, "a satisfaction rate falls outside 5%..97%");
        satisfied[unit] = llround(rate[unit] * (double)succeeded[unit]);
        /* Rounding may tie or cross the unit above: take the largest count below it. */
        int above = previous[unit];
        if (above >= 0 &&
            !rate_above(satisfied[above], succeeded[above], satisfied[unit], succeeded[unit]))
            satisfied[unit] = (satisfied[above] * succeeded[unit] - 1) / succeeded[above];
        if (satisfied[unit] < 0)
            result = plan_fail(error, "the ranking cannot be kept");
    }
    /* The exact total, one citizen at a time, biggest units first (a change
     * of one moves their rate least), never crossing a neighbour. */
    for (size_t unit = 0; unit < count; unit++)
        key[unit] = succeeded[unit];
    sort_descending(order, key, count);
    int64_t sum = 0;
    for (size_t unit = 0; unit < count; unit++)
        sum += satisfied[unit];
    while (result == HL_OK && sum != HL_TAIYUAN_SATISFIED) {
        bool moved = false;
        for (size_t step = 0; step < count && sum != HL_TAIYUAN_SATISFIED; step++) {
            size_t unit = order[step];
            if (sum < HL_TAIYUAN_SATISFIED && can_raise(satisfied, succeeded, previous, unit)) {
                satisfied[unit]++;
                sum++;
                moved = true;
            } else if (sum > HL_TAIYUAN_SATISFIED && can_lower(satisfied, succeeded, next, unit)) {
                satisfied[unit]--;
                sum--;
                moved = true;
            }
        }
        if (!moved)
            result =
                plan_fail(error, "the satisfied total cannot be reached in the published order");
    }

    /* How the counts split into the five ratings and the failed surveys. */
    for (size_t unit = 0; unit < count && result == HL_OK; unit++) {
        hl_taiyuan_unit *record = &plan->units[unit];
        record->base = base[unit];
        record->succeeded = succeeded[unit];
        record->satisfied = satisfied[unit];
        record->very_satisfied =
            llround((double)satisfied[unit] * (0.45 + 0.2 * random_fraction(&planning->random)));
        record->satisfied_rating = satisfied[unit] - record->very_satisfied;
        int64_t unsatisfied = succeeded[unit] - satisfied[unit];
        record->basic =
            llround((double)unsatisfied * (0.40 + 0.2 * random_fraction(&planning->random)));
        int64_t rest = unsatisfied - record->basic;
        record->dissatisfied =
            llround((double)rest * (0.6 + 0.2 * random_fraction(&planning->random)));
        record->very_dissatisfied = rest - record->dissatisfied;
        int64_t failed = base[unit] - succeeded[unit];
        record->failed_wrong_number = llround((double)failed * 0.12);
        record->failed_refused = llround((double)failed * 0.18);
        record->failed_no_answer = failed - record->failed_wrong_number - record->failed_refused;
        plan->base += record->base;
        plan->succeeded += record->succeeded;
        plan->satisfied += record->satisfied;
    }
    free(base);
    free(succeeded);
    free(satisfied);
    free(low);
    free(high);
    free(key);
    free(order);
    free(previous);
    free(next);
    free(rate);
    return result;
}

/* ---- orders and their stories ---- */

static hl_taiyuan_order *new_order(planner *planning, hl_taiyuan_kind kind, int unit)
{
    hl_taiyuan_plan *plan = planning->plan;
    hl_taiyuan_order *order = &plan->orders[plan->order_count++];
    memset(order, 0, sizeof *order);
    order->kind = kind;
    order->unit = unit;
    order->wrong_unit = -1;
    order->seed = next_random(&planning->random);
    order->place_seed = next_random(&planning->random);
    order->channel = HL_CHANNEL_PHONE;
    int channel = (int)random_range(&planning->random, 0, 100);
    if (channel >= 70)
        order->channel = channel < 80   ? HL_CHANNEL_APP
                         : channel < 90 ? HL_CHANNEL_WECHAT
                         : channel < 98 ? HL_CHANNEL_WEB
                                        : HL_CHANNEL_OTHER;
    plan->kind_count[kind]++;
    return order;
}

static void choose_topic(planner *planning, hl_taiyuan_order *order)
{
    int count = planning->unit_topic_count[order->unit];
    order->topic = planning->unit_topics[order->unit][random_range(&planning->random, 0, count)];
    order->type = topics[order->topic].type;
}

/* A unit drawn by volume. */
static int random_unit(planner *planning)
{
    double total = 0;
    for (size_t unit = 0; unit < planning->plan->unit_count; unit++)
        total += planning->weights[unit];
    double point = random_fraction(&planning->random) * total;
    for (size_t unit = 0; unit < planning->plan->unit_count; unit++) {
        point -= planning->weights[unit];
        if (point < 0)
            return (int)unit;
    }
    return (int)planning->plan->unit_count - 1;
}

/* A day of February (0-based) drawn by weight, and a time between 07:30
 * and 22:30 not later than `latest`. */
static hl_time random_received(planner *planning, const int *day_weight, hl_time latest)
{
    for (;;) {
        int total = 0;
        for (int day = 0; day < 29; day++)
            total += day_weight[day];
        int point = (int)random_range(&planning->random, 0, total), day = 0;
        while (point >= day_weight[day]) {
            point -= day_weight[day];
            day++;
        }
        hl_time instant = hl_clock_start_of_day(planning->first_day + day) + 7 * HOUR +
                          30 * MINUTE + random_range(&planning->random, 0, 15 * HOUR);
        if (instant <= latest)
            return instant;
    }
}

/* The story of an order that its unit completes in February. `plain`
 * leaves out the detours (used for the order whose appeal is upheld). */
static void plan_completed_story(planner *planning, hl_taiyuan_order *order, bool plain)
{
    const hl_calendar *calendar = planning->calendar;
    const hl_limits *limits = planning->limits;
    uint64_t *random = &planning->random;
    hl_time received = order->received_at;
    hl_time dispatched = received + random_range(random, 5 * MINUTE, 60 * MINUTE);
    hl_time feb20 = hl_clock_start_of_day(planning->first_day + 19);
    hl_time feb22 = hl_clock_start_of_day(planning->first_day + 21);
    hl_time feb27 = hl_clock_start_of_day(planning->first_day + 26);
    order->dispatched_at = dispatched;
    hl_time started = dispatched; /* when the unit's deadlines start */
    hl_time cursor = dispatched;

    int route = plain || received >= feb22 ? 100 : (int)random_range(random, 0, 100);
    if (route < 4) {
        hl_time return_deadline = hl_calendar_deadline(calendar, dispatched, limits->return_days);
        hl_time sign_deadline = hl_calendar_deadline(calendar, dispatched, limits->sign_days);
        hl_time from = dispatched + 20 * MINUTE;
        /* Misrouted: returned by the wrong unit; or returned by the right one and sent back. */
        bool misrouted = route < 3;
        hl_time until = min_time(misrouted ? return_deadline : sign_deadline,
                                 next_work_instant(calendar, from) + 4 * HOUR);
        hl_time returned;
        if (random_work_within(calendar, random, from, until, &returned)) {
            order->route = misrouted ? HL_TAIYUAN_MISROUTED : HL_TAIYUAN_RETURN_REJECTED;
            order->returned_at = returned;
            order->return_decided_at = returned + random_range(random, 10 * MINUTE, 90 * MINUTE);
            cursor = order->return_decided_at;
            if (misrouted) {
                started = cursor;
                do
                    order->wrong_unit = random_unit(planning);
                while (order->wrong_unit == order->unit);
            }
        }
    }
    hl_time sign_deadline = hl_calendar_deadline(calendar, started, limits->sign_days);
    hl_time handle_deadline =
        hl_calendar_deadline(calendar, started, handle_days_of(planning, order));

    /* One in twenty-five signs late: the working day after the deadline. */
    hl_time late_sign =
        next_work_instant(calendar, sign_deadline + 1) + random_range(random, 0, 2 * HOUR);
    if (!plain && chance(random, 4) && late_sign < feb27 && late_sign > cursor) {
        order->signed_at = late_sign;
    } else {
        hl_time from = cursor + 10 * MINUTE;
        order->signed_at = random_work_instant(
            calendar, random, from,
            min_time(sign_deadline, next_work_instant(calendar, from) + 5 * HOUR));
    }
    cursor = order->signed_at;

    if (!plain && cursor < feb20 && chance(random, 3)) {
        order->extension_at =
            random_work_instant(calendar, random, cursor + 30 * MINUTE, cursor + 30 * HOUR);
        order->extension_days = (int)random_range(random, 3, 6);
        order->extension_decided_at = next_work_instant(calendar, order->extension_at + HOUR) +
                                      random_range(random, 0, 2 * HOUR);
        order->extension_approved = !chance(random, 25);
        if (order->extension_approved)
            handle_deadline =
                hl_calendar_deadline(calendar, handle_deadline, order->extension_days);
        cursor = order->extension_decided_at;
    }
    hl_time noted;
    if (chance(random, 35) && random_work_within(calendar, random, cursor + 10 * MINUTE,
                                                 min_time(min_time(handle_deadline, cursor + DAY),
                                                          planning->last_work - HOUR),
                                                 &noted)) {
        order->noted_at = noted;
        cursor = noted;
    }

    hl_time start = cursor + 30 * MINUTE;
    if (!plain && chance(random, 7) && handle_deadline > start &&
        handle_deadline + DAY < planning->last_work) {
        /* Late: reminded before the deadline, supervised after it, completed within three days. */
        hl_time reminded = handle_deadline - random_range(random, 2 * HOUR, 6 * HOUR);
        if (reminded > cursor) {
            order->reminded_at = reminded;
            cursor = reminded;
        }
        order->completed_at =
            random_work_instant(calendar, random, handle_deadline + 1,
                                min_time(handle_deadline + 3 * DAY, planning->last_work));
        hl_time supervised;
        if (random_work_within(calendar, random, handle_deadline + 1,
                               order->completed_at - 30 * MINUTE, &supervised))
            order->supervised_at = supervised;
    } else {
        hl_time span = random_range(random, 1, handle_days_of(planning, order) + 1) * DAY;
        hl_time end = min_time(min_time(handle_deadline, planning->last_work), start + span);
        hl_time completed;
        if (!random_work_within(calendar, random, start, end, &completed))
            completed = random_work_instant(calendar, random, start,
                                            min_time(handle_deadline, planning->last_work));
        order->completed_at = completed;
        if (!plain && chance(random, 2) && completed - cursor > 2 * HOUR)
            order->reminded_at = cursor + (completed - cursor) / 2;
    }
}

/* The survey calls of a completion (at `completed`), and their result. */
static int plan_calls(planner *planning, hl_taiyuan_survey *survey, hl_time completed,
                      survey_case result, hl_taiyuan_unit *unit, int round, hl_error *error)
{
    uint64_t *random = &planning->random;
    int attempts = planning->limits->survey_max_attempts;
    if (attempts < 1 || attempts > HL_TAIYUAN_MAX_CALLS)
        return plan_fail(error, "survey_max_attempts must be 1 to 3");
    int unanswered = 0;
    hl_survey_outcome last = HL_OUTCOME_REACHED;
    survey->rating = HL_RATING_NONE;
    survey->resolved = HL_RESOLVED_UNKNOWN;
    if (result <= CASE_VERY_DISSATISFIED) {
        static const int resolved_percent[HL_RATING_COUNT] = {0, 95, 88, 55, 12, 5};
        int draw = (int)random_range(random, 0, 100);
        unanswered = draw < 72 ? 0 : draw < 92 ? 1 : 2;
        if (unanswered > attempts - 1)
            unanswered = attempts - 1;
        survey->rating = (hl_rating)(HL_RATING_VERY_SATISFIED + result);
        survey->resolved =
            chance(random, resolved_percent[survey->rating]) ? HL_RESOLVED_YES : HL_RESOLVED_NO;
        if (survey->resolved == HL_RESOLVED_YES)
            unit->resolved++;
        if (survey->rating == HL_RATING_DISSATISFIED ||
            survey->rating == HL_RATING_VERY_DISSATISFIED)
            planning->plan->dissatisfied++;
    } else if (result == CASE_NO_ANSWER) {
        unanswered = attempts - 1;
        last = chance(random, 80) ? HL_OUTCOME_NO_ANSWER : HL_OUTCOME_BUSY;
    } else if (result == CASE_REFUSED) {
        unanswered = attempts > 1 && chance(random, 30) ? 1 : 0;
        last = HL_OUTCOME_REFUSED;
    } else {
        last = HL_OUTCOME_WRONG_NUMBER;
    }
    hl_time at = call_instant(random, completed + random_range(random, HOUR, 30 * HOUR));
    for (int call = 0; call <= unanswered; call++) {
        if (call > 0)
            at = call_instant(random, at + random_range(random, 2 * HOUR, 6 * HOUR));
        survey->at[call] = at;
        survey->outcome[call] = call < unanswered
                                    ? (chance(random, 75) ? HL_OUTCOME_NO_ANSWER : HL_OUTCOME_BUSY)
                                    : last;
    }
    survey->call_count = unanswered + 1;
    planning->plan->calls[round - 1] += survey->call_count;
    return HL_OK;
}

static bool is_dissatisfied(survey_case result)
{
    return result == CASE_DISSATISFIED || result == CASE_VERY_DISSATISFIED;
}

/* After a dissatisfied survey reopened the order at `reopened`: the unit
 * signs again at once and, when the new deadline and the month allow and
 * `may_complete`, handles and completes it before the month ends. Returns
 * whether it is completed again. */
static bool plan_second_round(planner *planning, hl_taiyuan_order *order, hl_time reopened,
                              bool may_complete)
{
    const hl_calendar *calendar = planning->calendar;
    uint64_t *random = &planning->random;
    hl_time sign_deadline = hl_calendar_deadline(calendar, reopened, planning->limits->sign_days);
    hl_time handle_deadline =
        hl_calendar_deadline(calendar, reopened, handle_days_of(planning, order));
    hl_time from = reopened + 10 * MINUTE;
    order->resigned_at =
        random_work_instant(calendar, random, from,
                            min_time(sign_deadline, next_work_instant(calendar, from) + 4 * HOUR));
    hl_time cursor = order->resigned_at;
    hl_time noted = 0, completed;
    if (!may_complete || cursor + HOUR >= planning->last_work)
        return false;
    if (chance(random, 60) &&
        random_work_within(
            calendar, random, cursor + 10 * MINUTE,
            min_time(min_time(handle_deadline, cursor + DAY), planning->last_work - HOUR), &noted))
        cursor = noted;
    hl_time start = cursor + 30 * MINUTE;
    hl_time span = random_range(random, 1, handle_days_of(planning, order) + 1) * DAY;
    if (!random_work_within(calendar, random, start,
                            min_time(min_time(handle_deadline, planning->last_work), start + span),
                            &completed))
        return false;
    order->renoted_at = noted;
    order->recompleted_at = completed;
    return true;
}

/* An order still with its unit on 29 February. */
static void plan_open_story(planner *planning, hl_taiyuan_order *order)
{
    const hl_calendar *calendar = planning->calendar;
    const hl_limits *limits = planning->limits;
    uint64_t *random = &planning->random;
    hl_time last = planning->last_work;
    hl_time dispatched = order->received_at + random_range(random, 5 * MINUTE, 60 * MINUTE);
    order->dispatched_at = dispatched;
    hl_time sign_deadline = hl_calendar_deadline(calendar, dispatched, limits->sign_days);
    hl_time return_deadline = hl_calendar_deadline(calendar, dispatched, limits->return_days);
    hl_time handle_deadline =
        hl_calendar_deadline(calendar, dispatched, handle_days_of(planning, order));
    hl_time feb28_noon = hl_clock_start_of_day(planning->first_day + 27) + 12 * HOUR;
    int draw = (int)random_range(random, 0, 100);
    hl_time instant;

    if ((draw < 20 && dispatched >= feb28_noon) || draw < 4) {
        order->open_stage = HL_TAIYUAN_OPEN_DISPATCHED;
        if (sign_deadline < last) {
            /* Not signed for in time: reminded, then supervised. */
            order->reminded_at = dispatched + (sign_deadline - dispatched) / 2;
            if (random_work_within(calendar, random, sign_deadline + 1, last, &instant))
                order->supervised_at = instant;
        }
        return;
    }
    if (draw < 12 && random_work_within(calendar, random, dispatched + 20 * MINUTE,
                                        min_time(return_deadline, last), &instant)) {
        order->open_stage = HL_TAIYUAN_OPEN_RETURNED;
        order->returned_at = instant;
        return;
    }
    hl_time from = dispatched + 10 * MINUTE;
    if (!random_work_within(
            calendar, random, from,
            min_time(min_time(sign_deadline, last), next_work_instant(calendar, from) + 5 * HOUR),
            &instant)) {
        order->open_stage = HL_TAIYUAN_OPEN_DISPATCHED;
        return;
    }
    order->signed_at = instant;
    order->open_stage = HL_TAIYUAN_OPEN_HANDLING;
    hl_time cursor = instant;
    bool overdue = handle_deadline < last - 2 * HOUR;
    if (!overdue && chance(random, 15) &&
        random_work_within(calendar, random, cursor + 30 * MINUTE, min_time(last, handle_deadline),
                           &instant)) {
        order->open_stage = HL_TAIYUAN_OPEN_EXTENSION;
        order->extension_at = instant;
        order->extension_days = (int)random_range(random, 3, 6);
        cursor = instant;
    }
    if (chance(random, 70) && random_work_within(calendar, random, cursor + 10 * MINUTE,
                                                 min_time(last, cursor + DAY), &instant)) {
        order->noted_at = instant;
        cursor = instant;
    }
    if (overdue) {
        order->open_stage = HL_TAIYUAN_OPEN_OVERDUE;
        order->reminded_at = max_time(cursor + 10 * MINUTE,
                                      handle_deadline - random_range(random, 2 * HOUR, 6 * HOUR));
        if (random_work_within(calendar, random,
                               max_time(handle_deadline + 1, order->reminded_at + 10 * MINUTE),
                               last, &instant))
            order->supervised_at = instant;
    }
}

/* The days orders arrive: fewer on rest days and in the Spring Festival
 * week; the base thins out towards the end of the month (its orders must
 * be completed by then), while open orders are the month's last ones. */
static void plan_day_weights(planner *planning)
{
    for (int day = 0; day < 29; day++) {
        int32_t number = planning->first_day + day;
        int weight = hl_calendar_is_working_day(planning->calendar, number) ? 10 : 6;
        if (day >= 9 && day <= 16)
            weight = 4; /* 10-17 February: 春节 */
        planning->base_day_weight[day] = day >= 28   ? 0
                                         : day >= 21 ? weight * (28 - day) / 7 + 1
                                                     : weight;
        planning->open_day_weight[day] = day >= 20 ? weight * (day - 18) : 0;
    }
}

static int plan_orders(planner *planning, hl_error *error)
{
    hl_taiyuan_plan *plan = planning->plan;
    uint64_t *random = &planning->random;
    hl_time base_latest =
        hl_clock_start_of_day(planning->first_day + 27) + 12 * HOUR; /* 28 Feb noon */
    hl_time month_latest =
        hl_clock_start_of_day(planning->first_day + 28) + 16 * HOUR; /* 29 Feb 16:00 */
    int result = HL_OK;

    /* The base, unit by unit: each of its survey results becomes one order. */
    for (size_t unit = 0; unit < plan->unit_count && result == HL_OK; unit++) {
        hl_taiyuan_unit *record = &plan->units[unit];
        int64_t amounts[CASE_COUNT] = {
            record->very_satisfied, record->satisfied_rating,   record->basic,
            record->dissatisfied,   record->very_dissatisfied,  record->failed_no_answer,
            record->failed_refused, record->failed_wrong_number};
        size_t total = (size_t)record->base, filled = 0;
        unsigned char *cases = hl_xmalloc(total);
        for (int kind = 0; kind < CASE_COUNT; kind++)
            for (int64_t copy = 0; copy < amounts[kind] && filled < total; copy++)
                cases[filled++] = (unsigned char)kind;
        for (size_t index = total; index > 1; index--) {
            size_t other = (size_t)random_range(random, 0, (int64_t)index);
            unsigned char swap = cases[index - 1];
            cases[index - 1] = cases[other];
            cases[other] = swap;
        }
        /* Each case is an order's first survey; a dissatisfied one reopens
         * the order, and when its second completion fits in the month the
         * next case that is not dissatisfied is that completion's survey
         * (so that reopening stops after one round). */
        for (size_t index = 0; index < filled && result == HL_OK;) {
            hl_taiyuan_order *order = new_order(planning, HL_TAIYUAN_BASE_ORDER, (int)unit);
            choose_topic(planning, order);
            order->received_at = random_received(planning, planning->base_day_weight, base_latest);
            plan_completed_story(planning, order, false);
            survey_case first = (survey_case)cases[index++];
            result =
                plan_calls(planning, &order->survey, order->completed_at, first, record, 1, error);
            if (result != HL_OK || !is_dissatisfied(first))
                continue;
            size_t second = index;
            while (second < filled && is_dissatisfied((survey_case)cases[second]))
                second++;
            hl_time reopened = order->survey.at[order->survey.call_count - 1];
            if (!plan_second_round(planning, order, reopened, second < filled))
                continue;
            unsigned char swap = cases[second];
            cases[second] = cases[index];
            cases[index] = swap;
            result = plan_calls(planning, &order->resurvey, order->recompleted_at,
                                (survey_case)cases[index++], record, 2, error);
            plan->second_rounds++;
        }
        free(cases);
        if (result == HL_OK && filled != total)
            result = plan_fail(error, "a unit's survey results do not add up to its base");
    }
    size_t base_orders = plan->order_count;

    /* The order whose appeal is upheld: the citizen gave a number that does not exist. */
    int appeal_unit = hl_taiyuan_unit_index(plan, APPEAL_UPHELD_UNIT);
    if (result == HL_OK && appeal_unit < 0)
        result = plan_fail(error, "the unit of the upheld appeal is missing");
    if (result == HL_OK) {
        hl_taiyuan_unit scratch = {0};
        hl_taiyuan_order *order = new_order(planning, HL_TAIYUAN_APPEALED, appeal_unit);
        plan->appealed_order = plan->order_count - 1;
        choose_topic(planning, order);
        order->received_at =
            hl_clock_start_of_day(planning->first_day + 18) + 10 * HOUR + 12 * MINUTE;
        plan_completed_story(planning, order, true);
        result = plan_calls(planning, &order->survey, order->completed_at, CASE_WRONG_NUMBER,
                            &scratch, 1, error);
        hl_time surveyed = order->survey.at[order->survey.call_count - 1];
        order->appeal_at = next_work_instant(planning->calendar, surveyed + HOUR) +
                           random_range(random, 0, 2 * HOUR);
        order->appeal_decided_at = next_work_instant(planning->calendar, order->appeal_at + DAY);
    }
    /* A rejected appeal: a unit contests a refusal, which is no ground. */
    int rejected_unit = hl_taiyuan_unit_index(plan, APPEAL_REJECTED_UNIT);
    plan->rejected_appeal_order = SIZE_MAX;
    hl_time feb20 = hl_clock_start_of_day(planning->first_day + 19);
    for (size_t index = 0; index < base_orders && result == HL_OK && rejected_unit >= 0; index++) {
        hl_taiyuan_order *order = &plan->orders[index];
        if (order->unit != rejected_unit ||
            order->survey.outcome[order->survey.call_count - 1] != HL_OUTCOME_REFUSED ||
            order->completed_at >= feb20)
            continue;
        hl_time surveyed = order->survey.at[order->survey.call_count - 1];
        order->appeal_at = next_work_instant(planning->calendar, surveyed + 2 * HOUR);
        order->appeal_decided_at = next_work_instant(planning->calendar, order->appeal_at + DAY);
        plan->rejected_appeal_order = index;
        break;
    }

    /* Orders that never enter the base. */
    for (int index = 0; index < INTAKE_ORDERS && result == HL_OK; index++) {
        /* Questions the agent can answer on the call: a unit's inquiry topics. */
        int unit, chosen = -1;
        do {
            unit = random_unit(planning);
            int offset = (int)random_range(random, 0, planning->unit_topic_count[unit]);
            for (int step = 0; step < planning->unit_topic_count[unit] && chosen < 0; step++) {
                int candidate =
                    planning->unit_topics[unit][(offset + step) % planning->unit_topic_count[unit]];
                if (topics[candidate].type == HL_TYPE_INQUIRY)
                    chosen = candidate;
            }
        } while (chosen < 0);
        hl_taiyuan_order *order = new_order(planning, HL_TAIYUAN_INTAKE, unit);
        order->topic = chosen;
        order->type = HL_TYPE_INQUIRY;
        order->received_at = random_received(planning, planning->base_day_weight, month_latest);
        order->closed_at = order->received_at + random_range(random, 3 * MINUTE, 15 * MINUTE);
    }
    for (int index = 0; index < INVALID_ORDERS && result == HL_OK; index++) {
        hl_taiyuan_order *order = new_order(planning, HL_TAIYUAN_INVALID, -1);
        order->topic =
            planning->invalid_topics[random_range(random, 0, planning->invalid_topic_count)];
        order->type = topics[order->topic].type;
        order->channel = HL_CHANNEL_PHONE;
        order->received_at = random_received(planning, planning->base_day_weight, month_latest);
        order->closed_at = order->received_at + random_range(random, 10 * MINUTE, 60 * MINUTE);
    }
    hl_time feb28 = hl_clock_start_of_day(planning->first_day + 27);
    for (int index = 0; index < MERGED_ORDERS && result == HL_OK; index++) {
        size_t target;
        do
            target = (size_t)random_range(random, 0, (int64_t)base_orders);
        while (plan->orders[target].received_at >= feb28);
        hl_taiyuan_order *order = new_order(planning, HL_TAIYUAN_MERGED, plan->orders[target].unit);
        order->merge_into = target;
        order->topic = plan->orders[target].topic;
        order->type = plan->orders[target].type;
        order->place_seed = plan->orders[target].place_seed; /* the same place, another caller */
        order->received_at =
            plan->orders[target].received_at + random_range(random, HOUR, 36 * HOUR);
        order->closed_at = order->received_at + random_range(random, 10 * MINUTE, 40 * MINUTE);
    }
    for (int index = 0; index < OPEN_ORDERS && result == HL_OK; index++) {
        hl_taiyuan_order *order = new_order(planning, HL_TAIYUAN_OPEN, random_unit(planning));
        choose_topic(planning, order);
        order->received_at = random_received(planning, planning->open_day_weight, month_latest);
        plan_open_story(planning, order);
    }
    return result;
}

typedef struct order_key {
    hl_time received_at;
    size_t index;
} order_key;

static int compare_keys(const void *left, const void *right)
{
    const order_key *a = left, *b = right;
    if (a->received_at != b->received_at)
        return a->received_at < b->received_at ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Numbers in the order of receipt: the day, then its sequence. */
static void plan_numbers(hl_taiyuan_plan *plan)
{
    order_key *keys = hl_xmalloc(plan->order_count * sizeof *keys);
    for (size_t index = 0; index < plan->order_count; index++)
        keys[index] = (order_key){plan->orders[index].received_at, index};
    qsort(keys, plan->order_count, sizeof *keys, compare_keys);
    plan->by_number = hl_xmalloc(plan->order_count * sizeof *plan->by_number);
    int64_t prefix = 0, sequence = 0;
    for (size_t index = 0; index < plan->order_count; index++) {
        hl_taiyuan_order *order = &plan->orders[keys[index].index];
        int64_t day_prefix = hl_order_number_prefix(order->received_at);
        if (day_prefix != prefix) {
            prefix = day_prefix;
            sequence = 0;
        }
        order->number = prefix + ++sequence;
        plan->by_number[index] = keys[index].index;
    }
    free(keys);
}

int hl_taiyuan_unit_index(const hl_taiyuan_plan *plan, const char *code)
{
    for (size_t unit = 0; unit < plan->unit_count; unit++)
        if (strcmp(plan->units[unit].code, code) == 0)
            return (int)unit;
    return -1;
}

int hl_taiyuan_plan_build(const hl_calendar *calendar, const hl_limits *limits,
                          hl_taiyuan_plan **out, hl_error *error)
{
    *out = NULL;
    hl_taiyuan_plan *plan = hl_xcalloc(1, sizeof *plan);
    planner *planning = hl_xcalloc(1, sizeof *planning);
    planning->calendar = calendar;
    planning->limits = limits;
    planning->random = TAIYUAN_SEED;
    planning->plan = plan;
    planning->first_day = hl_clock_day_from_civil(2024, 2, 1);
    planning->last_work = hl_clock_start_of_day(hl_clock_day_from_civil(2024, 2, 29)) + WORK_END;
    plan_day_weights(planning);
    int result = parse_units(plan, error);
    if (result == HL_OK)
        result = parse_categories(planning, error);
    if (result == HL_OK) {
        planning->unit_topics = hl_xcalloc(plan->unit_count, sizeof *planning->unit_topics);
        planning->unit_topic_count =
            hl_xcalloc(plan->unit_count, sizeof *planning->unit_topic_count);
        planning->weights = hl_xcalloc(plan->unit_count, sizeof *planning->weights);
        result = assign_topics(planning, error);
    }
    if (result == HL_OK)
        result = plan_counts(planning, error);
    if (result == HL_OK) {
        size_t capacity = (size_t)HL_TAIYUAN_BASE + INTAKE_ORDERS + INVALID_ORDERS + MERGED_ORDERS +
                          OPEN_ORDERS + 1;
        plan->orders = hl_xmalloc(capacity * sizeof *plan->orders);
        result = plan_orders(planning, error);
    }
    if (result == HL_OK) {
        plan_numbers(plan);
        result = hl_taiyuan_plan_check(plan, error);
    }
    free(planning->unit_topics);
    free(planning->unit_topic_count);
    free(planning->weights);
    free(planning);
    if (result != HL_OK) {
        hl_taiyuan_plan_free(plan);
        return result;
    }
    *out = plan;
    return HL_OK;
}

void hl_taiyuan_plan_free(hl_taiyuan_plan *plan)
{
    if (plan == NULL)
        return;
    free(plan->units);
    free(plan->orders);
    free(plan->by_number);
    free(plan);
}

/* ---- the invariants ---- */

static int unit_fail(hl_error *error, const hl_taiyuan_unit *unit, const char *what)
{
    return hl_error_set(error, HL_EINVAL, "plan", "taiyuan plan: %s: %s", unit->code, what);
}

static int order_fail(hl_error *error, const hl_taiyuan_order *order, const char *what)
{
    char number[24];
    hl_order_format_number(order->number, number, sizeof number);
    return hl_error_set(error, HL_EINVAL, "plan", "taiyuan plan: order %s: %s", number, what);
}

/* Walks an order's story in the order its steps are taken: each step must
 * come at or after the one before, each survey call strictly after. */
typedef struct story_walk {
    hl_time previous;
    const char *fault; /* the first step out of order, or NULL */
} story_walk;

static void walk_step(story_walk *walk, hl_time at, const char *name)
{
    if (walk->fault != NULL || at == 0)
        return;
    if (at < walk->previous)
        walk->fault = name;
    else
        walk->previous = at;
}

static void walk_calls(story_walk *walk, const hl_taiyuan_survey *survey, const char *name)
{
    for (int call = 0; call < survey->call_count && walk->fault == NULL; call++) {
        if (survey->at[call] <= walk->previous)
            walk->fault = name;
        else
            walk->previous = survey->at[call];
    }
}

static const char *story_out_of_order(const hl_taiyuan_order *order)
{
    story_walk walk = {0, NULL};
    walk_step(&walk, order->received_at, "received");
    walk_step(&walk, order->dispatched_at, "dispatched");
    walk_step(&walk, order->returned_at, "returned");
    walk_step(&walk, order->return_decided_at, "return decided");
    walk_step(&walk, order->signed_at, "signed");
    walk_step(&walk, order->extension_at, "extension asked");
    walk_step(&walk, order->extension_decided_at, "extension decided");
    walk_step(&walk, order->noted_at, "noted");
    walk_step(&walk, order->reminded_at, "reminded");
    walk_step(&walk, order->supervised_at, "supervised");
    walk_step(&walk, order->completed_at, "completed");
    walk_step(&walk, order->closed_at, "closed");
    walk_calls(&walk, &order->survey, "survey call");
    walk_step(&walk, order->resigned_at, "signed again");
    walk_step(&walk, order->renoted_at, "noted again");
    walk_step(&walk, order->recompleted_at, "completed again");
    walk_calls(&walk, &order->resurvey, "second survey call");
    walk_step(&walk, order->appeal_at, "appeal");
    walk_step(&walk, order->appeal_decided_at, "appeal decided");
    return walk.fault;
}

int hl_taiyuan_plan_check(const hl_taiyuan_plan *plan, hl_error *error)
{
    int64_t base = 0, succeeded = 0, satisfied = 0;
    int64_t(*counted)[CASE_COUNT] = hl_xcalloc(plan->unit_count, sizeof *counted);
    int64_t *resolved = hl_xcalloc(plan->unit_count, sizeof *resolved);
    int result = HL_OK;
    hl_time month_start = hl_clock_start_of_day(hl_clock_day_from_civil(2024, 2, 1));
    hl_time month_end = hl_clock_start_of_day(hl_clock_day_from_civil(2024, 3, 1));

    for (size_t unit = 0; unit < plan->unit_count && result == HL_OK; unit++) {
        const hl_taiyuan_unit *record = &plan->units[unit];
        if (!(record->base >= record->succeeded && record->succeeded >= record->satisfied &&
              record->satisfied >= 0))
            result = unit_fail(error, record, "not base >= succeeded >= satisfied >= 0");
        else if (record->succeeded < HL_TAIYUAN_MIN_REACHED)
            result = unit_fail(error, record, "too few reached surveys to be ranked");
        else if (record->very_satisfied + record->satisfied_rating != record->satisfied ||
                 record->satisfied + record->basic + record->dissatisfied +
                         record->very_dissatisfied !=
                     record->succeeded ||
                 record->succeeded + record->failed_no_answer + record->failed_refused +
                         record->failed_wrong_number !=
                     record->base ||
                 record->very_satisfied < 0 || record->satisfied_rating < 0 || record->basic < 0 ||
                 record->dissatisfied < 0 || record->very_dissatisfied < 0 ||
                 record->failed_no_answer < 0 || record->failed_refused < 0 ||
                 record->failed_wrong_number < 0)
            result = unit_fail(error, record, "the ratings and failures do not add up");
        /* Strictly below every unit ranked above it in its group. */
        for (size_t above = 0; above < unit && result == HL_OK; above++) {
            const hl_taiyuan_unit *higher = &plan->units[above];
            if (higher->group_index != record->group_index)
                continue;
            if (higher->rank >= record->rank || !rate_above(higher->satisfied, higher->succeeded,
                                                            record->satisfied, record->succeeded))
                result =
                    unit_fail(error, record,
                              "its satisfaction rate is not strictly below a unit ranked above");
        }
        base += record->base;
        succeeded += record->succeeded;
        satisfied += record->satisfied;
    }
    if (result == HL_OK && (base != HL_TAIYUAN_BASE || succeeded != HL_TAIYUAN_SUCCEEDED ||
                            satisfied != HL_TAIYUAN_SATISFIED || plan->base != base ||
                            plan->succeeded != succeeded || plan->satisfied != satisfied))
        result = hl_error_set(error, HL_EINVAL, "plan", "taiyuan plan: totals %lld / %lld / %lld",
                              (long long)base, (long long)succeeded, (long long)satisfied);

    int64_t kinds[HL_TAIYUAN_APPEALED + 1] = {0}, calls[2] = {0, 0}, surveys = 0, second_rounds = 0;
    for (size_t index = 0; index < plan->order_count && result == HL_OK; index++) {
        const hl_taiyuan_order *order = &plan->orders[index];
        kinds[order->kind]++;
        calls[0] += order->survey.call_count;
        calls[1] += order->resurvey.call_count;
        bool surveyed = order->kind == HL_TAIYUAN_BASE_ORDER || order->kind == HL_TAIYUAN_APPEALED;
        bool reopened = order->survey.rating == HL_RATING_DISSATISFIED ||
                        order->survey.rating == HL_RATING_VERY_DISSATISFIED;
        if (index > 0 && plan->orders[plan->by_number[index]].number <=
                             plan->orders[plan->by_number[index - 1]].number)
            result =
                order_fail(error, &plan->orders[plan->by_number[index]], "numbers out of order");
        else if (order->received_at < month_start || order->received_at >= month_end)
            result = order_fail(error, order, "not received in February");
        else if (story_out_of_order(order) != NULL)
            result = hl_error_set(error, HL_EINVAL, "plan",
                                  "taiyuan plan: order %lld: %s out of time order",
                                  (long long)order->number, story_out_of_order(order));
        else if (surveyed && (order->completed_at == 0 || order->completed_at >= month_end ||
                              order->survey.call_count < 1))
            result = order_fail(error, order, "not completed and surveyed in February");
        else if (!surveyed && (order->completed_at != 0 || order->survey.call_count != 0 ||
                               order->resigned_at != 0))
            result = order_fail(error, order, "completed or surveyed outside the base");
        else if (reopened != (order->resigned_at != 0))
            result =
                order_fail(error, order, "signed again without a dissatisfied survey, or never");
        else if ((order->recompleted_at != 0) != (order->resurvey.call_count > 0) ||
                 order->recompleted_at >= month_end)
            result =
                order_fail(error, order, "a second completion outside February or not surveyed");
        else if (order->kind == HL_TAIYUAN_OPEN &&
                 (order->dispatched_at == 0 ||
                  max_time(max_time(order->supervised_at, order->extension_at),
                           order->returned_at) >= month_end))
            result = order_fail(error, order, "an open order's steps leave February");
        else if (order->kind == HL_TAIYUAN_MERGED &&
                 plan->orders[order->merge_into].received_at > order->received_at)
            result = order_fail(error, order, "merged into a later order");
        if (result != HL_OK || order->kind != HL_TAIYUAN_BASE_ORDER)
            continue;
        /* Each survey of the base is one case of its unit's counts. */
        const hl_taiyuan_survey *rounds[2] = {&order->survey, &order->resurvey};
        for (int round = 0; round < 2 && result == HL_OK; round++) {
            const hl_taiyuan_survey *survey = rounds[round];
            if (survey->call_count == 0)
                continue;
            hl_survey_outcome last = survey->outcome[survey->call_count - 1];
            survey_case kind = last == HL_OUTCOME_REACHED
                                   ? (survey_case)(survey->rating - HL_RATING_VERY_SATISFIED)
                               : last == HL_OUTCOME_REFUSED      ? CASE_REFUSED
                               : last == HL_OUTCOME_WRONG_NUMBER ? CASE_WRONG_NUMBER
                                                                 : CASE_NO_ANSWER;
            if ((last == HL_OUTCOME_REACHED) != (survey->rating != HL_RATING_NONE))
                result = order_fail(error, order, "a rating does not match its last call");
            else if (round == 1 && is_dissatisfied(kind))
                result = order_fail(error, order,
                                    "a second survey is dissatisfied: reopening would not stop");
            counted[order->unit][kind]++;
            resolved[order->unit] += survey->resolved == HL_RESOLVED_YES;
            surveys++;
        }
        second_rounds += order->recompleted_at != 0;
    }
    for (size_t unit = 0; unit < plan->unit_count && result == HL_OK; unit++) {
        const hl_taiyuan_unit *record = &plan->units[unit];
        int64_t expected[CASE_COUNT] = {
            record->very_satisfied, record->satisfied_rating,   record->basic,
            record->dissatisfied,   record->very_dissatisfied,  record->failed_no_answer,
            record->failed_refused, record->failed_wrong_number};
        if (memcmp(expected, counted[unit], sizeof expected) != 0 ||
            resolved[unit] != record->resolved)
            result = unit_fail(error, record, "its orders do not give its counts");
    }
    for (int kind = 0; kind <= HL_TAIYUAN_APPEALED && result == HL_OK; kind++)
        if (kinds[kind] != plan->kind_count[kind])
            result = hl_error_set(error, HL_EINVAL, "plan",
                                  "taiyuan plan: orders of kind %d miscounted", kind);
    if (result == HL_OK &&
        (calls[0] != plan->calls[0] || calls[1] != plan->calls[1] || surveys != HL_TAIYUAN_BASE ||
         second_rounds != plan->second_rounds || kinds[HL_TAIYUAN_APPEALED] != 1 ||
         plan->orders[plan->appealed_order].kind != HL_TAIYUAN_APPEALED))
        result = plan_fail(error, "the order list does not match the base");
    free(counted);
    free(resolved);
    return result;
}

/* ---- settings ---- */

int hl_taiyuan_configure(hl_app *app, hl_error *error)
{
    int result = hl_report_set(app, "report.group_order", "市直单位,县市区(开发区)", error);
    if (result == HL_OK)
        result = hl_report_set(app, "report.title", "太原市人民政府12345政务服务便民热线", error);
    if (result == HL_OK)
        result = hl_report_set(app, "report.hotline_name", "市政府12345政务服务便民热线", error);
    /* A dissatisfied citizen's order goes back to its unit; that reopening
     * must leave the month of the survey as it was counted. */
    if (result == HL_OK)
        result = hl_app_set_limit(app, "reopen_dissatisfied", "1", error);
    return result;
}

/* ---- the registration CSV ---- */

static const char *pick(const char *const *choices, size_t count, uint64_t *random)
{
    return choices[next_random(random) % count];
}

static void append_time(hl_buf *out, hl_time instant)
{
    char text[40];
    hl_clock_format_local(instant, text, sizeof text);
    hl_buf_append_str(out, text);
}

static void append_number(hl_buf *out, int64_t number)
{
    char text[24];
    hl_order_format_number(number, text, sizeof text);
    hl_buf_append_str(out, text);
}

/* Where the matter is: the district the unit governs, or for a municipal
 * unit one of the city's districts. */
static const district *place_of(const hl_taiyuan_plan *plan, const hl_taiyuan_order *order,
                                uint64_t *random)
{
    int index = order->unit >= 0 ? district_of(plan->units[order->unit].code) : -1;
    if (index >= 0)
        return &districts[index];
    int total = 0;
    for (size_t other = 0; other < DISTRICT_COUNT; other++)
        total += districts[other].weight;
    int point = (int)random_range(random, 0, total);
    for (size_t other = 0; other < DISTRICT_COUNT; other++) {
        if (point < districts[other].weight)
            return &districts[other];
        point -= districts[other].weight;
    }
    return &districts[0];
}

static void append_order_row(hl_buf *out, const hl_taiyuan_plan *plan,
                             const hl_taiyuan_order *order)
{
    uint64_t random = order->seed, place_random = order->place_seed;
    const topic *matter = &topics[order->topic];
    bool invalid = order->kind == HL_TAIYUAN_INVALID;
    append_number(out, order->number);
    hl_buf_append_char(out, ',');
    append_time(out, order->received_at);
    hl_buf_appendf(out, ",%s,%s,%s,", hl_order_channel_name(order->channel),
                   hl_order_type_name(order->type), matter->category);
    /* The caller. */
    if (!invalid)
        hl_buf_appendf(out, "%s%s", pick(surnames, COUNT_OF(surnames), &random),
                       next_random(&random) % 2 ? "先生" : "女士");
    hl_buf_appendf(out, ",%s%08d,", pick(phone_prefixes, COUNT_OF(phone_prefixes), &random),
                   (int)(next_random(&random) % 100000000));
    /* The place. */
    hl_buf address;
    hl_buf_init(&address);
    const district *area = place_of(plan, order, &place_random);
    if (!invalid)
        hl_buf_appendf(&address, "太原市%s%s%d号", area->name,
                       area->places[next_random(&place_random) % COUNT_OF(area->places)],
                       (int)random_range(&place_random, 1, 400));
    const char *address_text = address.len > 0 ? address.data : "";
    hl_buf_append_csv_field(out, address_text);
    hl_buf_append_char(out, ',');
    bool located =
        !invalid && (order->channel == HL_CHANNEL_APP || order->channel == HL_CHANNEL_WECHAT);
    if (located)
        hl_buf_appendf(out, "%.6f,%.6f",
                       area->latitude + (random_fraction(&place_random) - 0.5) * 0.04,
                       area->longitude + (random_fraction(&place_random) - 0.5) * 0.05);
    else
        hl_buf_append_char(out, ',');
    hl_buf_append_char(out, ',');
    hl_buf_append_csv_field(out, matter->title);
    hl_buf_append_char(out, ',');
    /* What was said. */
    hl_buf content;
    hl_buf_init(&content);
    static const char *const openings[HL_CHANNEL_COUNT] = {
        [HL_CHANNEL_PHONE] = "市民来电反映：",
        [HL_CHANNEL_WEB] = "市民网站留言：",
        [HL_CHANNEL_APP] = "市民通过手机应用反映：",
        [HL_CHANNEL_WECHAT] = "市民通过微信公众号反映：",
        [HL_CHANNEL_OPEN311] = "市民通过开放接口反映：",
        [HL_CHANNEL_OTHER] = "市民来信反映：",
    };
    hl_buf_append_str(&content, invalid ? "" : openings[order->channel]);
    if (matter->placed && !invalid) {
        hl_buf_append_str(&content, address_text);
        hl_buf_append_str(&content, "，");
    }
    hl_buf_append_str(&content, matter->detail);
    hl_buf_append_str(&content, "。");
    if (!invalid) {
        hl_buf_append_str(&content, matter->ask);
        hl_buf_append_str(&content, "。");
    }
    hl_buf_append_csv_field(out, content.data);
    hl_buf_append_char(out, '\n');
    hl_buf_free(&content);
    hl_buf_free(&address);
}

void hl_taiyuan_write_orders_csv(const hl_taiyuan_plan *plan, hl_buf *out)
{
    hl_buf_append_str(out,
                      "number,received_at,channel,type,category,citizen_name,citizen_phone,address,"
                      "latitude,longitude,title,content\n");
    for (size_t index = 0; index < plan->order_count; index++)
        append_order_row(out, plan, &plan->orders[plan->by_number[index]]);
}

/* ---- the lifecycle ---- */

typedef struct runner {
    hl_app *app;
    const hl_taiyuan_plan *plan;
    hl_app_scratch *scratch;
    int64_t actions;
    hl_error *error;
} runner;

static int act(runner *run, const hl_taiyuan_order *order, const char *actor, hl_action action,
               const hl_app_request *request, hl_time at)
{
    static const hl_app_request no_request = {0};
    int result =
        hl_app_act_within(run->app, actor, order->number, action,
                          request != NULL ? request : &no_request, at, run->scratch, run->error);
    if (result != HL_OK) {
        /* Name the order and the step: a failure here is a bug of the plan. */
        char number[24], message[HL_ERROR_MESSAGE_MAX];
        hl_order_format_number(order->number, number, sizeof number);
        snprintf(message, sizeof message, "%s", run->error->message);
        return hl_error_set(run->error, result, "plan", "taiyuan %s %s: %s", number,
                            hl_workflow_rule_of(action)->name, message);
    }
    run->actions++;
    return HL_OK;
}

static void handler_of(const hl_taiyuan_plan *plan, int unit, char *out, size_t size)
{
    snprintf(out, size, "h-%s", plan->units[unit].code);
}

/* Dispatch, returns, signing, extension, notes, reminders, supervision, completion. */
static int run_unit_steps(runner *run, const hl_taiyuan_order *order)
{
    const hl_taiyuan_plan *plan = run->plan;
    uint64_t random = order->seed ^ 0x5DEECE66Dull;
    char handler[HL_CODE_BYTES + 8], wrong_handler[HL_CODE_BYTES + 8] = "";
    handler_of(plan, order->unit, handler, sizeof handler);
    if (order->wrong_unit >= 0)
        handler_of(plan, order->wrong_unit, wrong_handler, sizeof wrong_handler);
    bool misrouted = order->route == HL_TAIYUAN_MISROUTED;
    hl_app_request request = {0};
    request.unit = plan->units[misrouted ? order->wrong_unit : order->unit].code;
    int result = act(run, order, "dispatcher1", HL_ACTION_DISPATCH, &request, order->dispatched_at);
    if (result == HL_OK && order->returned_at != 0) {
        request = (hl_app_request){0};
        request.note = pick(return_notes, COUNT_OF(return_notes), &random);
        result = act(run, order, misrouted ? wrong_handler : handler, HL_ACTION_RETURN, &request,
                     order->returned_at);
    }
    if (result == HL_OK && order->return_decided_at != 0) {
        request = (hl_app_request){0};
        if (misrouted)
            request.unit = plan->units[order->unit].code;
        else
            request.note = "经核实属于该单位职责范围，请按时办理。";
        result =
            act(run, order, "dispatcher1", misrouted ? HL_ACTION_REASSIGN : HL_ACTION_RETURN_REJECT,
                &request, order->return_decided_at);
    }
    if (result == HL_OK && order->signed_at != 0)
        result = act(run, order, handler, HL_ACTION_SIGN, NULL, order->signed_at);
    if (result == HL_OK && order->extension_at != 0) {
        request = (hl_app_request){0};
        request.days = order->extension_days;
        request.note = pick(extension_notes, COUNT_OF(extension_notes), &random);
        result = act(run, order, handler, HL_ACTION_EXTEND_REQUEST, &request, order->extension_at);
    }
    if (result == HL_OK && order->extension_decided_at != 0) {
        request = (hl_app_request){0};
        request.note = order->extension_approved ? NULL : "延期理由不充分，请按原时限办结。";
        result = act(run, order, "supervisor1",
                     order->extension_approved ? HL_ACTION_EXTEND_APPROVE : HL_ACTION_EXTEND_REFUSE,
                     &request, order->extension_decided_at);
    }
    if (result == HL_OK && order->noted_at != 0) {
        request = (hl_app_request){0};
        request.note = pick(handle_notes, COUNT_OF(handle_notes), &random);
        result = act(run, order, handler, HL_ACTION_HANDLE, &request, order->noted_at);
    }
    if (result == HL_OK && order->reminded_at != 0) {
        request = (hl_app_request){0};
        request.note = "请抓紧办理，按时办结。";
        result = act(run, order, "dispatcher1", HL_ACTION_REMIND, &request, order->reminded_at);
    }
    if (result == HL_OK && order->supervised_at != 0) {
        request = (hl_app_request){0};
        request.note = "超期未办结，请于两个工作日内办结并说明原因。";
        result =
            act(run, order, "supervisor1", HL_ACTION_SUPERVISE, &request, order->supervised_at);
    }
    if (result == HL_OK && order->completed_at != 0) {
        request = (hl_app_request){0};
        request.note = pick(replies, COUNT_OF(replies), &random);
        result = act(run, order, handler, HL_ACTION_COMPLETE, &request, order->completed_at);
    }
    return result;
}

static int run_order(runner *run, const hl_taiyuan_order *order)
{
    uint64_t random = order->seed ^ 0x2545F4914F6CDD1Dull;
    hl_app_request request = {0};
    switch (order->kind) {
    case HL_TAIYUAN_INTAKE:
        request.note = pick(intake_notes, COUNT_OF(intake_notes), &random);
        return act(run, order, order->seed % 2 ? "agent1" : "agent2", HL_ACTION_RESOLVE, &request,
                   order->closed_at);
    case HL_TAIYUAN_INVALID:
        request.note = pick(invalid_notes, COUNT_OF(invalid_notes), &random);
        return act(run, order, "dispatcher1", HL_ACTION_INVALIDATE, &request, order->closed_at);
    case HL_TAIYUAN_MERGED:
        request.into = run->plan->orders[order->merge_into].number;
        return act(run, order, "dispatcher1", HL_ACTION_MERGE, &request, order->closed_at);
    case HL_TAIYUAN_BASE_ORDER:
    case HL_TAIYUAN_OPEN:
    case HL_TAIYUAN_APPEALED: return run_unit_steps(run, order);
    }
    return hl_error_set(run->error, HL_EINVAL, "plan", "unknown kind of order");
}

/* The unit's second round on an order a dissatisfied survey reopened. */
static int run_second_round(runner *run, const hl_taiyuan_order *order)
{
    if (order->resigned_at == 0)
        return HL_OK;
    uint64_t random = order->seed ^ 0x61C8864680B583EBull;
    char handler[HL_CODE_BYTES + 8];
    handler_of(run->plan, order->unit, handler, sizeof handler);
    int result = act(run, order, handler, HL_ACTION_SIGN, NULL, order->resigned_at);
    hl_app_request request = {0};
    if (result == HL_OK && order->renoted_at != 0) {
        request.note = "已再次联系诉求人，重新核实处理。";
        result = act(run, order, handler, HL_ACTION_HANDLE, &request, order->renoted_at);
    }
    if (result == HL_OK && order->recompleted_at != 0) {
        request.note = pick(replies, COUNT_OF(replies), &random);
        result = act(run, order, handler, HL_ACTION_COMPLETE, &request, order->recompleted_at);
    }
    return result;
}

int hl_taiyuan_run_lifecycle(hl_app *app, const hl_taiyuan_plan *plan, int round, int64_t *actions,
                             hl_error *error)
{
    if (actions != NULL)
        *actions = 0;
    if (round != 1 && round != 2)
        return hl_error_set(error, HL_EINVAL, "round", "the lifecycle has rounds 1 and 2");
    runner run = {app, plan, hl_app_scratch_new(), 0, error};
    /* Rebuilt at will: no fsync per batch (as the import does). */
    hl_store_set_bulk(app->store, true);
    int result = HL_OK;
    bool in_transaction = false;
    for (size_t index = 0; index < plan->order_count && result == HL_OK; index++) {
        if (!in_transaction) {
            result = hl_store_begin(app->store, error);
            in_transaction = result == HL_OK;
        }
        const hl_taiyuan_order *order = &plan->orders[plan->by_number[index]];
        if (result == HL_OK)
            result = round == 1 ? run_order(&run, order) : run_second_round(&run, order);
        if (result == HL_OK && (index + 1) % LIFECYCLE_BATCH == 0) {
            in_transaction = false;
            result = hl_store_commit(app->store, error);
            if (result != HL_OK)
                hl_store_rollback(app->store);
        }
    }
    if (in_transaction) {
        if (result == HL_OK)
            result = hl_store_commit(app->store, error);
        if (result != HL_OK)
            hl_store_rollback(app->store);
    }
    hl_store_set_bulk(app->store, false);
    hl_app_scratch_free(run.scratch);
    if (actions != NULL)
        *actions = run.actions;
    return result;
}

/* ---- the survey CSV ---- */

typedef struct call_key {
    hl_time at;
    int64_t number;
    size_t order;
    int call;
} call_key;

static int compare_calls(const void *left, const void *right)
{
    const call_key *a = left, *b = right;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    if (a->number != b->number)
        return a->number < b->number ? -1 : 1;
    return a->call - b->call;
}

void hl_taiyuan_write_surveys_csv(const hl_taiyuan_plan *plan, int round, hl_buf *out)
{
    hl_buf_append_str(out, "number,at,outcome,rating,resolved,comment,surveyor\n");
    if (round != 1 && round != 2)
        return;
    size_t count = 0, capacity = (size_t)plan->calls[round - 1];
    call_key *keys = hl_xmalloc((capacity + 1) * sizeof *keys);
    for (size_t index = 0; index < plan->order_count; index++) {
        const hl_taiyuan_survey *survey =
            round == 1 ? &plan->orders[index].survey : &plan->orders[index].resurvey;
        for (int call = 0; call < survey->call_count && count < capacity; call++)
            keys[count++] = (call_key){survey->at[call], plan->orders[index].number, index, call};
    }
    /* One call log by time, as the survey team's system exports it. */
    qsort(keys, count, sizeof *keys, compare_calls);
    for (size_t index = 0; index < count; index++) {
        const hl_taiyuan_order *order = &plan->orders[keys[index].order];
        const hl_taiyuan_survey *survey = round == 1 ? &order->survey : &order->resurvey;
        hl_survey_outcome outcome = survey->outcome[keys[index].call];
        append_number(out, order->number);
        hl_buf_append_char(out, ',');
        append_time(out, keys[index].at);
        hl_buf_appendf(out, ",%s,", hl_order_outcome_name(outcome));
        if (outcome == HL_OUTCOME_REACHED) {
            uint64_t random =
                order->seed ^ (round == 1 ? 0x9E3779B97F4A7C15ull : 0xD1B54A32D192ED03ull);
            hl_buf_appendf(out, "%s,%s,", hl_order_rating_name(survey->rating),
                           hl_order_resolved_name(survey->resolved));
            hl_buf_append_csv_field(out, pick(comments[survey->rating], 2, &random));
        } else {
            hl_buf_append_str(out, ",,");
        }
        hl_buf_append_str(out, ",surveyor1\n");
    }
    free(keys);
}

/* ---- appeals ---- */

static int run_appeal(hl_app *app, const hl_taiyuan_plan *plan, const hl_taiyuan_order *order,
                      bool upheld, int64_t *actions, hl_error *error)
{
    char handler[HL_CODE_BYTES + 8];
    handler_of(plan, order->unit, handler, sizeof handler);
    hl_app_request request = {0};
    request.note = upheld ? "市民登记的联系电话为空号，回访失败非本单位原因，申请不纳入考核。"
                          : "市民拒绝接受回访，非本单位原因，申请不纳入考核。";
    int result = hl_app_act(app, handler, order->number, HL_ACTION_APPEAL, &request,
                            order->appeal_at, NULL, error);
    if (result != HL_OK)
        return result;
    (*actions)++;
    request.note = upheld ? "经核实，市民登记的联系电话确为空号，申诉成立。"
                          : "市民拒访不属于可申诉情形，申诉驳回。";
    result = hl_app_act(app, "supervisor1", order->number,
                        upheld ? HL_ACTION_APPEAL_UPHOLD : HL_ACTION_APPEAL_REJECT, &request,
                        order->appeal_decided_at, NULL, error);
    if (result == HL_OK)
        (*actions)++;
    return result;
}

int hl_taiyuan_run_appeals(hl_app *app, const hl_taiyuan_plan *plan, int64_t *actions,
                           hl_error *error)
{
    int64_t count = 0;
    int result = run_appeal(app, plan, &plan->orders[plan->appealed_order], true, &count, error);
    if (result == HL_OK && plan->rejected_appeal_order != SIZE_MAX)
        result =
            run_appeal(app, plan, &plan->orders[plan->rejected_appeal_order], false, &count, error);
    if (actions != NULL)
        *actions = count;
    return result;
}
