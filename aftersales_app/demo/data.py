"""Demo data for a fresh site: customers with contacts and addresses, serialised products under and
out of warranty and under AMC, spare parts, technicians with skills and territories, and one user for
each after-sales role.

`load()` is idempotent: every record is looked up by its natural key first, so running it again
creates nothing and changes nothing.
"""

import os
from dataclasses import dataclass

import frappe
from frappe import _
from frappe.utils import add_days, add_months, add_to_date, now_datetime, nowdate
from frappe.utils.nestedset import get_root_of

DEMO_EMAIL_DOMAIN = "aftersales.example.com"

TERRITORIES = ["华东", "华北", "华南"]

SKILLS = [
	("空调维修", "Air-conditioner repair"),
	("热水器维修", "Water-heater repair"),
	("安装调试", "Installation and commissioning"),
	("电路检修", "Electrical inspection"),
]

# item_code, item_name, warranty days (0 = no warranty), serialised
ITEMS = [
	("AS-AC-3500", "变频空调 KFR-35GW", 365, True),
	("AS-WH-6000", "燃气热水器 JSQ-16", 730, True),
	("AS-PU-1000", "净水器 RO-400G", 365, True),
	("AS-PART-COMP", "空调压缩机", 0, False),
	("AS-PART-FILTER", "净水器滤芯", 0, False),
]

# selling prices of the spare parts and of the app's service items (labour per hour, call-out fee)
PRICES = [("AS-PART-COMP", 800), ("AS-PART-FILTER", 120), ("AS-LABOUR", 120), ("AS-CALL-OUT", 60)]

# customer, type, territory, contacts [(first, last, mobile, email)], address (line1, city, state);
# Chinese names go whole into first_name (family name first), as Frappe joins first + last with a space
CUSTOMERS = [
	(
		"上海明德贸易有限公司",
		"Company",
		"华东",
		[("王伟", "", "13800000001", "wangwei"), ("李芳", "", "13800000002", "lifang")],
		("浦东新区世纪大道 100 号", "上海", "上海"),
	),
	(
		"北京华信科技有限公司",
		"Company",
		"华北",
		[("张强", "", "13900000003", "zhangqiang")],
		("海淀区中关村大街 1 号", "北京", "北京"),
	),
	(
		"广州粤海餐饮管理有限公司",
		"Company",
		"华南",
		[("陈敏", "", "13700000004", "chenmin")],
		("天河区体育西路 88 号", "广州", "广东"),
	),
	(
		"刘洋",
		"Individual",
		"华东",
		[("刘洋", "", "13600000005", "liuyang")],
		("西湖区文三路 20 号", "杭州", "浙江"),
	),
	(
		"赵静",
		"Individual",
		"华北",
		[("赵静", "", "13500000006", "zhaojing")],
		("和平区南京路 66 号", "天津", "天津"),
	),
]

# serial no, item, customer, warranty expiry offset (days, None = unset), AMC expiry offset
SERIALS = [
	("SN-AC-0001", "AS-AC-3500", "上海明德贸易有限公司", 200, None),  # under warranty
	("SN-AC-0002", "AS-AC-3500", "上海明德贸易有限公司", -30, None),  # out of warranty
	("SN-AC-0003", "AS-AC-3500", "北京华信科技有限公司", -400, 180),  # warranty over, under AMC
	("SN-AC-0004", "AS-AC-3500", "刘洋", -700, -300),  # out of AMC
	("SN-WH-0001", "AS-WH-6000", "广州粤海餐饮管理有限公司", 500, None),  # under warranty
	("SN-WH-0002", "AS-WH-6000", "赵静", -10, None),  # out of warranty
	("SN-PU-0001", "AS-PU-1000", "刘洋", 90, None),  # under warranty
	("SN-PU-0002", "AS-PU-1000", "北京华信科技有限公司", None, None),  # no dates on the serial
]

