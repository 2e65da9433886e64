"""Demo organisations: a Zhejiang region tree (GB/T 2260 codes, township and village statistical
codes), departments at province, city, county and township level, service centres with their
comprehensive windows, and the staff and citizen logins."""


from onevisit.orgs.models import Domain, RegionLevel, Role
from onevisit.validators import make_credit_code

DEMO_PASSWORD = "demo12345"

# code, name, level, parent code
REGIONS = [
    ("330000", "浙江省", RegionLevel.PROVINCE, None),
    ("330200", "宁波市", RegionLevel.CITY, "330000"),
    ("330212", "鄞州区", RegionLevel.COUNTY, "330200"),
    ("330300", "温州市", RegionLevel.CITY, "330000"),
    ("330302", "鹿城区", RegionLevel.COUNTY, "330300"),
    ("331100", "丽水市", RegionLevel.CITY, "330000"),
    ("331102", "莲都区", RegionLevel.COUNTY, "331100"),
    ("331121", "青田县", RegionLevel.COUNTY, "331100"),
    ("331122", "缙云县", RegionLevel.COUNTY, "331100"),
    ("331123", "遂昌县", RegionLevel.COUNTY, "331100"),
    ("331181", "龙泉市", RegionLevel.COUNTY, "331100"),
    ("331102001", "紫金街道", RegionLevel.TOWNSHIP, "331102"),
    ("331102002", "岩泉街道", RegionLevel.TOWNSHIP, "331102"),
    ("331123100", "妙高街道", RegionLevel.TOWNSHIP, "331123"),
    ("331102001001", "丽阳门社区", RegionLevel.VILLAGE, "331102001"),
    ("331102001201", "下河村", RegionLevel.VILLAGE, "331102001"),
    ("331102002001", "天宁社区", RegionLevel.VILLAGE, "331102002"),
]


def _organisation_code(serial: int) -> str:
    """A GB 11714 organisation code (8 characters and its check character)."""
    body = f"0{serial:07d}"
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    check = 11 - sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(kind: str, region_code: str, serial: int) -> str:
    """统一社会信用代码: registration authority and type ("11" government organ, "12" public institution),
    the six-digit region code, the organisation code and the check character."""
    return make_credit_code(f"{kind}{region_code[:6]}{_organisation_code(serial)}")


# key, name, short name, region code, kind ("11" organ, "12" public institution), organisation serial
DEPARTMENTS = [
    ("zj_market", "浙江省市场监督管理局", "省市场监管局", "330000", "11", 2482101),
    ("zj_transport", "浙江省交通运输厅", "省交通运输厅", "330000", "11", 2482102),
    ("market", "丽水市市场监督管理局", "市市场监管局", "331100", "11", 7051101),
    ("estate", "丽水市自然资源和规划局", "市自然资源和规划局", "331100", "11", 7051102),
    ("housing", "丽水市住房和城乡建设局", "市住建局", "331100", "11", 7051103),
    ("tax", "国家税务总局丽水市税务局", "市税务局", "331100", "11", 7051104),
    ("hrss", "丽水市人力资源和社会保障局", "市人力社保局", "331100", "11", 7051105),
    ("medical", "丽水市医疗保障局", "市医保局", "331100", "11", 7051106),
    ("fund", "丽水市住房公积金管理中心", "市公积金中心", "331100", "12", 7051107),
    ("police", "丽水市公安局", "市公安局", "331100", "11", 7051108),
    ("transport", "丽水市交通运输局", "市交通运输局", "331100", "11", 7051109),
    ("civil", "丽水市民政局", "市民政局", "331100", "11", 7051110),
    ("health", "丽水市卫生健康委员会", "市卫健委", "331100", "11", 7051111),
    ("drc", "丽水市发展和改革委员会", "市发改委", "331100", "11", 7051112),
    ("port", "温州市港航管理中心", "温州市港航中心", "330300", "12", 7151101),
    ("ld_market", "丽水市莲都区市场监督管理局", "莲都区市场监管局", "331102", "11", 7061101),
    ("ld_civil", "丽水市莲都区民政局", "莲都区民政局", "331102", "11", 7061102),
    ("ld_health", "丽水市莲都区卫生健康局", "莲都区卫健局", "331102", "11", 7061103),
    ("ld_police", "丽水市公安局莲都区分局", "莲都公安分局", "331102", "11", 7061104),
    ("zijin", "丽水市莲都区人民政府紫金街道办事处", "紫金街道办事处", "331102001", "11", 7061201),
    ("yz_market", "宁波市鄞州区市场监督管理局", "鄞州区市场监管局", "330212", "11", 7251101),
]

