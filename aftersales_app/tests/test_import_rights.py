"""Imports and contacts within the importer's rights (issue 26), tried as a Service Agent through
Frappe's Data Import of *Imported Customer* rows and over plain REST on a live server:

- a row naming a serial number in stock, sold to another customer, merely known, or with warranty
  dates (which the agent may not set) is refused whole; the serial number, its warranty and the
  other customer's open tickets stay as they were, and the tickets still save;
- a contact carrying another customer's portal e-mail (Frappe fills the user in from it), a
  contact link or a Portal Users row that would hand a portal user one more customer is refused,
  and the portal user reads exactly their own customer's tickets still; a manager's explicit grant
  works and is on the customer's and the contact's timelines;
- credit limits change for accounts roles only.

Every refusal is checked on the committed rows: Customer, Contact, Dynamic Link, Portal User,
Serial No and the serial numbers' versions, counted before and after."""

import io
import json

import pytest
import requests

import frappe

from aftersales_app.core.permissions import portal_customers
from aftersales_app.portal.access import PortalAccessError
from aftersales_app.tests import world
from aftersales_app.tests.data.make_customer_sample import write
from aftersales_app.tests.test_customer_import import failures, remove_imported, run_import, upload
from aftersales_app.tests.utils import make_stock, make_ticket, make_user

RESOURCE = "/api/resource/"
AGENT, MANAGER = world.AGENT, world.MANAGER
# a System Manager (and After-Sales Manager, who may write customers): an accounts role
ACCOUNTS = world.ADMIN
# an agent who is also a Stock Manager: may edit serial numbers, so may import warranty dates
SERIAL_KEEPER = "import.rights.stock@aftersales-tests.example.com"
# the world's customer whose serial number the attack names, and the other customer's portal user
VICTIM, OTHER, OTHER_USER = world.CUSTOMER, world.CUSTOMER_B, world.PORTAL_USER_B
SOLD = world.SERIAL_IN  # VICTIM's, under warranty
IN_STOCK = "TEST-AC-IR-STOCK1"  # received into a warehouse, nobody's yet
KNOWN = "TEST-AC-IR-KNOWN1"  # on the site, no customer, no stock
FAR = "2099-12-31"
COUNTED = ("Customer", "Contact", "Dynamic Link", "Portal User", "Serial No")
SERIAL_FIELDS = ["customer", "warehouse", "warranty_expiry_date", "amc_expiry_date", "status", "modified"]


def committed_counts() -> dict:
	"""Rows the server committed (a fresh snapshot), and the versions of serial numbers."""
	frappe.db.rollback()
	counts = {doctype: frappe.db.count(doctype) for doctype in COUNTED}
	# versions of the serial numbers that were there before (the tests' new ones aside)
	counts["Serial No changes"] = frappe.db.count(
		"Version", {"ref_doctype": "Serial No", "docname": ("not like", "IMPRIGHTS-%")}
	)
	return counts


def serial_state(*serials) -> dict:
	frappe.db.rollback()
	return {s: frappe.db.get_value("Serial No", s, SERIAL_FIELDS, as_dict=True) for s in serials}


@pytest.fixture(scope="module")
def serials():
	"""A serial number in stock and one merely known to the site (made once, kept)."""
	if not frappe.db.exists("Serial No", IN_STOCK):
		make_stock(world.PRODUCT, 1, serial_no=IN_STOCK)
	if not frappe.db.exists("Serial No", KNOWN):
		frappe.get_doc(
			{"doctype": "Serial No", "serial_no": KNOWN, "item_code": world.PRODUCT, "status": "Inactive"}
		).insert(ignore_permissions=True)
	make_user(SERIAL_KEEPER, ["Service Agent", "Stock Manager"])
	frappe.db.commit()
	assert frappe.db.get_value("Serial No", IN_STOCK, "warehouse")
	return {"stock": IN_STOCK, "known": KNOWN}