# user id prefix, first name, last name, skills, territories, capacity
TECHNICIANS = [
	("tech.zhou", "周师傅", "", ["空调维修", "安装调试"], ["华东"], 5),
	("tech.wu", "吴师傅", "", ["空调维修", "电路检修"], ["华北", "华东"], 5),
	("tech.zheng", "郑师傅", "", ["热水器维修", "安装调试"], ["华南"], 4),
	("tech.sun", "孙师傅", "", ["热水器维修", "电路检修", "空调维修"], ["华东", "华南"], 6),
]

# subject, customer, serial no, ticket type, technician, the category the ticket is walked to
TICKETS = [
	("[演示] 空调不制冷", "上海明德贸易有限公司", "SN-AC-0001", "Repair", None, "Pending Review"),
	("[演示] 热水器打不着火", "广州粤海餐饮管理有限公司", "SN-WH-0001", "Repair", None, "Dispatching"),
	("[演示] 空调外机噪音", "北京华信科技有限公司", "SN-AC-0003", "Repair", "tech.wu", "Awaiting Acceptance"),
	("[演示] 净水器漏水", "刘洋", "SN-PU-0001", "Repair", "tech.zhou", "In Progress"),
	("[演示] 热水器年度保养", "赵静", "SN-WH-0002", "Maintenance Check", "tech.zheng", "Awaiting Customer"),
	("[演示] 空调移机安装", "上海明德贸易有限公司", "SN-AC-0002", "Installation", "tech.sun", "Closed"),
]
# what the demo's tickets answer in their type's template (aftersales_app.tickets.setup.ticket_templates)
TEMPLATE_VALUES = {
	"Installation": {
		"site_location": "二楼总经理办公室东墙",
		"site_floor": "2",
		"site_mounting": "Wall Mounted",
		"site_power_ready": 1,
		"site_survey_notes": "砖墙，可打孔；外机放在东侧空调平台，需加长铜管 1.5 米",
	},
}
# the categories a ticket passes on its way to being closed
ROUTE = [
	"Pending Review",
	"Dispatching",
	"Awaiting Acceptance",
	"In Progress",
	"Awaiting Customer",
	"Awaiting Revisit",
	"Closed",
]

# portal users (客户门户): the contact's own e-mail becomes the login, as Frappe's "Invite as User"
# on a Contact does; Contact.user then links the user to the contact's customers.
# contact e-mail prefix, customer
PORTAL_USERS = [
	("wangwei", "上海明德贸易有限公司"),
	("zhangqiang", "北京华信科技有限公司"),
]

# user id prefix, first name, roles
STAFF = [
	("manager", "售后主管", ["After-Sales Manager"]),
	("agent", "客服小林", ["Service Agent"]),
	("finance", "财务小何", ["Accounts User"]),
]


@dataclass(frozen=True)
class Dataset:
	"""What `load()` makes: the demo's own tables by default; the tests build a world of their own
	from the same loader with tables of their own (aftersales_app/tests/world.py)."""

	domain: str
	item_group: str
	territories: list
	skills: list
	items: list
	prices: list
	customers: list
	serials: list
	technicians: list
	portal_users: list
	staff: list
	tickets: list = ()
	charged_ticket: bool = False
	# an exchange (换货) of a purifier, received and inspected, its replacement ready to go
	return_ticket: bool = False

	def email(self, prefix: str) -> str:
		return f"{prefix}@{self.domain}"


DEMO = Dataset(
	domain=DEMO_EMAIL_DOMAIN,
	item_group="售后演示产品",
	territories=TERRITORIES,
	skills=SKILLS,
	items=ITEMS,
	prices=PRICES,
	customers=CUSTOMERS,
	serials=SERIALS,
	technicians=TECHNICIANS,
	portal_users=PORTAL_USERS,
	staff=STAFF,
	tickets=TICKETS,
	charged_ticket=True,
	return_ticket=True,
)


def demo_email(prefix: str) -> str:
	return DEMO.email(prefix)


