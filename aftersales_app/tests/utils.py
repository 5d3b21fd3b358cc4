"""Factories shared by the test suites: small, explicit, and built on the tests' own world
(tests/world.py), never on the demo's records."""

import frappe
from frappe.utils import add_days, add_to_date, now_datetime, nowdate

from aftersales_app.tests import world

# what the shipped ticket templates (aftersales_app.tickets.setup.ticket_templates) require of a type's
# tickets: make_ticket fills them in unless a test passes its own values
TEMPLATE_VALUES = {
	"Installation": {"site_location": "三楼会议室北墙", "site_mounting": "Wall Mounted"},
	"Product Return": {"return_check_reason": "Quality Problem", "return_check_condition": "Used"},
	"Product Exchange": {"return_check_reason": "Quality Problem", "return_check_condition": "Used"},
}


def template_values(ticket_type: str | None) -> dict:
	"""The template's required values of a ticket type, for the fields the site has."""
	meta = frappe.get_meta("Service Ticket")
	return {k: v for k, v in TEMPLATE_VALUES.get(ticket_type, {}).items() if meta.has_field(k)}


def make_ticket(**values) -> "frappe.Document":
	"""A saved Service Ticket of the world's customer; pass fields to override. Fields that only the
	app's actions set (an assigned technician, amounts …) are set after the insert as the app would,
	a set-up shortcut like force_state. The ticket type's template fields are filled in."""
	from aftersales_app.tickets.doctype.service_ticket.service_ticket import ServiceTicket

	values = {**template_values(values.get("ticket_type")), **values}
	app_set = {
		k: values.pop(k)
		for k in list(values)
		if k != "customer" and (k in ServiceTicket.computed_fields or k in ServiceTicket.action_fields)
	}
	doc = frappe.get_doc(
		{
			"doctype": "Service Ticket",
			"subject": "空调不制冷",
			"customer": world.CUSTOMER,
			"ticket_type": "Repair",
			"description": "<p>开机后不出冷风</p>",
			**values,
		}
	)
	doc.insert()
	if app_set:
		set_as_app(doc, **app_set)
	return doc


def set_as_app(doc, **values):
	"""Set fields of a saved document as the app's own flows do (tests' set-up shortcut)."""
	from aftersales_app.core.app_fields import save_as_app

	doc.reload()  # the stored `modified` (frozen clocks write it without microseconds)
	doc.update(values)
	save_as_app(doc)
	return doc


def make_sales_invoice(customer: str, item_code: str, posting_date=None, submit: bool = True):
	"""A submitted sales invoice: the customer's proof of purchase."""
	company = frappe.defaults.get_global_default("company")
	invoice = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"customer": customer,
			"company": company,
			"set_posting_time": 1,
			"posting_date": posting_date or nowdate(),
			"due_date": add_days(posting_date or nowdate(), 30),
			"items": [{"item_code": item_code, "qty": 1, "rate": 3000}],
		}
	).insert(ignore_permissions=True)
	if submit:
		invoice.submit()
	return invoice


def force_state(ticket, category: str):
	"""Put a ticket straight into the (first) state of a category, as a test set-up shortcut that
	skips the workflow; the app itself only moves tickets through workflow actions."""
	from aftersales_app.tickets.status import states_of

	state = states_of(category)[0]
	frappe.db.set_value(
		"Service Ticket", ticket.name, {"workflow_state": state, "status": category}, update_modified=False
	)
	ticket.reload()
	return ticket


def make_user(email: str, roles=()) -> str:
	"""A desk or website user with `roles` (made once)."""
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.split("@")[0],
				"send_welcome_email": 0,
				"roles": [{"role": r} for r in roles],
			}
		).insert(ignore_permissions=True)
	return email