@pytest.fixture
def victim_tickets():
	"""Two open tickets of the sold serial's customer (committed)."""
	made = [make_ticket(customer=VICTIM, serial_no=SOLD, subject=f"导入权限 {i}") for i in range(2)]
	frappe.db.commit()
	yield made
	frappe.db.rollback()
	for ticket in made:
		frappe.delete_doc("Service Ticket", ticket.name, force=True, ignore_permissions=True)
	frappe.db.commit()


def sheet(groups) -> bytes:
	"""An Imported Customer file: each group is (customer, contact e-mail, serial, warranty)."""
	rows = []
	for n, (customer, email, serial, warranty) in enumerate(groups, start=1):
		rows.append(
			[customer, "Company", None]
			+ ["导入", f"权限{n}", f"1390000{n:04d}", email, None, None, None, 1]
			+ ["Billing", f"权限路{n}号", "上海市", "上海", "200000", 1]
			+ ([serial, world.PRODUCT, None, warranty] if serial else [None] * 4)
		)
	buffer = io.BytesIO()
	write(buffer, rows)
	return buffer.getvalue()


# --- Data Import of Imported Customer rows -------------------------------------------------------


def test_an_agents_import_rows_beyond_their_rights_are_refused_whole(serials, victim_tickets, report):
	portal_before = portal_customers(OTHER_USER)
	serial_before = serial_state(SOLD, IN_STOCK, KNOWN)
	groups = [
		# the attack as it came: a stock serial, a warranty to 2099, another customer's portal e-mail
		("导入越权客户1", OTHER_USER, IN_STOCK, FAR),
		("导入越权客户2", None, SOLD, FAR),  # sold to VICTIM
		("导入越权客户3", OTHER_USER.upper(), None, None),  # the portal e-mail, spelled otherwise
		("导入越权客户4", None, "IMPRIGHTS-NEW-1", FAR),  # a new serial, with a warranty
		("导入越权客户5", None, KNOWN, None),  # a serial the site knows
		("导入越权客户6", None, IN_STOCK, None),  # in stock, no dates
		("导入权限客户7", "import.rights.7@aftersales-tests.example.com", "IMPRIGHTS-NEW-2", None),
	]
	before = committed_counts()
	try:
		data_import = run_import(upload(sheet(groups), AGENT), AGENT)
		# the import's last word (its status) is not committed by Frappe: read it before rolling back
		assert data_import.status == "Partial Success"
		frappe.db.rollback()
		failed = failures(data_import)
		assert [f.rows[0] for f in failed] == [2, 3, 4, 5, 6, 7]
		reasons = [f.messages for f in failed]
		assert OTHER_USER in reasons[0]  # the first reason found: the contact
		assert SOLD in reasons[1] and VICTIM in reasons[1]
		assert OTHER_USER.upper() in reasons[2]
		assert "IMPRIGHTS-NEW-1" in reasons[3]
		assert KNOWN in reasons[4]
		assert IN_STOCK in reasons[5]
		after = committed_counts()
		# the one clean row: its customer, contact, address (two links) and new serial number
		assert {k: after[k] - before[k] for k in after} == {
			"Customer": 1,
			"Contact": 1,
			"Dynamic Link": 2,
			"Portal User": 0,
			"Serial No": 1,
			"Serial No changes": 0,
		}
		assert not frappe.db.exists("Customer", {"name": ("like", "导入越权客户%")})
		assert frappe.db.get_value("Serial No", "IMPRIGHTS-NEW-2", "customer") == "导入权限客户7"
		assert not frappe.db.exists("Serial No", "IMPRIGHTS-NEW-1")
		assert serial_state(SOLD, IN_STOCK, KNOWN) == serial_before
		assert portal_customers(OTHER_USER) == portal_before == [OTHER]
		# the real customer's open tickets still save
		for ticket in victim_tickets:
			doc = frappe.get_doc("Service Ticket", ticket.name)
			doc.subject = f"{doc.subject} 已核对"
			doc.save()
		report(f"import rights: {len(failed)} of {len(groups)} rows beyond an agent's rights refused whole")
	finally:
		remove_imported("导入权限客户%", "IMPRIGHTS-%")
		remove_imported("导入越权客户%", "IMPRIGHTS-%")