def load(password: str | None = None, dataset: Dataset = DEMO) -> dict:
	"""Create the records of `dataset` that are missing; returns how many of each kind were created."""
	if not frappe.is_setup_complete():
		frappe.throw(_("Complete ERPNext's setup wizard before loading demo data"))
	password = password or os.environ.get("DEMO_PASSWORD") or "aftersales"
	company = (
		frappe.defaults.get_global_default("company") or frappe.get_all("Company", pluck="name", limit=1)[0]
	)
	created = frappe._dict(
		territory=0,
		skill=0,
		item=0,
		customer=0,
		contact=0,
		address=0,
		serial_no=0,
		user=0,
		employee=0,
		technician=0,
		portal_user=0,
		item_price=0,
	)
	email = dataset.email

	for territory in dataset.territories:
		created.territory += make_territory(territory)
	for skill, description in dataset.skills:
		created.skill += get_or_insert(
			"Service Skill", skill, {"skill_name": skill, "description": description}
		)
	item_group = get_or_make_item_group(dataset.item_group)
	for item_code, item_name, warranty_days, serialised in dataset.items:
		created.item += make_item(item_code, item_name, item_group, warranty_days, serialised)
	for item_code, rate in dataset.prices:
		created.item_price += make_item_price(item_code, rate)
	for name, customer_type, territory, contacts, address in dataset.customers:
		created.customer += make_customer(name, customer_type, territory)
		for first, last, mobile, prefix in contacts:
			created.contact += make_contact(name, first, last, mobile, email(prefix))
		created.address += make_address(name, *address)
	for serial_no, item_code, customer, warranty, amc in dataset.serials:
		created.serial_no += make_serial_no(serial_no, item_code, customer, company, warranty, amc)
	for prefix, first, roles in dataset.staff:
		created.user += make_user(email(prefix), first, "", roles, password)
	for prefix, first, last, skills, territories, capacity in dataset.technicians:
		created.user += make_user(email(prefix), first, last, ["Service Technician"], password)
		created.employee += make_employee(email(prefix), first, last, company)
		created.technician += make_technician(email(prefix), skills, territories, capacity)
	for prefix, customer in dataset.portal_users:
		created.portal_user += make_portal_user(email(prefix), customer, password)
	created.ticket = 0
	if frappe.db.exists("Workflow", {"document_type": "Service Ticket", "is_active": 1}):
		for subject, customer, serial_no, ticket_type, technician, category in dataset.tickets:
			created.ticket += make_demo_ticket(
				subject, customer, serial_no, ticket_type, technician and email(technician), category
			)
		if dataset.charged_ticket:
			created.ticket += make_demo_charged_ticket(company)
		if dataset.return_ticket:
			created.ticket += make_demo_return(company)

	if any(created.values()):
		frappe.db.commit()
	return created


def get_or_insert(doctype: str, name: str, values: dict) -> int:
	if frappe.db.exists(doctype, name):
		return 0
	frappe.get_doc({"doctype": doctype, **values}).insert(ignore_permissions=True)
	return 1


def make_territory(name: str) -> int:
	return get_or_insert(
		"Territory",
		name,
		{"territory_name": name, "parent_territory": get_root_of("Territory"), "is_group": 0},
	)


def get_or_make_item_group(name: str) -> str:
	get_or_insert(
		"Item Group", name, {"item_group_name": name, "parent_item_group": get_root_of("Item Group")}
	)
	return name


def make_item(item_code: str, item_name: str, item_group: str, warranty_days: int, serialised: bool) -> int:
	return get_or_insert(
		"Item",
		item_code,
		{
			"item_code": item_code,
			"item_name": item_name,
			"item_group": item_group,
			"stock_uom": "Nos",
			"is_stock_item": 1,
			"has_serial_no": int(serialised),
			"warranty_period": warranty_days or None,
			"description": item_name,
		},
	)


def make_item_price(item_code: str, rate: float) -> int:
	price_list = frappe.db.get_single_value("Selling Settings", "selling_price_list")
	if not price_list or not frappe.db.exists("Item", item_code):
		return 0
	if frappe.db.exists("Item Price", {"item_code": item_code, "price_list": price_list}):
		return 0
	frappe.get_doc(
		{"doctype": "Item Price", "item_code": item_code, "price_list": price_list, "price_list_rate": rate}
	).insert(ignore_permissions=True)
	return 1


def make_customer(name: str, customer_type: str, territory: str) -> int:
	return get_or_insert(
		"Customer",
		name,
		{
			"customer_name": name,
			"customer_type": customer_type,
			"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}, "name")
			or get_root_of("Customer Group"),
			"territory": territory,
		},
	)


