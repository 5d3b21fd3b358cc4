"""The tests' own world: customers, contacts, portal users, products, serial numbers under and out
of warranty, priced parts, technicians and one user per staff role, made by the demo's loader from
tables of its own (names, e-mail domain, phones, territories and skills the demo does not use), so
that a change to the demo breaks no test. Built and committed once per run by conftest.py; every
record is looked up by its natural key first, so building it again changes nothing.

Tests name what they need by role (`world.TECH`, `world.CUSTOMER`, `world.SERIAL_OUT` …), never
by the demo's names.
"""

from aftersales_app.demo.data import Dataset, load

DOMAIN = "aftersales-tests.example.com"
PASSWORD = "aftersales"


def email(prefix: str) -> str:
	return f"{prefix}@{DOMAIN}"


# territories and skills of the world's own
EAST, NORTH, SOUTH = "测试东区", "测试北区", "测试南区"
SKILL_AC, SKILL_HEATER, SKILL_INSTALL, SKILL_WIRING = (
	"测试空调维修",
	"测试热水器维修",
	"测试安装调试",
	"测试电路检修",
)

# products (serialised, with a warranty period in days) and spare parts
PRODUCT, PRODUCT_HEATER, PRODUCT_PURIFIER = "TEST-AC-3500", "TEST-WH-6000", "TEST-PU-1000"
PART, PART_FILTER = "TEST-PART-COMP", "TEST-PART-FILTER"
PART_PRICE, FILTER_PRICE = 800, 120
PART_NAME, FILTER_NAME, HEATER_NAME = "测试空调压缩机", "测试净水器滤芯", "测试燃气热水器 JSQ-16"

# customers: three companies and two persons
CUSTOMER, CUSTOMER_B, CUSTOMER_C = "测试甲方贸易有限公司", "测试乙方科技有限公司", "测试丙方餐饮有限公司"
PERSON, PERSON_B = "测试客户刘", "测试客户赵"
CUSTOMERS = [CUSTOMER, CUSTOMER_B, CUSTOMER_C, PERSON, PERSON_B]
STREET = "测试路 100 号"  # CUSTOMER's billing address
CONTACT_NAME = "测试王伟"  # CUSTOMER's primary contact (PORTAL_USER)

# serial numbers: item, customer, warranty expiry and AMC expiry in days from today
SERIAL_IN = "TEST-AC-0001"  # under warranty (CUSTOMER)
SERIAL_OUT = "TEST-AC-0002"  # out of warranty (CUSTOMER)
SERIAL_AMC = "TEST-AC-0003"  # warranty over, under AMC (CUSTOMER_B)
SERIAL_LAPSED = "TEST-AC-0004"  # out of warranty and AMC (PERSON)
SERIAL_HEATER = "TEST-WH-0001"  # under warranty (CUSTOMER_C)
SERIAL_HEATER_OUT = "TEST-WH-0002"  # out of warranty (PERSON_B)
SERIAL_PURIFIER = "TEST-PU-0001"  # under warranty (PERSON)
SERIAL_NO_DATES = "TEST-PU-0002"  # no dates on the serial (CUSTOMER_B)

# staff: one user per role; four technicians with skills, territories and capacity
AGENT, MANAGER, FINANCE = email("agent"), email("manager"), email("finance")
ADMIN = email("admin")  # a System Manager: Notification records, robots
TECH, TECH_B, TECH_C, TECH_D = (email(p) for p in ("tech.a", "tech.b", "tech.c", "tech.d"))
TECH_NAME = "测试周师傅"  # TECH's first name

# contacts: the customer's two (PORTAL_USER signs in to the portal; CONTACT_B does not), and one
# each for the others; PORTAL_USER_B is CUSTOMER_B's portal user
PORTAL_USER, CONTACT_B, PORTAL_USER_B = email("buyer.a"), email("buyer.a2"), email("buyer.b")
CONTACT_PERSON_B = email("person.b")
PHONE, PHONE_A2, PHONE_B, PHONE_C = "13811110001", "13811110002", "13911110003", "13711110004"
PHONE_PERSON = "13611110005"