def test_warranty_dates_come_in_from_those_who_may_edit_serial_numbers(serials):
	try:
		data_import = run_import(
			upload(sheet([("导入权限库管客户", None, "IMPRIGHTS-NEW-3", FAR)]), SERIAL_KEEPER), SERIAL_KEEPER
		)
		assert data_import.status == "Success", failures(data_import)
		frappe.db.rollback()
		assert frappe.db.get_value(
			"Serial No", "IMPRIGHTS-NEW-3", ["customer", "warranty_expiry_date"], as_dict=True
		) == {"customer": "导入权限库管客户", "warranty_expiry_date": frappe.utils.getdate(FAR)}
		# a stock serial stays refused for them too: it is never moved by an import
		data_import = run_import(
			upload(sheet([("导入权限库管客户2", None, IN_STOCK, None)]), SERIAL_KEEPER), SERIAL_KEEPER
		)
		assert data_import.status == "Error"
		frappe.db.rollback()
		assert not frappe.db.get_value("Serial No", IN_STOCK, "customer")
	finally:
		remove_imported("导入权限库管客户%", "IMPRIGHTS-%")


def test_an_agent_cannot_import_the_row_over_rest_either(api_url, api_headers, serials):
	"""POST of an Imported Customer is the same flow as a Data Import row."""
	before = committed_counts()
	answer = requests.post(
		f"{api_url}{RESOURCE}Imported Customer",
		json={
			"customer_name": "导入越权客户REST",
			"contacts": [{"first_name": "越权", "email_id": OTHER_USER}],
			"serial_nos": [{"serial_no": IN_STOCK, "item_code": world.PRODUCT, "warranty_expiry_date": FAR}],
		},
		headers=api_headers(AGENT),
		timeout=60,
	)
	assert answer.status_code in (403, 417), answer.text
	assert committed_counts() == before
	assert portal_customers(OTHER_USER) == [OTHER]
	assert not frappe.db.get_value("Serial No", IN_STOCK, "customer")


# --- contacts and Portal Users -------------------------------------------------------------------


def portal_tickets(api_url, headers) -> set:
	"""The tickets a portal user lists over REST."""
	answer = requests.get(
		f"{api_url}{RESOURCE}Service Ticket",
		params={"limit_page_length": 0},
		headers=headers,
		timeout=60,
	)
	assert answer.status_code == 200, answer.text
	return {row["name"] for row in answer.json()["data"]}


def tickets_of(*customers) -> set:
	frappe.db.rollback()
	return set(frappe.get_all("Service Ticket", filters={"customer": ("in", customers)}, pluck="name"))