def make_contact(customer: str, first: str, last: str, mobile: str, email: str) -> int:
	if frappe.db.exists("Contact", {"email_id": email}):
		return 0
	contact = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": first,
			"last_name": last,
			"email_ids": [{"email_id": email, "is_primary": 1}],
			"phone_nos": [{"phone": mobile, "is_primary_mobile_no": 1}],
			"links": [{"link_doctype": "Customer", "link_name": customer}],
		}
	).insert(ignore_permissions=True)
	if not frappe.db.get_value("Customer", customer, "customer_primary_contact"):
		frappe.db.set_value(
			"Customer",
			customer,
			{"customer_primary_contact": contact.name, "mobile_no": mobile, "email_id": email},
		)
	return 1


def make_address(customer: str, line1: str, city: str, state: str) -> int:
	if frappe.db.exists(
		"Dynamic Link", {"parenttype": "Address", "link_doctype": "Customer", "link_name": customer}
	):
		return 0
	address = frappe.get_doc(
		{
			"doctype": "Address",
			"address_title": customer,
			"address_type": "Billing",
			"address_line1": line1,
			"city": city,
			"state": state,
			"country": "China",
			"is_primary_address": 1,
			"is_shipping_address": 1,
			"links": [{"link_doctype": "Customer", "link_name": customer}],
		}
	).insert(ignore_permissions=True)
	if not frappe.db.get_value("Customer", customer, "customer_primary_address"):
		frappe.db.set_value("Customer", customer, "customer_primary_address", address.name)
	return 1


def make_serial_no(
	serial_no: str, item_code: str, customer: str, company: str, warranty: int | None, amc: int | None
) -> int:
	today = nowdate()
	return get_or_insert(
		"Serial No",
		serial_no,
		{
			"serial_no": serial_no,
			"item_code": item_code,
			"company": company,
			"customer": customer,
			"status": "Delivered",
			"warranty_period": frappe.db.get_value("Item", item_code, "warranty_period"),
			"warranty_expiry_date": add_days(today, warranty) if warranty is not None else None,
			"amc_expiry_date": add_days(today, amc) if amc is not None else None,
		},
	)


def make_user(email: str, first: str, last: str, roles: list[str], password: str) -> int:
	if frappe.db.exists("User", email):
		return 0
	from frappe.utils.password import update_password

	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": first,
			"last_name": last,
			"user_type": "System User",
			"send_welcome_email": 0,
			"language": frappe.db.get_default("lang") or "zh",
			"roles": [{"role": role} for role in roles],
		}
	)
	user.flags.no_welcome_mail = True
	user.insert(ignore_permissions=True)
	update_password(email, password)
	return 1


def make_portal_user(email: str, customer: str, password: str) -> int:
	"""A website user with ERPNext's Customer role, set as the user of the customer's contact with
	that e-mail (what the portal reads to know whose tickets the user may see)."""
	from aftersales_app.tickets.intake import is_linked

	contact = frappe.db.get_value("Contact", {"email_id": email})
	if not is_linked("Contact", contact, customer):
		return 0
	created = 0
	if not frappe.db.exists("User", email):
		from frappe.utils.password import update_password

		first = frappe.db.get_value("Contact", contact, "first_name")
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first,
				"user_type": "Website User",
				"send_welcome_email": 0,
				"language": frappe.db.get_default("lang") or "zh",
				"roles": [{"role": "Customer"}],
			}
		)
		user.flags.no_welcome_mail = True
		user.insert(ignore_permissions=True)
		update_password(email, password)
		created = 1
	if frappe.db.get_value("Contact", contact, "user") != email:
		frappe.db.set_value("Contact", contact, "user", email)
		created = 1
	return created


