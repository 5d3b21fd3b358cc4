"""Writes customers_1000.xlsx beside this file: 1 000 customers for Data Import of *Imported
Customer*, each with one to three contacts, one or two addresses and up to three serial numbers of
the tests' products (tests/world.py). Deterministic (a seeded generator): run it again and the file
has the same rows. Also writes the app's template (public/templates/customer_import_template.xlsx:
the same columns, two customers of the demo's products as examples).
Run: `python aftersales_app/tests/data/make_customer_sample.py` (needs openpyxl)."""

import datetime
import random
from pathlib import Path

from openpyxl import Workbook

PARENT = ["Customer Name", "Customer Type", "Old System ID"]
CONTACT = [
	"First Name (Contacts)",
	"Last Name (Contacts)",
	"Mobile No (Contacts)",
	"Email (Contacts)",
	"Preferred Channel (Contacts)",
	"WeChat ID (Contacts)",
	"Birthday (Contacts)",
	"Primary (Contacts)",
]
ADDRESS = [
	"Address Type (Addresses)",
	"Address Line 1 (Addresses)",
	"City/Town (Addresses)",
	"State/Province (Addresses)",
	"Postal Code (Addresses)",
	"Primary (Addresses)",
]
SERIAL = [
	"Serial No (Serial Numbers)",
	"Item (Serial Numbers)",
	"In Service Since (Serial Numbers)",
	"Warranty Expiry Date (Serial Numbers)",
]
HEADER = PARENT + CONTACT + ADDRESS + SERIAL

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = [
	"伟",
	"芳",
	"娜",
	"敏",
	"静",
	"丽",
	"强",
	"磊",
	"军",
	"洋",
	"勇",
	"艳",
	"杰",
	"娟",
	"涛",
	"明",
	"超",
	"秀英",
]
CITIES = [
	("上海市", "上海"),
	("杭州市", "浙江"),
	("南京市", "江苏"),
	("广州市", "广东"),
	("成都市", "四川"),
	("武汉市", "湖北"),
]
STREETS = ["人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "长江路", "滨江大道"]
TRADES = ["科技", "贸易", "物业", "酒店", "餐饮", "建材", "电子", "医疗"]
PRODUCTS = [("TEST-AC-3500", "IMPAC", 365), ("TEST-WH-6000", "IMPWH", 730), ("TEST-PU-1000", "IMPPU", 365)]
CHANNELS = ["Phone", "WeChat", "Email", "SMS", ""]


def customers(count: int = 1000, seed: int = 15):
	rng = random.Random(seed)
	serial = 0
	for n in range(1, count + 1):
		city, province = rng.choice(CITIES)
		company = rng.random() < 0.6
		person = rng.choice(SURNAMES) + rng.choice(GIVEN)
		name = f"导入{city[:-1]}{rng.choice(TRADES)}客户{n:04d}" if company else f"导入客户{person}{n:04d}"
		contacts = []
		for c in range(rng.randint(1, 3) if company else 1):
			contacts.append(
				[
					rng.choice(GIVEN) if c else person[1:],
					person[0] if not c else rng.choice(SURNAMES),
					f"1{rng.choice('3578')}{n:04d}{c}{rng.randint(1000, 9999)}",
					f"import.{n:04d}.{c}@aftersales-tests.example.com",
					rng.choice(CHANNELS),
					f"wx_imp_{n:04d}_{c}" if rng.random() < 0.5 else "",
					datetime.date(rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28))
					if rng.random() < 0.4
					else None,
					1 if c == 0 else 0,
				]
			)
		addresses = []
		for a in range(rng.randint(1, 2)):
			addresses.append(
				[
					"Billing" if a == 0 else "Shipping",
					f"{rng.choice(STREETS)}{rng.randint(1, 999)}号",
					city,
					province,
					f"{rng.randint(100000, 999999)}",
					1 if a == 0 else 0,
				]
			)
		serials = []
		for _ in range(rng.randint(0, 3)):
			serial += 1
			item, prefix, warranty = rng.choice(PRODUCTS)
			since = datetime.date(2026, 11, 30) - datetime.timedelta(days=rng.randint(30, 1500))
			serials.append([f"{prefix}-{serial:06d}", item, since, since + datetime.timedelta(days=warranty)])
		yield [name, "Company" if company else "Individual", f"OLD-{n:05d}"], contacts, addresses, serials


def rows(count: int = 1000, seed: int = 15):
	"""The rows of the file: a customer's first row carries its own columns, the rows after it only
	its further contacts, addresses and serial numbers (how Data Import reads child tables)."""
	for parent, contacts, addresses, serials in customers(count, seed):
		for i in range(max(len(contacts), len(addresses), len(serials))):
			yield (
				(parent if i == 0 else [None] * len(PARENT))
				+ (contacts[i] if i < len(contacts) else [None] * len(CONTACT))
				+ (addresses[i] if i < len(addresses) else [None] * len(ADDRESS))
				+ (serials[i] if i < len(serials) else [None] * len(SERIAL))
			)


# the template's examples: a company with two contacts, two addresses and two products, and a person
EXAMPLES = [
	[
		*["上海示例酒店管理有限公司", "Company", "CRM-0001"],
		*["建国", "王", "13800138000", "wang.jianguo@example.com", "WeChat", "wx_wangjg"],
		*[datetime.date(1978, 5, 20), 1],
		*["Billing", "黄浦区南京东路100号", "上海市", "上海", "200001", 1],
		*["AS-AC-EX0001", "AS-AC-3500", datetime.date(2025, 6, 1), datetime.date(2026, 6, 1)],
	],
	[
		*[None] * len(PARENT),
		*["丽", "李", "13900139000", "li.li@example.com", "Phone", None, None, 0],
		*["Shipping", "浦东新区世纪大道200号", "上海市", "上海", "200120", 0],
		*["AS-WH-EX0001", "AS-WH-6000", datetime.date(2024, 11, 15), datetime.date(2026, 11, 15)],
	],
	[
		*["张伟", "Individual", "CRM-0002"],
		*["伟", "张", "13700137000", None, "SMS", None, None, 1],
		*["Billing", "西湖区文三路50号", "杭州市", "浙江", "310012", 1],
		*["AS-PU-EX0001", "AS-PU-1000", datetime.date(2026, 3, 1), datetime.date(2027, 3, 1)],
	],
]


def write(path: Path, data):
	book = Workbook()
	sheet = book.active
	sheet.title = "Imported Customer"
	sheet.append(HEADER)
	for row in data:
		sheet.append(row)
	book.save(path)


if __name__ == "__main__":
	here = Path(__file__)
	write(here.with_name("customers_1000.xlsx"), rows())
	write(here.parents[2] / "public" / "templates" / "customer_import_template.xlsx", EXAMPLES)