def test_an_agent_cannot_hand_a_portal_user_another_customer(api_url, api_headers, victim_tickets):
	agent, portal = api_headers(AGENT), api_headers(OTHER_USER)
	assert portal_tickets(api_url, portal) == tickets_of(OTHER)
	before = committed_counts()
	contact = {
		"first_name": "越权联系人",
		"email_ids": [{"email_id": OTHER_USER, "is_primary": 1}],
		"links": [{"link_doctype": "Customer", "link_name": VICTIM}],
	}
	own_contact = frappe.db.get_value("Contact", {"user": OTHER_USER})
	attempts = [
		# Frappe fills the user in from the e-mail, in any case
		("post", "Contact", contact),
		("post", "Contact", {**contact, "email_ids": [{"email_id": OTHER_USER.upper(), "is_primary": 1}]}),
		("post", "Contact", {**contact, "email_ids": [], "user": OTHER_USER}),
		# the grant is the managers'
		("post", "Contact", {**contact, "grant_portal_access": 1}),
		# the portal user's own contact, linked to one more customer
		(
			"put",
			f"Contact/{own_contact}",
			{
				"links": [
					{"link_doctype": "Customer", "link_name": OTHER},
					{"link_doctype": "Customer", "link_name": VICTIM},
				]
			},
		),
		# the customer's own Portal Users
		("put", f"Customer/{VICTIM}", {"portal_users": [{"user": OTHER_USER}]}),
	]
	for method, path, body in attempts:
		answer = requests.request(method, f"{api_url}{RESOURCE}{path}", json=body, headers=agent, timeout=60)
		assert answer.status_code == 403, (path, body, answer.text)
	for doctype, parent, row in (
		("Portal User", VICTIM, {"user": OTHER_USER, "parentfield": "portal_users"}),
		(
			"Dynamic Link",
			own_contact,
			{"link_doctype": "Customer", "link_name": VICTIM, "parentfield": "links"},
		),
	):
		parenttype = "Customer" if doctype == "Portal User" else "Contact"
		answer = requests.post(
			f"{api_url}/api/method/frappe.client.insert",
			data={"doc": json.dumps({"doctype": doctype, "parenttype": parenttype, "parent": parent, **row})},
			headers=agent,
			timeout=60,
		)
		assert answer.status_code == 403, answer.text
	assert committed_counts() == before
	assert portal_customers(OTHER_USER) == [OTHER]
	assert portal_tickets(api_url, portal) == tickets_of(OTHER)
	# a contact of a customer with a fresh e-mail is still an agent's daily work
	fresh = {**contact, "email_ids": [{"email_id": "import.rights.fresh@aftersales-tests.example.com"}]}
	answer = requests.post(f"{api_url}{RESOURCE}Contact", json=fresh, headers=agent, timeout=60)
	try:
		assert answer.status_code == 200, answer.text
	finally:
		frappe.db.rollback()
		if answer.ok:
			frappe.delete_doc("Contact", answer.json()["data"]["name"], force=True, ignore_permissions=True)
			frappe.db.commit()


def test_a_managers_explicit_grant_works_and_is_on_the_timeline(api_url, api_headers, victim_tickets):
	manager = api_headers(MANAGER)
	contact = {
		"first_name": "授权联系人",
		"email_ids": [{"email_id": OTHER_USER, "is_primary": 1}],
		"links": [{"link_doctype": "Customer", "link_name": VICTIM}],
	}
	# without the tick even a manager is refused: the grant is explicit
	answer = requests.post(f"{api_url}{RESOURCE}Contact", json=contact, headers=manager, timeout=60)
	assert answer.status_code == 403, answer.text
	answer = requests.post(
		f"{api_url}{RESOURCE}Contact", json={**contact, "grant_portal_access": 1}, headers=manager, timeout=60
	)
	name = answer.json().get("data", {}).get("name")
	try:
		assert answer.status_code == 200, answer.text
		frappe.db.rollback()
		assert frappe.db.get_value("Contact", name, ["user", "grant_portal_access"]) == (OTHER_USER, 0)
		assert portal_customers(OTHER_USER) == sorted([OTHER, VICTIM])
		assert portal_tickets(api_url, api_headers(OTHER_USER)) == tickets_of(OTHER, VICTIM)
		for doctype, reference in (("Customer", VICTIM), ("Contact", name)):
			comments = frappe.get_all(
				"Comment",
				filters={"reference_doctype": doctype, "reference_name": reference, "comment_type": "Info"},
				pluck="content",
			)
			assert any(OTHER_USER in c and VICTIM in c and MANAGER in c for c in comments), comments
	finally:
		frappe.db.rollback()
		if name:
			frappe.delete_doc("Contact", name, force=True, ignore_permissions=True)
			frappe.db.delete("Comment", {"reference_name": ("in", [VICTIM, name]), "comment_type": "Info"})
			frappe.db.commit()
	assert portal_customers(OTHER_USER) == [OTHER]


