"""Tables behind the demo district (infra.demo.district): units, posts, names and log phrasing.

The district is modelled on Jinjiang District, Chengdu (a district of a sub-provincial city: its
leaders are 局级, its bureau chiefs 正处级). Unit and place names are real-sounding; every person
is fictional, made up from common surnames and given-name characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from worklog.models.roster import Role

UnitKind = Literal[
    "leaders", "party", "org", "discipline", "office", "bureau", "commission", "school", "mass", "street"
]
ContentFamily = Literal["leaders", "org", "discipline", "office", "bureau", "street"]

CAT_LEADERS = "区领导"
CAT_PARTY = "区委工作机关"
CAT_DISCIPLINE = "纪检监察机关"
CAT_CONGRESS = "人大政协机关"
CAT_GOVERNMENT = "区政府工作部门"
CAT_MASS = "群团组织"
CAT_STREET = "街道"


@dataclass(frozen=True, slots=True)
class UnitSpec:
    unit_id: str
    name: str
    category: str
    kind: UnitKind
    subjects: tuple[str, ...]  # what the unit's people work on; feeds log content and plans


UNITS: tuple[UnitSpec, ...] = (
    UnitSpec("leaders", "区领导", CAT_LEADERS, "leaders",
             ("全区经济运行", "重大项目建设", "城市有机更新", "营商环境优化", "基层社会治理",
              "春熙路商圈提档升级")),
    # --- 区委工作机关 ---
    UnitSpec("qwb", "区委办公室", CAT_PARTY, "office",
             ("区委常委会议筹备", "重要文稿起草", "督查督办", "机要保密", "信息报送")),
    UnitSpec("zzb", "区委组织部", CAT_PARTY, "org",
             ("干部考察", "干部工作日志抽查", "基层党组织建设", "人才工作", "干部教育培训")),
    UnitSpec("xcb", "区委宣传部", CAT_PARTY, "party",
             ("理论学习中心组学习", "新闻宣传", "网络舆情处置", "全国文明城区创建")),
    UnitSpec("tzb", "区委统战部", CAT_PARTY, "party",
             ("民主党派联络", "非公有制经济人士服务", "民族宗教事务", "侨务工作")),
    UnitSpec("zfw", "区委政法委员会", CAT_PARTY, "commission",
             ("平安锦江建设", "矛盾纠纷排查化解", "综治中心规范化建设", "社区矫正")),
    UnitSpec("bb", "区委机构编制委员会办公室", CAT_PARTY, "office",
             ("机构改革", "编制核定", "事业单位登记管理")),
    UnitSpec("yjs", "区委政策研究室", CAT_PARTY, "office",
             ("重点课题调研", "改革任务台账", "政策文件起草")),
    UnitSpec("lgj", "区委老干部局", CAT_PARTY, "bureau",
             ("离退休干部走访慰问", "老干部活动中心管理", "离退休干部党支部建设")),
    UnitSpec("jggw", "区直属机关工作委员会", CAT_PARTY, "commission",
             ("机关党建", "党员发展", "党费收缴管理")),
    UnitSpec("dx", "区委党校", CAT_PARTY, "school",
             ("主体班次教学", "精品课程开发", "决策咨询课题")),
    UnitSpec("jw", "区纪委监委", CAT_DISCIPLINE, "discipline",
             ("问题线索处置", "作风建设专项检查", "党风廉政建设", "干部工作日志查阅核实")),
    # --- 人大、政协 ---
    UnitSpec("rdb", "区人大常委会办公室", CAT_CONGRESS, "office",
             ("人大代表建议办理", "执法检查", "代表履职活动")),
    UnitSpec("zxb", "区政协办公室", CAT_CONGRESS, "office",
             ("政协提案办理", "委员视察", "专题协商议政")),
    # --- 区政府工作部门 ---
    UnitSpec("zfb", "区政府办公室", CAT_GOVERNMENT, "office",
             ("政府常务会议筹备", "政务服务", "12345热线工单办理", "政务信息公开")),
    UnitSpec("fgj", "区发展和改革局", CAT_GOVERNMENT, "bureau",
             ("重大项目储备", "固定资产投资", "价格监测", "年度国民经济和社会发展计划")),
    UnitSpec("jxj", "区经济和信息化局", CAT_GOVERNMENT, "bureau",
             ("规上企业服务", "楼宇经济", "信息化项目", "节能降耗")),
    UnitSpec("kjj", "区科学技术局", CAT_GOVERNMENT, "bureau",
             ("科技型中小企业培育", "高新技术企业认定", "众创空间建设")),
    UnitSpec("jyj", "区教育局", CAT_GOVERNMENT, "bureau",
             ("学区划分", "校舍安全排查", "教师队伍建设", "课后服务", "民办学校年检")),
    UnitSpec("mzj", "区民政局", CAT_GOVERNMENT, "bureau",
             ("低保审核", "居家养老服务", "社会组织登记", "城乡社区治理")),
    UnitSpec("sfj", "区司法局", CAT_GOVERNMENT, "bureau",
             ("普法宣传", "人民调解", "法律援助", "行政复议")),
    UnitSpec("czj", "区财政局", CAT_GOVERNMENT, "bureau",
             ("部门预算编制", "国库集中支付", "政府采购", "专项资金绩效评价")),
    UnitSpec("rsj", "区人力资源和社会保障局", CAT_GOVERNMENT, "bureau",
             ("稳就业", "社会保险扩面", "劳动保障监察", "干部季度评价")),
    UnitSpec("ghj", "区规划和自然资源局", CAT_GOVERNMENT, "bureau",
             ("控制性详细规划", "土地储备", "规划条件核实")),
    UnitSpec("zjj", "区住房和城乡建设局", CAT_GOVERNMENT, "bureau",
             ("老旧院落改造", "建筑工地扬尘治理", "物业服务管理", "棚户区改造")),
    UnitSpec("jtj", "区交通运输局", CAT_GOVERNMENT, "bureau",
             ("背街小巷道路整治", "停车泊位规划", "出租车行业监管")),
    UnitSpec("cgj", "区城市管理局", CAT_GOVERNMENT, "bureau",
             ("市容秩序", "背街小巷整治", "生活垃圾分类", "违法建设治理")),
    UnitSpec("slj", "区水务局", CAT_GOVERNMENT, "bureau",
             ("河长制", "排水管网改造", "防汛备汛")),
    UnitSpec("swj", "区商务局", CAT_GOVERNMENT, "bureau",
             ("商圈提档升级", "促进消费", "外贸企业服务")),
    UnitSpec("wlj", "区文化体育和旅游局", CAT_GOVERNMENT, "bureau",
             ("公共文化服务", "全民健身", "旅游市场整治", "文物保护")),
    UnitSpec("wjj", "区卫生健康局", CAT_GOVERNMENT, "bureau",
             ("社区卫生服务中心建设", "家庭医生签约", "传染病防控", "医疗机构监管")),
    UnitSpec("tyj", "区退役军人事务局", CAT_GOVERNMENT, "bureau",
             ("退役军人服务站建设", "优抚对象走访", "退役军人安置")),
    UnitSpec("yjj", "区应急管理局", CAT_GOVERNMENT, "bureau",
             ("安全生产执法", "应急预案演练", "危险化学品监管")),
    UnitSpec("sjj", "区审计局", CAT_GOVERNMENT, "bureau",
             ("经济责任审计", "专项资金审计", "审计整改")),
    UnitSpec("tjj", "区统计局", CAT_GOVERNMENT, "bureau",
             ("经济普查", "统计执法", "统计数据质量核查")),
    UnitSpec("scj", "区市场监督管理局", CAT_GOVERNMENT, "bureau",
             ("食品安全", "特种设备安全", "价格监督", "商事登记")),
    UnitSpec("ybj", "区医疗保障局", CAT_GOVERNMENT, "bureau",
             ("医保基金监管", "定点医药机构检查", "医保经办服务")),
    UnitSpec("xzspj", "区行政审批局", CAT_GOVERNMENT, "bureau",
             ("审批事项清理", "一窗受理", "企业开办")),
    UnitSpec("xfj", "区信访局", CAT_GOVERNMENT, "bureau",
             ("信访积案化解", "领导干部接访", "网上信访办理")),
    UnitSpec("jrj", "区金融工作局", CAT_GOVERNMENT, "bureau",
             ("防范和处置非法集资", "企业上市培育", "金融机构引进")),
    UnitSpec("tcj", "区投资促进局", CAT_GOVERNMENT, "bureau",
             ("招商引资", "重大项目签约落地", "总部经济")),
    UnitSpec("gzb", "区国有资产监督管理办公室", CAT_GOVERNMENT, "office",
             ("国有企业监管", "国有资产清查", "国有企业改革")),
    UnitSpec("sthj", "区生态环境局", CAT_GOVERNMENT, "bureau",
             ("大气污染防治", "餐饮油烟治理", "环境执法")),
    # --- 群团组织 ---
    UnitSpec("zgh", "区总工会", CAT_MASS, "mass",
             ("职工服务阵地建设", "困难职工帮扶", "劳模管理服务")),
    UnitSpec("tqw", "团区委", CAT_MASS, "commission",
             ("青年志愿服务", "少先队工作", "青年创新创业")),
    UnitSpec("fl", "区妇女联合会", CAT_MASS, "mass",
             ("妇女儿童权益保护", "家庭教育指导", "巾帼创业就业")),
    # --- 街道办事处 ---
    *(
        UnitSpec(f"st-{slug}", f"{name}街道办事处", CAT_STREET, "street",
                 ("社区治理", "安全生产", "城市管理", "信访维稳", "老旧院落改造", "辖区企业服务"))
        for slug, name in (
            ("chunxilu", "春熙路"),
            ("shuyuanjie", "书院街"),
            ("hejiangting", "合江亭"),
            ("duyuanjie", "督院街"),
            ("yanshikou", "盐市口"),
            ("shuijingfang", "水井坊"),
            ("niushikou", "牛市口"),
            ("longzhoulu", "龙舟路"),
            ("shuangguilu", "双桂路"),
            ("lianxin", "莲新"),
            ("shahe", "沙河"),
            ("dongguang", "东光"),
            ("shizishan", "狮子山"),
            ("chenglonglu", "成龙路"),
            ("liujiang", "柳江"),
            ("sansheng", "三圣"),
        )
    ),
)  # fmt: skip

CONTENT_FAMILY: dict[UnitKind, ContentFamily] = {
    "leaders": "leaders",
    "org": "org",
    "discipline": "discipline",
    "street": "street",
    "bureau": "bureau",
    "party": "office",
    "office": "office",
    "commission": "office",
    "school": "office",
    "mass": "office",
}

# --- staffing ------------------------------------------------------------------------------------
Post = tuple[str, str]  # (职务, 职级)

LEADER_POSTS: tuple[Post, ...] = (
    ("区委书记", "正局级"),
    ("区委副书记、区长", "正局级"),
    ("区人大常委会主任", "正局级"),
    ("区政协主席", "正局级"),
    ("区委副书记", "副局级"),
    ("区委常委、常务副区长", "副局级"),
    ("区委常委、副区长", "副局级"),
    ("副区长", "副局级"),
)

# kind -> (head post, posts every such unit has, the title of further deputies or None)
STAFFING: dict[UnitKind, tuple[Post, tuple[Post, ...], str | None]] = {
    "party": (("部长", "正处级"), (("常务副部长", "正处级"),), "副部长"),
    "org": (
        ("部长", "正处级"),
        (
            ("常务副部长", "正处级"),
            ("副部长", "副处级"),
            ("副部长", "副处级"),
            ("组织员", "副处级"),
            ("组织员", "副处级"),
            ("干部监督科科长", "副调研员"),
            ("干部信息科科长", "副调研员"),
            ("副调研员", "副调研员"),
        ),
        None,
    ),
    "discipline": (
        ("区纪委副书记、区监委副主任", "正处级"),
        (
            ("区纪委常委、区监委委员", "副处级"),
            ("区纪委常委、区监委委员", "副处级"),
            ("区纪委常委、区监委委员", "副处级"),
            ("第一纪检监察室主任", "副处级"),
            ("第二纪检监察室主任", "副处级"),
            ("第三纪检监察室主任", "副处级"),
            ("案件审理室主任", "副处级"),
            ("党风政风监督室主任", "副处级"),
            ("派驻第一纪检监察组组长", "副处级"),
            ("派驻第二纪检监察组组长", "副处级"),
        ),
        None,
    ),
    "office": (("主任", "正处级"), (), "副主任"),
    "bureau": (("党组书记、局长", "正处级"), (("党组成员、副局长", "副处级"),), "副局长"),
    "commission": (("书记", "正处级"), (), "副书记"),
    "school": (("常务副校长", "正处级"), (), "副校长"),
    "mass": (("主席", "正处级"), (), "副主席"),
    "street": (
        ("街道党工委书记", "正处级"),
        (
            ("街道党工委副书记、办事处主任", "正处级"),
            ("街道党工委副书记", "副处级"),
            ("街道纪工委书记", "副处级"),
            ("街道人大工委主任", "副处级"),
            ("街道武装部部长", "副处级"),
            ("办事处副主任", "副处级"),
            ("办事处副主任", "副处级"),
            ("办事处副主任", "副处级"),
        ),
        None,
    ),
}

# Cadres of each unit, before the total is trimmed to DISTRICT_SIZE: (min, max) by kind,
# fixed by unit id where a unit needs room for its inspectors, evaluators or admins.
DISTRICT_SIZE = 800
SIZE_RANGE: dict[UnitKind, tuple[int, int]] = {
    "leaders": (len(LEADER_POSTS), len(LEADER_POSTS)),
    "street": (15, 19),
    "bureau": (9, 13),
    "office": (9, 12),
    "party": (10, 13),
    "commission": (8, 11),
    "school": (8, 10),
    "mass": (8, 10),
    "org": (12, 12),
    "discipline": (16, 16),
}
FIXED_SIZE: dict[str, int] = {"rsj": 12}

# Special roles: unit id -> [(role, how many)], given to members after the head, in post order.
SPECIAL_ROLES: dict[str, tuple[tuple[Role, int], ...]] = {
    "zzb": (("org_inspector", 6), ("admin", 2)),
    "jw": (("discipline_inspector", 10),),
    # Stationed discipline inspection groups (派驻纪检监察组): the Commission's own cadres are
    # audited by inspectors from outside it.
    "zfb": (("discipline_inspector", 1),),
    "fgj": (("discipline_inspector", 1),),
    "rsj": (("hr_evaluator", 4),),
}

# --- names ---------------------------------------------------------------------------------------
# Frequent surnames (Sichuan-heavy) are listed twice, so they come up about twice as often.
SURNAMES_FREQUENT = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭罗郑梁谢宋唐邓曾彭冯蒋"
SURNAMES_OTHER = (
    "许韩曹肖田董袁潘于蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛"
    "闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_CHARS = (
    "建国华明军伟强平东文志勇杰涛斌超波辉刚健峰磊鹏宇浩俊晓红丽敏静燕芳娟霞婷玲秀兰英萍桂"
    "春秋冬雪梅琳颖雯洁蓉蕾莉倩瑶欣悦思雨嘉佳晨阳光宏亮鸿飞翔海江河山林松柏森德仁义礼智信忠"
    "诚正清新民安康宁泰和顺祥瑞福永长庆兴旺立成家国荣耀昌盛锦川渝蜀天府"
)

# --- places and pools for log text --------------------------------------------------------------
COMMUNITY_WORDS = (
    "红星", "东风", "晨辉", "锦华", "和平", "新桂", "望平", "莲花", "兴业", "华新", "东升", "福字",
    "玉双", "均隆", "宏济", "马鞍", "新华", "油篓", "顺江", "惠民", "幸福", "驿都", "静居", "大观",
    "江家堰", "汇泉", "嘉祥", "净居寺", "水碾河", "天仙桥", "大慈寺", "镋钯街", "梨花街", "龙王庙",
)  # fmt: skip
PLACES = (
    "春熙路商圈", "东大街", "红星路", "总府路", "九眼桥", "合江亭", "水井坊片区", "望江楼片区", "牛市口",
    "东湖公园", "锦江沿线", "大慈寺片区", "华兴街", "三圣花乡", "攀成钢片区", "沙河沿线", "东门大桥",
)  # fmt: skip
ISSUES = (
    "小区物业服务", "噪音扰民", "房屋漏水", "拆迁安置", "停车难", "餐饮油烟扰民", "房屋质量", "劳资纠纷",
    "违章搭建", "老旧小区加装电梯", "商铺占道经营", "共享单车乱停放",
)  # fmt: skip
MEETINGS = (
    "区委常委会会议", "区政府常务会议", "全区经济运行分析会", "全区安全生产工作会议", "全区组织工作会议",
    "全区作风建设大会", "城市有机更新推进会", "重大项目调度会", "季度经济形势分析会",
)  # fmt: skip
COMPANIES = (
    "锦程科技", "天府云创", "蓉欣置业", "嘉和商贸", "东湖文旅", "蜀锦数码", "华锦物业", "锦悦餐饮",
    "川蓉医疗", "合江资本", "春熙传媒", "望江智造",
)  # fmt: skip

WHEN = ("上午", "下午", "", "")

# --- log text -------------------------------------------------------------------------------------
# Placeholders: {subject} {n} {m} {k} {money} {place} {community} {street} {unit} {meeting} {issue}
# {company} {month} {day} {pct} {when} {phone}. Each template is one day's item, as a cadre writes it.
ITEM_TEMPLATES: dict[ContentFamily, tuple[str, ...]] = {
    "street": (
        "{when}走访{community}居民{m}户，收集意见建议{n}条，现场答复{k}条",
        "带队对{place}沿线商铺开展安全生产检查，检查{n}家，发现隐患{k}处，已下达整改通知",
        "{when}接待信访群众{k}批{m}人次，涉及{issue}问题，已登记并按程序转办",
        "参加{community}院落议事会，协调解决{issue}问题，形成议事纪要",
        "检查{place}周边环境卫生和占道经营整治情况，现场交办问题{k}个",
        "主持召开街道党工委会议，研究{subject}等{k}项议题",
        "督促{community}推进老旧院落改造，查看施工现场{k}处，协调解决材料堆放问题",
        "走访辖区{n}家重点企业，了解经营困难，收集诉求{k}项",
        "组织{community}网格员开展实有人口信息核查，核实{m}户",
        "{when}检查辖区{k}处在建工地扬尘治理措施落实情况",
        "调处{community}{issue}纠纷{k}起，双方达成调解协议",
        "到{community}督导{subject}工作，听取社区书记汇报，提出改进意见{k}条",
        "带队夜查{place}餐饮门店消防通道和燃气使用情况，检查{n}家，整改隐患{k}处",
        "{when}召开{subject}工作例会，听取{k}个社区进展汇报，明确下周任务{n}项",
        "陪同{unit}到辖区调研{subject}工作，介绍街道做法",
        "走访慰问{community}困难群众和独居老人{k}户，送去慰问金和生活用品",
        "组织{community}开展{subject}宣传活动，发放资料{m}份",
    ),
    "bureau": (
        "{when}牵头召开{subject}专题推进会，梳理问题{n}个，明确责任科室和完成时限",
        "赴{street}调研{subject}工作，走访{k}家单位，形成调研报告初稿",
        "起草《关于进一步加强{subject}工作的实施意见》征求意见稿，修改至第{k}稿",
        "审核{subject}项目资金拨付材料，涉及金额{money}万元",
        "参加{meeting}，汇报{subject}工作进展及下一步打算",
        "{when}带队督导{subject}工作，现场协调解决问题{k}个",
        "与市级主管部门对接{subject}政策，争取补助资金{money}万元",
        "整理{subject}季度工作台账，完成{n}项数据核对并报送区委督查室",
        "组织机关干部集中学习，围绕{subject}开展交流研讨，{k}人发言",
        "{when}接待企业和群众来访{k}批次，涉及{subject}诉求{n}件，已分类交办",
        "审阅{subject}方面来文{n}件，提出办理意见",
        "到{place}现场查看{subject}推进情况，督促施工单位倒排工期",
        "与{unit}会商{subject}中的交叉问题，形成会议纪要，明确分工{k}项",
        "{when}办理区人大代表和政协委员涉及{subject}的建议提案{k}件",
        "复核{street}报送的{subject}数据，发现并退回问题数据{k}条",
        "召开局党组会议，研究{subject}等{k}项议题",
        "带队到{company}有限公司走访，了解企业在{subject}方面的困难，现场答复{k}项",
        "审定{subject}宣传稿{k}篇，报送区委宣传部",
    ),
    "office": (
        "起草{meeting}讲话稿，完成第{k}稿修改",
        "{when}筹备{meeting}会务，落实参会人员{m}人",
        "督办{subject}事项{n}项，已办结{k}项",
        "{when}处理各类公文{m}件，其中急件{k}件",
        "赴{street}调研{subject}工作，召开座谈会{k}次",
        "整理{subject}工作信息{k}篇，报送区委办公室",
        "参加{meeting}，记录并分解任务{n}项",
        "审核{unit}报送的{subject}材料{n}份，退回修改{k}份",
        "牵头研究{subject}工作方案，征求{n}个部门意见",
        "{when}陪同区领导到{street}调研{subject}工作，整理调研纪要",
        "汇总{n}个部门{subject}工作进展，编写第{k}期工作专报",
        "组织{subject}业务培训，{m}人参加",
        "与{unit}对接{subject}中的具体事项，明确完成时限",
        "审核{subject}相关文件{k}件，提出修改意见{n}条",
    ),
    "discipline": (
        "{when}查阅核实{unit}干部工作日志{m}篇，比对会议记录和现场资料{n}份",
        "带队对{unit}开展作风建设专项检查，发现问题{k}个",
        "参加{unit}党风廉政建设约谈会，提出工作要求{k}条",
        "审核{unit}报送的问题整改材料{n}份",
        "开展“四风”问题明察暗访，检查{place}周边经营场所{n}处",
        "起草季度监督检查情况通报，通报典型问题{k}个",
        "到{street}督导{subject}工作，抽查台账{n}本",
        "{when}对{unit}落实{subject}情况开展专项监督，调阅资料{n}份",
        "列席{unit}民主生活会，提出意见建议{k}条",
        "回访{unit}问题整改情况，核实整改事项{k}项",
        "组织{subject}业务培训，{m}人参加",
        "梳理{subject}工作台账，更新数据{n}条",
    ),
    "org": (
        "{when}随机抽查{unit}干部工作日志{m}篇，反馈问题{k}条",
        "赴{unit}开展干部考察谈话，谈话{m}人次",
        "组织{unit}干部工作日志季度评价座谈，参加{n}人",
        "审核{unit}干部人事档案{n}卷",
        "指导{street}做好基层党组织换届准备工作，审核材料{k}份",
        "起草干部教育培训计划，拟安排班次{k}个",
        "{when}梳理{subject}工作台账，完成{n}项数据更新",
        "到{street}调研{subject}工作，走访社区党组织{k}个",
        "参加{unit}领导班子民主生活会，提出意见建议{k}条",
        "审核{unit}报送的年度考核材料{n}份",
        "组织{subject}专题培训，{m}名干部参加",
        "与{unit}主要负责人谈心谈话，了解班子运行情况",
    ),
    "leaders": (
        "{when}主持召开{meeting}，研究{subject}等{k}项议题",
        "到{street}调研{subject}工作，现场办公解决问题{k}个",
        "听取{unit}工作汇报，要求加快推进{subject}",
        "会见{company}有限公司负责人，洽谈{subject}相关投资合作项目",
        "审阅{unit}负责人工作日志{n}篇，提出意见{k}条",
        "{when}带队检查{place}安全生产和市容秩序，现场交办问题{k}个",
        "接待来访群众{k}批次，督办信访事项{n}件",
        "{when}到{place}现场督导{subject}项目，协调解决问题{k}个",
        "参加市委市政府{subject}专题会议，汇报全区推进情况",
        "主持{subject}专题调度会，听取{n}个部门汇报",
        "与{unit}主要负责人谈话，听取{subject}工作思路",
        "审定{subject}实施方案，批示{k}条意见",
    ),
}
# Now and then a street cadre notes a resident's phone number, as real logs do; the number is
# fictional, and the public pages must mask it.
CONTACT_TEMPLATE = "回访{issue}问题反映人（联系电话{phone}），告知办理结果，群众表示满意"
CONTACT_SHARE = 0.01

INTERNAL_TEMPLATES: dict[ContentFamily, tuple[str, ...]] = {
    "discipline": ("处置问题线索{k}件，提出处置意见", "参加案件审理会，审理案件{k}件"),
    "org": ("研究干部调整动议方案，涉及岗位{k}个", "整理干部考察材料{k}份"),
    "leaders": ("参加区委常委会会议，研究干部人事事项{k}项",),
}
INTERNAL_DEFAULT = ("参加党组（党工委）会议，研究人事事项{k}项",)

PLAN_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("推进{subject}工作，完成本月阶段性任务", "{month}月底前完成{k}项"),
    ("开展{subject}专项调研", "形成调研报告1篇"),
    ("完成{subject}相关文件起草", "{month}月{day}日前报审"),
    ("督促{subject}问题整改", "整改完成率达到{pct}%"),
    ("做好{subject}日常工作", "按时报送工作台账"),
    ("建立{subject}工作台账并动态更新", "每周更新一次"),
)

MISTAKES = (
    "{subject}材料报送时间估计不足，晚了半天，已向分管领导说明",
    "对{subject}进度把握不准，协调会议延期一天",
    "会前材料准备不够充分，{subject}数据有{k}处需要补正",
)
REFLECTIONS = (
    "{subject}工作要坚持问题导向，先摸清底数再定措施",
    "基层反映的{subject}问题有共性，需要从制度层面研究解决",
    "跑现场比看材料更能发现问题，{subject}工作要多到一线",
    "{subject}涉及部门多，要建立周例会机制加强统筹",
)

SUMMARY_TEMPLATES = {
    "achievements": "围绕{s1}、{s2}等重点工作，完成年度目标任务{n}项，{s3}工作得到区委区政府肯定",
    "problems": "{s1}推进中协调力度还不够，个别事项进度滞后；深入基层调研的次数偏少",
    "next_steps": "下半年重点抓好{s2}和{s3}，建立问题清单，逐月对账销号",
}

REVISION_REASONS = ("补充工作进度", "更正事项完成情况", "补充遗漏事项")
REVISION_PROGRESS_SUFFIX = "（已于次日上午全部完成）"
REVISION_CORRECTED_SUFFIX = "（经核实尚未完成）"

LEAVE_NOTES: dict[str, tuple[str, ...]] = {
    "annual": ("休年休假", "休年休假，工作已交由分管副职负责"),
    "sick": ("身体不适，遵医嘱休息",),
    "business_trip": ("赴北京参加业务对接", "赴上海学习考察城市更新经验", "赴重庆对接招商项目"),
    "training": ("参加区委党校中青年干部培训班", "参加市委组织部专题培训"),
}