WORLD = Dataset(
	domain=DOMAIN,
	item_group="售后测试产品",
	territories=[EAST, NORTH, SOUTH],
	skills=[
		(SKILL_AC, "Test: air-conditioner repair"),
		(SKILL_HEATER, "Test: water-heater repair"),
		(SKILL_INSTALL, "Test: installation"),
		(SKILL_WIRING, "Test: electrical inspection"),
	],
	items=[
		(PRODUCT, "测试变频空调", 365, True),
		(PRODUCT_HEATER, HEATER_NAME, 730, True),
		(PRODUCT_PURIFIER, "测试净水器", 365, True),
		(PART, PART_NAME, 0, False),
		(PART_FILTER, FILTER_NAME, 0, False),
	],
	prices=[(PART, PART_PRICE), (PART_FILTER, FILTER_PRICE), ("AS-LABOUR", 120), ("AS-CALL-OUT", 60)],
	customers=[
		(
			CUSTOMER,
			"Company",
			EAST,
			[(CONTACT_NAME, "", PHONE, "buyer.a"), ("测试李芳", "", PHONE_A2, "buyer.a2")],
			(STREET, "上海", "上海"),
		),
		(
			CUSTOMER_B,
			"Company",
			NORTH,
			[("测试张强", "", PHONE_B, "buyer.b")],
			("测试大街 1 号", "北京", "北京"),
		),
		(
			CUSTOMER_C,
			"Company",
			SOUTH,
			[("测试陈敏", "", PHONE_C, "buyer.c")],
			("测试西路 88 号", "广州", "广东"),
		),
		(
			PERSON,
			"Individual",
			EAST,
			[("测试客户刘", "", PHONE_PERSON, "person.a")],
			("测试文三路 20 号", "杭州", "浙江"),
		),
		(
			PERSON_B,
			"Individual",
			NORTH,
			[("测试客户赵", "", "13511110006", "person.b")],
			("测试南京路 66 号", "天津", "天津"),
		),
	],
	serials=[
		(SERIAL_IN, PRODUCT, CUSTOMER, 200, None),
		(SERIAL_OUT, PRODUCT, CUSTOMER, -30, None),
		(SERIAL_AMC, PRODUCT, CUSTOMER_B, -400, 180),
		(SERIAL_LAPSED, PRODUCT, PERSON, -700, -300),
		(SERIAL_HEATER, PRODUCT_HEATER, CUSTOMER_C, 500, None),
		(SERIAL_HEATER_OUT, PRODUCT_HEATER, PERSON_B, -10, None),
		(SERIAL_PURIFIER, PRODUCT_PURIFIER, PERSON, 90, None),
		(SERIAL_NO_DATES, PRODUCT_PURIFIER, CUSTOMER_B, None, None),
	],
	technicians=[
		("tech.a", TECH_NAME, "", [SKILL_AC, SKILL_INSTALL], [EAST], 5),
		("tech.b", "测试吴师傅", "", [SKILL_AC, SKILL_WIRING], [NORTH, EAST], 5),
		("tech.c", "测试郑师傅", "", [SKILL_HEATER, SKILL_INSTALL], [SOUTH], 4),
		("tech.d", "测试孙师傅", "", [SKILL_HEATER, SKILL_WIRING, SKILL_AC], [EAST, SOUTH], 6),
	],
	portal_users=[("buyer.a", CUSTOMER), ("buyer.b", CUSTOMER_B)],
	staff=[
		("manager", "测试主管", ["After-Sales Manager"]),
		("agent", "测试客服", ["Service Agent"]),
		("finance", "测试财务", ["Accounts User"]),
		("admin", "测试管理员", ["System Manager", "After-Sales Manager"]),
	],
)


def build() -> dict:
	"""Make what is missing of the world (committed); returns what was created."""
	return load(PASSWORD, dataset=WORLD)