def make_customer(name: str, phone: str = "13900000000") -> str:
	"""A company customer of its own with a contact (the phone) and a billing address, made once:
	tests that need a customer other tests do not touch."""
	from frappe.utils.nestedset import get_root_of

	if not frappe.db.exists("Customer", name):
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": name,
				"customer_type": "Company",
				"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}, "name")
				or get_root_of("Customer Group"),
				"territory": frappe.db.get_value("Territory", {"is_group": 0}, "name")
				or get_root_of("Territory"),
			}
		).insert(ignore_permissions=True)
		frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": f"{name} 联系人",
				"phone_nos": [{"phone": phone, "is_primary_phone": 1, "is_primary_mobile_no": 1}],
				"links": [{"link_doctype": "Customer", "link_name": name}],
				"is_primary_contact": 1,
			}
		).insert(ignore_permissions=True)
	return name


def make_customer_group(name: str) -> str:
	"""A customer group of its own under the root (made once)."""
	from frappe.utils.nestedset import get_root_of

	if not frappe.db.exists("Customer Group", name):
		frappe.get_doc(
			{
				"doctype": "Customer Group",
				"customer_group_name": name,
				"parent_customer_group": get_root_of("Customer Group"),
			}
		).insert(ignore_permissions=True)
	return name


def make_portal_user(email: str, customer: str | None = None) -> str:
	"""A website user with the Customer role, optionally made the user of a new contact of
	`customer` (how "Invite as User" connects a contact)."""
	make_user(email, ["Customer"])
	if customer and not frappe.db.exists(
		"Dynamic Link",
		{"parenttype": "Contact", "link_name": customer, "parent": ("in", _contacts_of_user(email))},
	):
		frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": email.split("@")[0],
				"user": email,
				"email_ids": [{"email_id": email, "is_primary": 1}],
				"links": [{"link_doctype": "Customer", "link_name": customer}],
			}
		).insert(ignore_permissions=True)
	return email


def _contacts_of_user(email: str) -> list[str]:
	return frappe.get_all("Contact", filters={"user": email}, pluck="name") or [""]


def make_technician(email: str, skills=(), territories=(), capacity: int = 5, **values):
	"""A technician (and its user) for dispatch tests."""
	make_user(email, ["Service Technician"])
	return frappe.get_doc(
		{
			"doctype": "Service Technician",
			"user": email,
			"capacity": capacity,
			"skills": [{"skill": s} for s in skills],
			"territories": [{"territory": t} for t in territories],
			**values,
		}
	).insert(ignore_permissions=True)


def make_dispatch_area(name: str):
	"""A territory, a skill and a ticket type needing that skill: a corner of the site where only
	the technicians a test makes qualify."""
	from frappe.utils.nestedset import get_root_of

	if not frappe.db.exists("Territory", name):
		frappe.get_doc(
			{"doctype": "Territory", "territory_name": name, "parent_territory": get_root_of("Territory")}
		).insert(ignore_permissions=True)
	if not frappe.db.exists("Service Skill", name):
		frappe.get_doc({"doctype": "Service Skill", "skill_name": name}).insert(ignore_permissions=True)
	if not frappe.db.exists("Service Ticket Type", name):
		frappe.get_doc({"doctype": "Service Ticket Type", "type_name": name, "required_skill": name}).insert(
			ignore_permissions=True
		)
	return name


def make_visit(ticket=None, **values) -> "frappe.Document":
	"""A saved Service Visit, scheduled from now for two hours; without a ticket, on a new ticket
	assigned to the world's technician world.TECH."""
	if ticket is None:
		ticket = make_ticket(assigned_technician=world.TECH)
	start = values.pop("scheduled_start", None) or now_datetime()
	return frappe.get_doc(
		{
			"doctype": "Service Visit",
			"ticket": ticket.name,
			"scheduled_start": start,
			"scheduled_end": add_to_date(start, hours=2),
			**values,
		}
	).insert()


def stock_warehouse() -> str:
	"""A warehouse of the default company that holds stock (the Stock Settings default first)."""
	company = frappe.defaults.get_global_default("company")
	default = frappe.db.get_single_value("Stock Settings", "default_warehouse")
	if default and frappe.db.get_value("Warehouse", default, ["company", "is_group"]) == (company, 0):
		return default
	return frappe.get_all(
		"Warehouse",
		filters={"company": company, "is_group": 0, "warehouse_type": ("!=", "Transit")},
		pluck="name",
		limit=1,
	)[0]


