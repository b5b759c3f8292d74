/* taiyuan_tables.c: the tables the Taiyuan month is drawn from.
 *
 * Each unit's volume of orders, the city's districts and their streets,
 * what citizens call about (topics, with their categories and types), and
 * the short texts of the story: callers' surnames, phone prefixes,
 * replies, notes and survey comments. Data only, and the lookups into
 * it; the plan (taiyuan_plan.c, taiyuan_story.c) decides what is drawn. */
#include "demo/taiyuan_internal.h"

#include <string.h>

#include "base/array.h"

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

/* One district per line reads better than the formatter's layout. */
/* clang-format off */
const hl_taiyuan_district hl_taiyuan_districts[] = {
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
const size_t hl_taiyuan_district_count = HL_COUNT_OF(hl_taiyuan_districts);

#define Q HL_TYPE_INQUIRY
#define H HL_TYPE_HELP
#define C HL_TYPE_COMPLAINT
#define R HL_TYPE_REPORT
#define S HL_TYPE_SUGGESTION
#define P HL_TYPE_PRAISE
const hl_taiyuan_topic hl_taiyuan_topics[] = {
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
const size_t hl_taiyuan_topic_count = HL_COUNT_OF(hl_taiyuan_topics);

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

int hl_taiyuan_volume_weight(const char *unit_code)
{
    int weight = DEFAULT_WEIGHT;
    for (size_t index = 0; index < HL_COUNT_OF(profiles); index++)
        if (strcmp(profiles[index].code, unit_code) == 0)
            weight = profiles[index].weight;
    return weight;
}

int hl_taiyuan_district_of(const char *code)
{
    for (size_t index = 0; index < hl_taiyuan_district_count; index++)
        if (strcmp(hl_taiyuan_districts[index].code, code) == 0)
            return (int)index;
    return -1;
}

const char *hl_taiyuan_pick(hl_taiyuan_text kind, uint64_t *random)
{
    static const struct {
        const char *const *items;
        size_t count;
    } lists[] = {
        [HL_TAIYUAN_SURNAME] = {surnames, HL_COUNT_OF(surnames)},
        [HL_TAIYUAN_PHONE_PREFIX] = {phone_prefixes, HL_COUNT_OF(phone_prefixes)},
        [HL_TAIYUAN_REPLY] = {replies, HL_COUNT_OF(replies)},
        [HL_TAIYUAN_RETURN_NOTE] = {return_notes, HL_COUNT_OF(return_notes)},
        [HL_TAIYUAN_HANDLE_NOTE] = {handle_notes, HL_COUNT_OF(handle_notes)},
        [HL_TAIYUAN_EXTENSION_NOTE] = {extension_notes, HL_COUNT_OF(extension_notes)},
        [HL_TAIYUAN_INTAKE_NOTE] = {intake_notes, HL_COUNT_OF(intake_notes)},
        [HL_TAIYUAN_INVALID_NOTE] = {invalid_notes, HL_COUNT_OF(invalid_notes)},
    };
    return lists[kind].items[next_random(random) % lists[kind].count];
}

const char *hl_taiyuan_comment(hl_rating rating, uint64_t *random)
{
    return comments[rating][next_random(random) % 2];
}