def test_a_managers_portal_users_row_is_the_grant(api_url, api_headers):
	answer = requests.put(
		f"{api_url}{RESOURCE}Customer/{VICTIM}",
		json={"portal_users": [{"user": OTHER_USER}]},
		headers=api_headers(MANAGER),
		timeout=60,
	)
	try:
		assert answer.status_code == 200, answer.text
		frappe.db.rollback()
		assert portal_customers(OTHER_USER) == sorted([OTHER, VICTIM])
		assert frappe.db.exists(
			"Comment",
			{
				"reference_doctype": "Customer",
				"reference_name": VICTIM,
				"content": ("like", f"%{OTHER_USER}%"),
			},
		)
	finally:
		frappe.db.rollback()
		frappe.db.delete("Portal User", {"parenttype": "Customer", "parent": VICTIM, "user": OTHER_USER})
		frappe.db.delete("Comment", {"reference_name": VICTIM, "content": ("like", f"%{OTHER_USER}%")})
		frappe.db.commit()


def test_merging_a_customer_does_not_hand_its_portal_users_another_one():
	from frappe.model.rename_doc import rename_doc

	with pytest.raises(PortalAccessError):
		frappe.set_user(AGENT)
		rename_doc("Customer", OTHER, VICTIM, merge=True)
	frappe.set_user("Administrator")
	assert portal_customers(OTHER_USER) == [OTHER]


def test_an_agents_grant_tick_is_refused_on_any_save():
	"""The app's own saves as an agent (its import inserts with ignore_permissions) too."""
	frappe.set_user(AGENT)
	doc = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": "导入授权",
			"grant_portal_access": 1,
			"links": [{"link_doctype": "Customer", "link_name": VICTIM}],
		}
	)
	with pytest.raises(PortalAccessError):
		doc.insert(ignore_permissions=True)


# --- credit limits -------------------------------------------------------------------------------


def test_credit_limits_are_the_accounts_roles(api_url, api_headers):
	company = frappe.defaults.get_global_default("company")
	limits = {"credit_limits": [{"company": company, "credit_limit": 1_000_000}]}
	before = committed_counts()
	for user in (AGENT, MANAGER):
		headers = api_headers(user)
		answer = requests.put(
			f"{api_url}{RESOURCE}Customer/{VICTIM}", json=limits, headers=headers, timeout=60
		)
		assert answer.status_code == 403, answer.text
		# the desk form's save
		doc = frappe.get_doc("Customer", VICTIM).as_dict()
		doc["credit_limits"] = limits["credit_limits"]
		answer = requests.post(
			f"{api_url}/api/method/frappe.desk.form.save.savedocs",
			data={"doc": json.dumps(doc, default=str), "action": "Save"},
			headers=headers,
			timeout=60,
		)
		assert answer.status_code == 403, answer.text
		# a new customer with a limit of its own
		answer = requests.post(
			f"{api_url}{RESOURCE}Customer",
			json={"customer_name": "信用额度越权客户", **limits},
			headers=headers,
			timeout=60,
		)
		assert answer.status_code == 403, answer.text
	assert committed_counts() == before
	assert not frappe.db.exists("Customer Credit Limit", {"parent": VICTIM})
	assert not frappe.db.exists("Customer", "信用额度越权客户")
	# an agent's other edits of the customer still go through
	answer = requests.put(
		f"{api_url}{RESOURCE}Customer/{VICTIM}",
		json={"customer_details": "导入权限测试"},
		headers=api_headers(AGENT),
		timeout=60,
	)
	assert answer.status_code == 200, answer.text
	answer = requests.put(
		f"{api_url}{RESOURCE}Customer/{VICTIM}", json=limits, headers=api_headers(ACCOUNTS), timeout=60
	)
	try:
		assert answer.status_code == 200, answer.text
		frappe.db.rollback()
		assert frappe.db.get_value("Customer Credit Limit", {"parent": VICTIM}, "credit_limit") == 1_000_000
	finally:
		frappe.db.rollback()
		frappe.db.delete("Customer Credit Limit", {"parent": VICTIM})
		frappe.db.set_value("Customer", VICTIM, "customer_details", None)
		frappe.db.commit()