def make_stock(
	item_code: str, qty: float, warehouse: str | None = None, rate: float = 100, serial_no: str | None = None
):
	"""A submitted Material Receipt that puts `qty` of an item (the serial numbers `serial_no`, one
	per line, of a serialised one) into a warehouse of the default company; returns the warehouse."""
	warehouse = warehouse or stock_warehouse()
	company = frappe.db.get_value("Warehouse", warehouse, "company")
	entry = frappe.get_doc(
		{
			"doctype": "Stock Entry",
			"purpose": "Material Receipt",
			"stock_entry_type": "Material Receipt",
			"company": company,
			"items": [
				{
					"item_code": item_code,
					"t_warehouse": warehouse,
					"qty": qty,
					"basic_rate": rate,
					"conversion_factor": 1,
					"expense_account": frappe.db.get_value("Company", company, "stock_adjustment_account"),
					"serial_no": serial_no,
					"use_serial_batch_fields": 1 if serial_no else 0,
				}
			],
		}
	).insert(ignore_permissions=True)
	entry.submit()
	return warehouse


def as_user(user: str, fn, *args, **kwargs):
	"""`fn(*args, **kwargs)` as `user`, back to Administrator afterwards (the one helper for it)."""
	frappe.set_user(user)
	try:
		return fn(*args, **kwargs)
	finally:
		frappe.set_user("Administrator")


def act(ticket, action: str, user: str):
	"""`user` takes the workflow action `action` on the stored ticket."""
	from frappe.model.workflow import apply_workflow

	return as_user(user, lambda: apply_workflow(frappe.get_doc("Service Ticket", ticket.name), action))


def site_paths():
	"""The test site and its sites folder (a Path), for workers in other processes."""
	from pathlib import Path

	return frappe.local.site, Path(frappe.local.sites_path).resolve()


def login(page, base_url: str, user: str, password: str):
	"""Sign in on the desk's login page in a Playwright page."""
	page.goto(f"{base_url}/login")
	page.fill("#login_email", user)
	page.fill("#login_password", password)
	page.click(".btn-login")
	page.wait_for_url(f"{base_url}/app**", timeout=30000)


def returned_ticket(
	serial_no=world.SERIAL_OUT,
	parts=((world.PART, 1, 0),),
	labour_hours=2,
	labour_not_covered=0,
	customer=None,
	ticket=None,
	**values,
):
	"""A ticket whose technician (world.TECH) visited, checked in, worked and filed the return slip:
	it waits for the customer's confirmation. Out of warranty by default; parts: (item, qty, not
	covered); the customer is the serial number's (or `customer`); `ticket`: one of world.TECH's
	in progress instead of a new one."""
	from aftersales_app.field_service import visits

	technician = world.TECH
	customer = customer or (
		frappe.db.get_value("Serial No", serial_no, "customer") if serial_no else world.CUSTOMER
	)
	if ticket is None:
		ticket = force_state(
			make_ticket(serial_no=serial_no, customer=customer, assigned_technician=technician, **values),
			"In Progress",
		)
	warehouse = stock_warehouse()
	visit = make_visit(
		ticket,
		diagnosis="压缩机损坏",
		solution="<p>更换压缩机</p>",
		labour_hours=labour_hours,
		labour_not_covered=labour_not_covered,
		parts=[
			{"item_code": item, "qty": qty, "warehouse": warehouse, "not_covered": not_covered}
			for item, qty, not_covered in parts
		],
	)
	as_user(technician, visits.check_in, visit)
	as_user(technician, visits.file_return_slip, frappe.get_doc("Service Visit", visit.name))
	return ticket.reload()