LISHUI_HOURS = "工作日 上午8:30-12:00，下午14:30-17:30（夏季14:30-18:00）；周六上午提供延时服务"
LISHUI_CENTRE_ADDRESS = "丽水市莲都区人民街615号 丽水市民服务中心"

# key, name, region, address, hours
CENTRES = [
    ("lishui", "丽水市民服务中心", "331100", LISHUI_CENTRE_ADDRESS, LISHUI_HOURS),
    ("zijin", "紫金街道便民服务中心", "331102001", "丽水市莲都区紫金街道丽阳街188号", "工作日 8:30-12:00，14:30-17:30"),
    ("wenzhou", "温州市行政审批服务中心", "330300", "温州市鹿城区市府路500号", "工作日 8:45-12:00，13:30-17:30"),
]

# key, centre, number, name, domains, accepts_any
WINDOWS = [
    ("business", "lishui", "1", "商事登记综合窗口", [Domain.BUSINESS], False),
    ("real_estate", "lishui", "2", "不动产登记综合窗口", [Domain.REAL_ESTATE], False),
    ("social", "lishui", "3", "社会事务综合窗口", [Domain.SOCIAL], False),
    ("public_security", "lishui", "4", "公安服务综合窗口", [Domain.PUBLIC_SECURITY], False),
    ("insurance", "lishui", "5", "医保社保综合窗口", [Domain.INSURANCE, Domain.HOUSING_FUND], False),
    ("transport", "lishui", "6", "交通运输综合窗口", [Domain.TRANSPORT], False),
    ("investment", "lishui", "7", "投资项目综合窗口", [Domain.INVESTMENT], False),
    ("tax", "lishui", "8", "税务服务综合窗口", [Domain.TAX], False),
    ("any", "lishui", "9", "无差别（全科）受理窗口", [], True),
    ("zijin_any", "zijin", "1", "全科受理窗口", [], True),
    ("wz_port", "wenzhou", "12", "港航服务窗口", [Domain.TRANSPORT], False),
]

# username, real name, role, department key or None, window key or None
STAFF = [
    ("catalog_admin", "周明华", Role.CATALOG_ADMIN, None, None),
    ("data_admin", "吴思远", Role.DATA_ADMIN, None, None),
    ("supervisor", "郑国强", Role.SUPERVISOR, None, None),
    ("clerk1", "陈晓丽", Role.WINDOW_CLERK, None, "business"),
    ("clerk2", "林佳怡", Role.WINDOW_CLERK, None, "real_estate"),
    ("clerk3", "徐慧敏", Role.WINDOW_CLERK, None, "social"),
    ("clerk4", "叶志强", Role.WINDOW_CLERK, None, "insurance"),
    ("clerk_any", "刘芳", Role.WINDOW_CLERK, None, "any"),
    ("clerk_town", "蓝玉梅", Role.WINDOW_CLERK, None, "zijin_any"),
    ("clerk_port", "潘海涛", Role.WINDOW_CLERK, None, "wz_port"),
    ("reviewer_market", "王立新", Role.REVIEWER, "market", None),
    ("approver_market", "季红英", Role.APPROVER, "market", None),
    ("reviewer_estate", "杨建平", Role.REVIEWER, "estate", None),
    ("approver_estate", "何卫东", Role.APPROVER, "estate", None),
    ("reviewer_housing", "朱丽萍", Role.REVIEWER, "housing", None),
    ("approver_housing", "毛建军", Role.APPROVER, "housing", None),
    ("reviewer_tax", "金秀芳", Role.REVIEWER, "tax", None),
    ("approver_tax", "钟伟", Role.APPROVER, "tax", None),
    ("reviewer_hrss", "雷晓峰", Role.REVIEWER, "hrss", None),
    ("approver_hrss", "应丽君", Role.APPROVER, "hrss", None),
    ("reviewer_police", "蒋俊杰", Role.REVIEWER, "police", None),
    ("approver_police", "任海燕", Role.APPROVER, "police", None),
    ("reviewer_civil", "邱雅琴", Role.REVIEWER, "ld_civil", None),
    ("approver_civil", "管振华", Role.APPROVER, "ld_civil", None),
]

# username, real name, id-number prefix (region, birth date, sequence: odd male, even female), phone, note.
# The region part is the code in force in the birth year (丽水县 332621 until 1982, 青田县 332822 until 2000),
# as the check of 身份证号 requires; today's codes 331102/331121 date from 2000.
CITIZENS = [
    ("citizen_wang", "王建国", "33262119580315123", "13905781234", "1958年生，可办公交老年卡、退休"),
    ("citizen_li", "李晓燕", "33282219920618246", "13857061234", "1992年生，可办新生儿出生、二手房、企业开办"),
]
