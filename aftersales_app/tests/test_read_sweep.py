"""The read sweep: every Frappe door to a row obeys the row's rule, over HTTP on a live server.

One customer's work (ticket, visit with a part and a photo, payment, contact log, return with a
step, survey, status log; the customer, contact, address and serial number) is read by customer B,
by a technician who is not on the ticket and by a guest, through REST lists and gets,
`frappe.client.get_count` / `get_list` (with `parent=`) / `get_value`, reportview's `get` and
`get_count`, the sidebar's group-by counts, link search and link validation, and a form's
Connections counts: nothing of it comes back, and the counts they get are exactly their own. The
assigned technician reads it all (the same calls can answer). A pool ticket is read without its
customer's phone and address. The knowledge search answers a guest and a customer alike for
words of internal and draft articles and for words found nowhere."""

import json

import pytest
import requests

import frappe
from frappe.utils import now_datetime, nowdate

from aftersales_app.core import guest_limits
from aftersales_app.core.permissions import POOL_WITHHELD, portal_customers
from aftersales_app.demo.data import make_serial_no
from aftersales_app.tests import world
from aftersales_app.tests.utils import delete_articles, force_state, make_article, make_customer, make_ticket

OWNER_TECH, OTHER_TECH = world.TECH, world.TECH_B
CUSTOMER_B_USER = world.PORTAL_USER_B
VICTIM = "读扫测试客户甲"
VICTIM_PHONE = "13822220001"
VICTIM_SERIAL = "TEST-READ-SWEEP-0001"
POOL_PHONE = "13822220002"
ATTACKERS = ("customer_b", "other_tech", "guest")

# the app's parent DocTypes and their child tables
CHILDREN = {
	"Service Visit": ("Service Visit Part", "Service Visit Photo"),
	"Service Return": ("Service Return Step",),
}
# ERPNext's / Frappe's: the people's details a technician reads only for their own work
PEOPLE_CHILDREN = {
	"Contact": ("Contact Phone", "Contact Email", "Dynamic Link"),
	"Customer": ("Portal User",),
}


def stored_as_is(values: dict):
	"""Write a record and its child rows straight to their tables: the sweep needs rows to read,
	not the flows that make them (each flow is tested in its own suite)."""
	doc = frappe.get_doc(values)
	doc.set_new_name()
	doc.set_parent_in_children()
	doc.db_insert()
	for row in doc.get_all_children():
		row.db_insert()
	return doc