def remove_ticket_and_money(ticket: str):
	"""Clean up what a test committed: the ticket, its visits, payments, Payment Entries and
	charge invoice (cancelled first, as ERPNext requires), then commit."""
	frappe.set_user("Administrator")
	payments = frappe.get_all("Service Payment", filters={"service_ticket": ticket}, pluck="name")
	for name in frappe.get_all(
		"Payment Entry", filters={"service_payment": ("in", payments or [""]), "docstatus": 1}, pluck="name"
	):
		frappe.get_doc("Payment Entry", name).cancel()
	for name in frappe.get_all(
		"Payment Entry", filters={"service_payment": ("in", payments or [""])}, pluck="name"
	):
		frappe.delete_doc("Payment Entry", name, force=True)
	for name in payments:
		frappe.delete_doc("Service Payment", name, force=True, ignore_permissions=True)
	for name in frappe.get_all("Sales Invoice", filters={"service_ticket": ticket}, pluck="name"):
		invoice = frappe.get_doc("Sales Invoice", name)
		if invoice.docstatus == 1:
			invoice.cancel()
		frappe.delete_doc("Sales Invoice", name, force=True)
	for name in frappe.get_all("Service Visit", filters={"ticket": ticket}, pluck="name"):
		frappe.delete_doc("Service Visit", name, force=True, ignore_permissions=True)
	frappe.delete_doc("Service Ticket", ticket, force=True, ignore_permissions=True)
	frappe.db.commit()


def record_revisit(ticket, user: str, solved: bool = True, reached: bool = True, **values):
	"""`user` records the revisit call (回访) of a ticket waiting for it."""
	return as_user(
		user,
		lambda: frappe.get_doc(
			{
				"doctype": "Service Revisit",
				"service_ticket": ticket.name,
				"reached": int(reached),
				"problem_solved": ("Yes" if solved else "No") if reached else "",
				"satisfaction": 5 if solved else 2,
				**values,
			}
		).insert(),
	)


def deliver_messages(doc):
	"""Send what the outbox holds for `doc` now, as the background job would after the commit."""
	from aftersales_app.notifications import outbox

	for name in frappe.get_all(
		"After-Sales Message",
		filters={"reference_doctype": doc.doctype, "reference_name": doc.name, "status": "Queued"},
		pluck="name",
	):
		outbox.deliver(name)


def make_article(title: str, content: str = "", published: int = 1, internal: int = 0, **values):
	"""A saved knowledge base article (Help Article) in the app's default category; published
	unless told otherwise. Fields of the app go by their names (aftersales_item, …)."""
	from aftersales_app.knowledge.articles import default_category

	return frappe.get_doc(
		{
			"doctype": "Help Article",
			"title": title,
			"category": default_category(),
			"published": published,
			"aftersales_internal": internal,
			"content": content or f"<p>{title}</p>",
			**values,
		}
	).insert(ignore_permissions=True)


def delete_articles(titles_like: str):
	"""Delete the knowledge base articles whose title is like `titles_like` (committed)."""
	frappe.db.rollback()
	for name in frappe.get_all("Help Article", filters={"title": ("like", titles_like)}, pluck="name"):
		frappe.delete_doc("Help Article", name, force=True, ignore_permissions=True)
	frappe.db.commit()  # the live server, another process, must not see them any more


def http_session(api_url: str, user: str, password: str | None = None):
	"""A requests session signed in as `user` over the site's own login, as a browser is."""
	import requests

	session = requests.Session()
	answer = session.post(
		f"{api_url}/api/method/login", data={"usr": user, "pwd": password or "aftersales"}, timeout=60
	)
	assert answer.ok, (user, answer.status_code, answer.text[:200])
	return session


def return_without_sale(subject: str = "换货", return_type: str = "Refund", **values) -> str:
	"""A Product Exchange ticket of world.SERIAL_IN in progress, and its return authorised by
	customer service without a sale in ERPNext (received by Material Receipt); the return's name."""
	from aftersales_app.api import returns as returns_api
	from aftersales_app.tests import world
	from aftersales_app.tickets.status import IN_PROGRESS

	ticket = force_state(
		make_ticket(subject=subject, serial_no=world.SERIAL_IN, ticket_type="Product Exchange"), IN_PROGRESS
	)
	answer = as_user(
		world.AGENT,
		returns_api.authorise,
		ticket=ticket.name,
		reason="Quality Problem",
		condition_expected="Used",
		return_type=return_type,
		**values,
	)
	return answer["name"]