def make_employee(email: str, first: str, last: str, company: str) -> int:
	if frappe.db.exists("Employee", {"user_id": email}):
		return 0
	gender = frappe.db.get_value("Gender", _("Male")) or frappe.db.get_value("Gender", "Male")
	frappe.get_doc(
		{
			"doctype": "Employee",
			"first_name": first,
			"last_name": last,
			"user_id": email,
			"company": company,
			"status": "Active",
			"gender": gender or frappe.get_all("Gender", pluck="name", limit=1)[0],
			"date_of_birth": "1990-01-01",
			"date_of_joining": add_months(nowdate(), -24),
		}
	).insert(ignore_permissions=True)
	return 1


def make_technician(email: str, skills: list[str], territories: list[str], capacity: int) -> int:
	if frappe.db.exists("Service Technician", email):
		return 0
	frappe.get_doc(
		{
			"doctype": "Service Technician",
			"user": email,
			"employee": frappe.db.get_value("Employee", {"user_id": email}),
			"capacity": capacity,
			"active": 1,
			"skills": [{"skill": skill} for skill in skills],
			"territories": [{"territory": territory} for territory in territories],
		}
	).insert(ignore_permissions=True)
	return 1


def make_demo_ticket(subject, customer, serial_no, ticket_type, technician, category) -> int:
	if frappe.db.exists("Service Ticket", {"subject": subject}):
		return 0
	meta = frappe.get_meta("Service Ticket")
	ticket = frappe.get_doc(
		{
			"doctype": "Service Ticket",
			"subject": subject,
			"customer": customer,
			"serial_no": serial_no,
			"ticket_type": ticket_type,
			"channel": "Phone",
			"description": subject,
			# the ticket template's fields of its type (where the site still has them)
			**{k: v for k, v in TEMPLATE_VALUES.get(ticket_type, {}).items() if meta.has_field(k)},
		}
	).insert(ignore_permissions=True)
	walk_to(ticket, category, technician)
	return 1


def walk_to(ticket, category: str, technician: str | None = None):
	"""Move a ticket through the workflow, action by action, until it reaches a state of `category`:
	dispatched to `technician` (or put in the pool) by the app's dispatch, accepted by the
	technician, the other steps taken by Administrator, each by the category it leads to."""
	from aftersales_app.field_service import dispatch
	from aftersales_app.tickets.status import move_to_category

	target = ROUTE.index(category)
	while ROUTE.index(ticket.status) < target:
		wanted = ROUTE[ROUTE.index(ticket.status) + 1]
		if wanted == "Awaiting Customer" and not ticket.resolution:
			ticket.db_set({"diagnosis": "现场检测", "resolution": "<p>已处理</p>"})
		if wanted == "Awaiting Acceptance":
			ticket = dispatch.assign(ticket, technician) if technician else dispatch.put_in_pool(ticket)
			continue
		if wanted == "Closed":
			# the revisit call (回访) closes the ticket
			revisit = frappe.get_doc(
				{
					"doctype": "Service Revisit",
					"service_ticket": ticket.name,
					"reached": 1,
					"problem_solved": "Yes",
					"satisfaction": 5,
					"customer_words": "处理及时，满意",
				}
			).insert(ignore_permissions=True)
			ticket = frappe.get_doc("Service Ticket", revisit.service_ticket)
			continue
		user = ticket.assigned_technician if wanted == "In Progress" else "Administrator"
		ticket = move_to_category(ticket, wanted, as_user=user)


CHARGED_TICKET = "[演示] 空调压缩机更换（保外收费）"