@pytest.fixture(scope="module")
def work():
	"""The victim's work, committed (the live server reads it); removed afterwards."""
	frappe.set_user("Administrator")
	make_customer(VICTIM, VICTIM_PHONE)
	contact = frappe.db.get_value("Dynamic Link", {"parenttype": "Contact", "link_name": VICTIM}, "parent")
	address = frappe.db.get_value("Dynamic Link", {"parenttype": "Address", "link_name": VICTIM}, "parent")
	if not address:
		address = (
			frappe.get_doc(
				{
					"doctype": "Address",
					"address_title": VICTIM,
					"address_type": "Billing",
					"address_line1": "读扫路 7 号",
					"city": "上海",
					"country": frappe.db.get_value("Country", {"code": "cn"}) or "China",
					"links": [{"link_doctype": "Customer", "link_name": VICTIM}],
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
	company = frappe.defaults.get_global_default("company")
	make_serial_no(VICTIM_SERIAL, world.PRODUCT, VICTIM, company, 200, None)
	ticket = force_state(
		make_ticket(
			subject="读扫 工单",
			customer=VICTIM,
			contact=contact,
			contact_phone=VICTIM_PHONE,
			address=address,
			serial_no=VICTIM_SERIAL,
			assigned_technician=OWNER_TECH,
		),
		"In Progress",
	)
	pool = force_state(
		make_ticket(
			subject="读扫 池中工单",
			customer=VICTIM,
			contact=contact,
			contact_phone=POOL_PHONE,
			address=address,
			in_pool=1,
		),
		"Awaiting Acceptance",
	)
	visit = stored_as_is(
		{
			"doctype": "Service Visit",
			"ticket": ticket.name,
			"customer": VICTIM,
			"technician": OWNER_TECH,
			"scheduled_start": now_datetime(),
			"scheduled_end": now_datetime(),
			"diagnosis": "读扫诊断",
			"parts": [{"item_code": world.PART, "qty": 1, "rate": 777}],
			"photos": [{"photo": "/files/read-sweep.png", "caption": "读扫照片"}],
		}
	)
	payment = stored_as_is(
		{
			"doctype": "Service Payment",
			"service_ticket": ticket.name,
			"customer": VICTIM,
			"amount": 4321,
			"collected_by": OWNER_TECH,
			"collected_on": nowdate(),
		}
	)
	log = stored_as_is(
		{
			"doctype": "Service Contact Log",
			"ticket": ticket.name,
			"customer": VICTIM,
			"contact": contact,
			"direction": "Outbound",
			"channel": "Phone",
			"contact_time": now_datetime(),
			"summary": "读扫联系记录",
		}
	)
	ret = stored_as_is(
		{
			"doctype": "Service Return",
			"service_ticket": ticket.name,
			"customer": VICTIM,
			"serial_no": VICTIM_SERIAL,
			"steps": [{"step": "Authorised", "on": now_datetime()}],
		}
	)
	survey = stored_as_is({"doctype": "Service Survey", "service_ticket": ticket.name, "customer": VICTIM})
	status_log = stored_as_is(
		{"doctype": "Service Ticket Status Log", "ticket": ticket.name, "changed_by": "Administrator"}
	)
	frappe.db.commit()
	made = frappe._dict(
		ticket=ticket.name,
		pool=pool.name,
		contact=contact,
		address=address,
		rows={
			"Service Ticket": ticket.name,
			"Service Visit": visit.name,
			"Service Payment": payment.name,
			"Service Contact Log": log.name,
			"Service Return": ret.name,
			"Service Survey": survey.name,
			"Service Ticket Status Log": status_log.name,
			"Customer": VICTIM,
			"Contact": contact,
			"Address": address,
			"Serial No": VICTIM_SERIAL,
		},
		children={
			"Service Visit": visit.name,
			"Service Return": ret.name,
			"Contact": contact,
			"Customer": VICTIM,
		},
	)
	yield made
	frappe.db.rollback()
	for doctype in ("Service Survey", "Service Ticket Status Log", "Service Contact Log", "Service Payment"):
		field = (
			"ticket" if doctype in ("Service Contact Log", "Service Ticket Status Log") else "service_ticket"
		)
		frappe.db.delete(doctype, {field: ("in", [ticket.name, pool.name])})
	for doctype, child in CHILDREN.items():
		for name in (visit.name, ret.name):
			for table in child:
				frappe.db.delete(table, {"parent": name, "parenttype": doctype})
	frappe.db.delete("Service Visit", {"name": visit.name})
	frappe.db.delete("Service Return", {"name": ret.name})
	frappe.db.delete("Service Ticket Status Log", {"ticket": ("in", [ticket.name, pool.name])})
	frappe.db.delete("Service Ticket", {"name": ("in", [ticket.name, pool.name])})
	frappe.db.commit()


class Caller:
	"""One user's HTTP session, counting its calls."""

	calls = 0

	def __init__(self, api_url: str, headers: dict | None):
		self.url = api_url
		self.session = requests.Session()
		if headers:
			self.session.headers.update(headers)

	def get(self, path: str, **params):
		Caller.calls += 1
		params = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in params.items()}
		return self.session.get(f"{self.url}{path}", params=params, timeout=60)

	def method(self, method: str, **params):
		return self.get(f"/api/method/{method}", **params)


@pytest.fixture(scope="module")
def callers(live_server, work):
	api_url = live_server.replace(frappe.local.site, "127.0.0.1")

	def headers(user: str) -> dict:
		doc = frappe.get_doc("User", user)
		doc.api_key = doc.api_key or frappe.generate_hash(length=15)
		secret = frappe.generate_hash(length=15)
		doc.api_secret = secret
		doc.save(ignore_permissions=True)
		frappe.db.commit()
		return {"Authorization": f"token {doc.api_key}:{secret}", "Accept": "application/json"}

	return {
		"customer_b": Caller(api_url, headers(CUSTOMER_B_USER)),
		"other_tech": Caller(api_url, headers(OTHER_TECH)),
		"owner_tech": Caller(api_url, headers(OWNER_TECH)),
		"guest": Caller(api_url, {"Accept": "application/json"}),
	}


def nothing(response, *secrets) -> bool:
	"""A refusal, or an answer holding no row and a zero count, and none of `secrets`."""
	if any(secret and str(secret) in response.text for secret in secrets):
		return False
	if response.status_code in (401, 403, 404):
		return True
	if response.status_code != 200:
		return False
	body = response.json()
	answer = body.get("message", body.get("data"))
	if isinstance(answer, dict) and "values" in answer:  # reportview.get
		answer = answer["values"]
	return answer in (None, 0, [], {}, "")


def count_of(response) -> int | None:
	return response.json()["message"] if response.status_code == 200 else None


def doors(doctype: str, name: str, phone_like: bool = False) -> dict:
	"""Every way to read or count the row `name` of `doctype`: method and parameters."""
	by_name = {"name": name}
	if phone_like:
		by_name = {"name": name, "contact_phone": ["like", "138%"]}
	return {
		"REST list": (f"/api/resource/{doctype}", {"filters": [["name", "=", name]], "fields": ["name"]}),
		"REST get": (f"/api/resource/{doctype}/{name}", {}),
		"frappe.client.get_count": ("frappe.client.get_count", {"doctype": doctype, "filters": by_name}),
		"frappe.client.get_list": (
			"frappe.client.get_list",
			{"doctype": doctype, "filters": by_name, "fields": ["name"]},
		),
		"frappe.client.get_value": (
			"frappe.client.get_value",
			{"doctype": doctype, "fieldname": "name", "filters": by_name},
		),
		"reportview.get": (
			"frappe.desk.reportview.get",
			{"doctype": doctype, "fields": [f"`tab{doctype}`.`name`"], "filters": by_name},
		),
		"reportview.get_count": (
			"frappe.desk.reportview.get_count",
			{"doctype": doctype, "filters": by_name},
		),
		"group-by count (owner)": (
			"frappe.desk.listview.get_group_by_count",
			{"doctype": doctype, "current_filters": by_name, "field": "owner"},
		),
		"group-by count (assigned to)": (
			"frappe.desk.listview.get_group_by_count",
			{"doctype": doctype, "current_filters": by_name, "field": "assigned_to"},
		),
		"search_link": ("frappe.desk.search.search_link", {"doctype": doctype, "txt": name}),
		"search_link ignoring user permissions": (
			"frappe.desk.search.search_link",
			{"doctype": doctype, "txt": name, "ignore_user_permissions": 1},
		),
		"validate_link": ("frappe.client.validate_link", {"doctype": doctype, "docname": name}),
	}


def child_doors(parent: str, child: str, parent_name: str) -> dict:
	by_parent = {"parent": parent_name}
	return {
		"frappe.client.get_list parent=": (
			"frappe.client.get_list",
			{"doctype": child, "parent": parent, "filters": by_parent, "fields": ["name", "parent"]},
		),
		"REST list parent=": (
			f"/api/resource/{child}",
			{"parent": parent, "filters": [["parent", "=", parent_name]], "fields": ["name"]},
		),
		"frappe.client.get_count parent=": (
			"frappe.client.get_count",
			{"doctype": child, "parent": parent, "filters": by_parent},
		),
		"frappe.client.get_count": ("frappe.client.get_count", {"doctype": child, "filters": by_parent}),
		"frappe.client.get_value parent=": (
			"frappe.client.get_value",
			{"doctype": child, "parent": parent, "fieldname": "name", "filters": by_parent},
		),
		"reportview.get parent_doctype": (
			"frappe.desk.reportview.get",
			{
				"doctype": child,
				"parent_doctype": parent,
				"fields": [f"`tab{child}`.`name`"],
				"filters": by_parent,
			},
		),
		"reportview.get_count parent_doctype": (
			"frappe.desk.reportview.get_count",
			{"doctype": child, "parent_doctype": parent, "filters": by_parent},
		),
	}


def call(caller: Caller, path: str, params: dict):
	if path.startswith("/"):
		return caller.get(path, **params)
	return caller.method(path, **params)


def sweep(caller: Caller, table: dict, secrets=()) -> list[str]:
	"""The doors of `table` that answered something."""
	return [
		door for door, (path, params) in table.items() if not nothing(call(caller, path, params), *secrets)
	]


def test_no_door_opens_anothers_rows(callers, work, report):
	leaks = []
	for who in ATTACKERS:
		caller = callers[who]
		for doctype, name in work.rows.items():
			for door in sweep(
				caller, doors(doctype, name, phone_like=doctype == "Service Ticket"), [VICTIM_PHONE]
			):
				leaks.append(f"{who}: {doctype} by {door}")
		for parent, children in {**CHILDREN, **PEOPLE_CHILDREN}.items():
			for child in children:
				for door in sweep(caller, child_doors(parent, child, work.children[parent]), [VICTIM_PHONE]):
					leaks.append(f"{who}: {child} of {parent} by {door}")
	report(f"read sweep: {Caller.calls} calls as customer B, another technician and a guest")
	assert leaks == []


def test_the_assigned_technician_reads_through_the_same_doors(callers, work):
	"""The same calls answer the technician whose work it is (so the sweep can fail)."""
	caller = callers["owner_tech"]
	for doctype in ("Service Ticket", "Service Visit", "Service Payment", "Service Contact Log"):
		name = work.rows[doctype]
		answer = caller.method("frappe.client.get_count", doctype=doctype, filters={"name": name})
		assert count_of(answer) == 1, (doctype, answer.text)
	for doctype in ("Customer", "Contact", "Address", "Serial No"):
		name = work.rows[doctype]
		assert (
			count_of(caller.method("frappe.client.get_count", doctype=doctype, filters={"name": name})) == 1
		)
		assert caller.get(f"/api/resource/{doctype}/{name}").status_code == 200, doctype
	phone = {"name": work.ticket, "contact_phone": ["like", "138%"]}
	assert count_of(caller.method("frappe.client.get_count", doctype="Service Ticket", filters=phone)) == 1
	for parent, children in CHILDREN.items():
		for child in children:
			rows = caller.method(
				"frappe.client.get_list",
				doctype=child,
				parent=parent,
				filters={"parent": work.children[parent]},
				fields=["name"],
			).json()["message"]
			assert len(rows) == 1, child
	found = caller.method("frappe.desk.search.search_link", doctype="Customer", txt=VICTIM).json()
	assert VICTIM in json.dumps(found, ensure_ascii=False)


def test_counts_are_exactly_ones_own(callers, work):
	"""Unfiltered counts equal what the user owns: customer B its company's tickets, the other
	technician their own and offered tickets (the pool is read through its page), and none of the
	victim's people."""
	frappe.db.rollback()
	b_tickets = frappe.db.count("Service Ticket", {"customer": ("in", portal_customers(CUSTOMER_B_USER))})
	tech_tickets = len(
		frappe.get_all(
			"Service Ticket",
			or_filters={"assigned_technician": OTHER_TECH, "transfer_to": OTHER_TECH},
			pluck="name",
		)
	)
	for who, expected in (("customer_b", b_tickets), ("other_tech", tech_tickets)):
		for method in ("frappe.client.get_count", "frappe.desk.reportview.get_count"):
			answer = callers[who].method(method, doctype="Service Ticket")
			assert count_of(answer) == expected, (who, method, answer.text)
	# the other technician's customers are those of their own tickets: never the victim
	mine = set(
		frappe.get_all(
			"Service Ticket",
			or_filters={"assigned_technician": OTHER_TECH, "transfer_to": OTHER_TECH},
			pluck="customer",
		)
	)
	answer = callers["other_tech"].method("frappe.client.get_count", doctype="Customer")
	assert count_of(answer) == len({c for c in mine if c}), answer.text
	listed = callers["other_tech"].get("/api/resource/Customer", limit_page_length=0).json()["data"]
	assert VICTIM not in {row["name"] for row in listed}


def test_a_pool_ticket_is_read_without_its_customers_phone_and_address(callers, work):
	caller = callers["other_tech"]
	for answer in (
		caller.get(f"/api/resource/Service Ticket/{work.pool}"),
		caller.method("frappe.client.get", doctype="Service Ticket", name=work.pool),
	):
		assert answer.status_code == 200, answer.text
		doc = answer.json().get("data") or answer.json()["message"]
		assert doc["subject"] == "读扫 池中工单"
		assert {f: doc.get(f) for f in POOL_WITHHELD} == dict.fromkeys(POOL_WITHHELD)
		assert POOL_PHONE not in answer.text and "读扫路" not in answer.text
	# nor through a list, a count or a filter on the pool's phone: the pool is no list of theirs
	listed = caller.get(
		"/api/resource/Service Ticket",
		fields=json.dumps(["name", "contact_phone", "address"]),
		filters=json.dumps({"name": work.pool}),
	)
	assert listed.status_code == 200 and listed.json()["data"] == [], listed.text
	for method in ("frappe.client.get_count", "frappe.desk.reportview.get_count"):
		answer = caller.method(
			method,
			doctype="Service Ticket",
			filters=json.dumps({"name": work.pool, "contact_phone": ["like", POOL_PHONE[:3] + "%"]}),
		)
		assert count_of(answer) == 0, (method, answer.text)
	pool = caller.method("aftersales_app.api.dispatch.get_pool")
	assert POOL_PHONE not in pool.text and "读扫路" not in pool.text
	# nor its customer's record
	assert caller.get(f"/api/resource/Customer/{VICTIM}").status_code == 403
	# the assigned technician of another ticket of the same customer reads the details there
	answer = callers["owner_tech"].get(f"/api/resource/Service Ticket/{work.ticket}")
	assert answer.json()["data"]["contact_phone"] == VICTIM_PHONE


# --- the knowledge search: no oracle of internal and draft articles ------------------------------


def rare(start: int, i: int, length: int = 4) -> str:
	"""A word of rare CJK characters no other article holds."""
	return "".join(chr(start + 8 * i + j) for j in range(length))


PUBLIC_WORD = rare(0x9F40, 0, 2)
SECRET_WORDS = [rare(0x8C00, i) for i in range(10)]
NOWHERE_WORDS = [rare(0x8E00, i) for i in range(10)]


@pytest.fixture
def hidden_articles():
	"""A public article, five internal and five draft ones holding the secret words (committed)."""
	make_article(f"读扫知识 {PUBLIC_WORD}", f"<p>{PUBLIC_WORD} 的处理</p>")
	for i, word in enumerate(SECRET_WORDS):
		internal = i < 5
		make_article(
			f"读扫知识 {'内部' if internal else '草稿'} {i}",
			f"<p>{word} {PUBLIC_WORD}</p>",
			published=0,
			internal=int(internal),
		)
	frappe.db.commit()
	yield
	guest_limits.reset()
	delete_articles("读扫知识%")


def test_words_of_internal_and_draft_articles_answer_as_words_found_nowhere(
	live_server, hidden_articles, api_headers, report
):
	api_url = live_server.replace(frappe.local.site, "127.0.0.1")
	searchers = {
		"guest": Caller(api_url, {"Accept": "application/json"}),
		"customer": Caller(api_url, api_headers(CUSTOMER_B_USER)),
	}
	distinguishable, calls = 0, 0

	def search(caller: Caller, word: str):
		guest_limits.reset()  # the per-address limit is not what is tested here
		answer = caller.method("aftersales_app.api.knowledge.search_articles", query=f"{PUBLIC_WORD} {word}")
		assert answer.status_code == 200, answer.text
		return answer.json()["message"]

	for caller in searchers.values():
		for secret, nowhere in zip(SECRET_WORDS, NOWHERE_WORDS, strict=True):
			secret_answer, nowhere_answer = search(caller, secret), search(caller, nowhere)
			calls += 2
			assert [r["title"] for r in nowhere_answer] == [f"读扫知识 {PUBLIC_WORD}"]
			distinguishable += secret_answer != nowhere_answer
	report(f"knowledge oracle: {distinguishable} of 20 secret words told apart ({calls} searches)")
	assert distinguishable == 0