def make_demo_charged_ticket(company: str) -> int:
	"""An out-of-warranty repair that shows the money: the technician visited, replaced the
	compressor and filed the return slip (its draft charge invoice: part, labour, call-out fee),
	the customer confirmed, and the technician collected a first installment in cash, which waits
	for finance's confirmation."""
	from aftersales_app.field_service import visits
	from aftersales_app.tickets.status import move_to_category

	if frappe.db.exists("Service Ticket", {"subject": CHARGED_TICKET}):
		return 0
	technician = demo_email("tech.zhou")
	ticket = frappe.get_doc(
		{
			"doctype": "Service Ticket",
			"subject": CHARGED_TICKET,
			"customer": "上海明德贸易有限公司",
			"serial_no": "SN-AC-0002",
			"ticket_type": "Repair",
			"channel": "Phone",
			"description": "<p>空调开机几分钟后停机，外机压缩机不启动</p>",
		}
	).insert(ignore_permissions=True)
	walk_to(ticket, "In Progress", technician)
	warehouse = frappe.db.get_single_value("Stock Settings", "default_warehouse") or frappe.db.get_value(
		"Warehouse", {"company": company, "is_group": 0}
	)
	visit = frappe.get_doc(
		{
			"doctype": "Service Visit",
			"ticket": ticket.name,
			"scheduled_start": now_datetime(),
			"scheduled_end": add_to_date(now_datetime(), hours=2),
			"diagnosis": "压缩机绕组短路",
			"solution": "<p>更换压缩机，补充冷媒，试机正常</p>",
			"labour_hours": 2,
			"parts": [{"item_code": "AS-PART-COMP", "qty": 1, "warehouse": warehouse}],
		}
	).insert(ignore_permissions=True)
	frappe.set_user(technician)
	try:
		visits.check_in(visit)
		ticket = visits.file_return_slip(frappe.get_doc("Service Visit", visit.name))
	finally:
		frappe.set_user("Administrator")
	move_to_category(ticket, "Awaiting Payment")  # the customer confirmed the repair
	frappe.set_user(technician)
	try:
		frappe.get_doc(
			{
				"doctype": "Service Payment",
				"service_ticket": ticket.name,
				"amount": 500,
				"mode_of_payment": frappe.db.get_value("Mode of Payment", {"type": "Cash"}),
				"collected_on": nowdate(),
				"remarks": "现场收取定金",
			}
		).insert()
	finally:
		frappe.set_user("Administrator")
	return 1


RETURN_TICKET = "[演示] 净水器漏水，客户要求换货"
REPLACEMENT_SERIAL = "SN-PU-9001"


def make_demo_return(company: str) -> int:
	"""A purifier that leaks, exchanged under warranty: the return authorised, the unit received
	into the returns warehouse and inspected, and a new unit in stock to deliver as its replacement
	(aftersales_app.returns.steps)."""
	from aftersales_app.returns import steps as returns

	if frappe.db.exists("Service Ticket", {"subject": RETURN_TICKET}):
		return 0
	if frappe.db.get_value("Serial No", "SN-PU-0001", "warehouse"):
		return 0  # the unit is in stock already (a site the app was installed on before)
	warehouse = frappe.db.get_single_value("Stock Settings", "default_warehouse") or frappe.db.get_value(
		"Warehouse", {"company": company, "is_group": 0}
	)
	if not frappe.db.exists("Serial No", REPLACEMENT_SERIAL):
		frappe.get_doc(
			{
				"doctype": "Stock Entry",
				"purpose": "Material Receipt",
				"stock_entry_type": "Material Receipt",
				"company": company,
				"items": [
					{
						"item_code": "AS-PU-1000",
						"t_warehouse": warehouse,
						"qty": 1,
						"basic_rate": 1200,
						"serial_no": REPLACEMENT_SERIAL,
						"use_serial_batch_fields": 1,
						"conversion_factor": 1,
						"expense_account": frappe.db.get_value(
							"Company", company, "stock_adjustment_account"
						),
					}
				],
			}
		).insert(ignore_permissions=True).submit()
	ticket = frappe.get_doc(
		{
			"doctype": "Service Ticket",
			"subject": RETURN_TICKET,
			"customer": "刘洋",
			"serial_no": "SN-PU-0001",
			"ticket_type": "Product Exchange",
			"channel": "Phone",
			"description": "<p>净水器底部持续漏水，购买未满三个月，客户要求换新</p>",
			# the type's return check (the shipped ticket template), where the site still has it
			"return_check_reason": "Quality Problem",
			"return_check_condition": "Like New",
		}
	).insert(ignore_permissions=True)
	walk_to(ticket, "In Progress", demo_email("tech.zhou"))
	ret = returns.authorise(ticket.name, "Exchange", "Quality Problem", "Like New", reason_detail="底部漏水")
	returns.record_shipment(ret.name, "顺丰速运", "SF1029384756")
	returns.receive(ret.name)
	returns.inspect(ret.name, "Passed", "Like New", "滤瓶接口开裂，非人为损坏")
	return 1
