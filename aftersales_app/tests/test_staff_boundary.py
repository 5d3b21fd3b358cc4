"""The staff trust boundary over HTTP, as the roles meet it on a live server: writes are judged on
the stored document, fields only the app sets stay the app's, ownership moves only through the
app's actions, user text is stored inert, the status log is the app's alone, files follow their
document, and the guest lookup's limits hold whatever headers a client sends."""

import json

import pytest
import requests

import frappe

from aftersales_app.core import guest_limits
from aftersales_app.tests import world
from aftersales_app.tests.utils import (
	force_state,
	make_customer,
	make_portal_user,
	make_technician,
	make_ticket,
	make_user,
	make_visit,
)

RESOURCE = "/api/resource/"
TECH_A, TECH_B = "boundary.tech.a@example.com", "boundary.tech.b@example.com"
AGENT = "boundary.agent@example.com"
CUSTOMER = "边界测试客户"
CUSTOMER_USER = "boundary.customer@example.com"
PAYLOAD = '"<img src=x onerror=window.__xss=1>"'


@pytest.fixture(scope="module")
def people():
	for email in (TECH_A, TECH_B):
		if not frappe.db.exists("Service Technician", email):
			make_technician(email)
	make_user(AGENT, ["Service Agent"])
	make_portal_user(CUSTOMER_USER, make_customer(CUSTOMER))
	frappe.db.commit()
	return {"a": TECH_A, "b": TECH_B, "agent": AGENT}


@pytest.fixture
def tickets(people):
	"""Two tickets in progress: one of technician A, one of technician B (committed)."""
	made = [
		force_state(
			make_ticket(subject="边界 A", customer=CUSTOMER, assigned_technician=TECH_A), "In Progress"
		),
		force_state(
			make_ticket(subject="边界 B", customer=CUSTOMER, assigned_technician=TECH_B), "In Progress"
		),
	]
	frappe.db.commit()
	yield made
	frappe.db.rollback()
	for ticket in made:
		for doctype, field in (
			("Service Visit", "ticket"),
			("Service Contact Log", "ticket"),
			("File", "attached_to_name"),
		):
			for name in frappe.get_all(doctype, filters={field: ticket.name}, pluck="name"):
				frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)
		frappe.delete_doc("Service Ticket", ticket.name, force=True, ignore_permissions=True)
	frappe.db.commit()


def stored(doctype: str, name: str, fields: list[str]) -> dict:
	frappe.db.rollback()  # a fresh snapshot: what the server committed
	return frappe.db.get_value(doctype, name, fields, as_dict=True)


def put(api_url, headers, doctype, name, values):
	return requests.put(f"{api_url}{RESOURCE}{doctype}/{name}", json=values, headers=headers, timeout=60)


def test_a_technician_cannot_write_a_ticket_it_cannot_read_by_claiming_it(api_url, api_headers, tickets):
	_, theirs = tickets
	tech_a = api_headers(TECH_A)
	before = stored("Service Ticket", theirs.name, ["subject", "assigned_technician", "diagnosis"])
	assert (
		requests.get(
			f"{api_url}{RESOURCE}Service Ticket/{theirs.name}", headers=tech_a, timeout=60
		).status_code
		== 403
	)
	for claim in ({"assigned_technician": TECH_A}, {"transfer_to": TECH_A}, {}):
		answer = put(
			api_url, tech_a, "Service Ticket", theirs.name, {"subject": "改了", "diagnosis": "x", **claim}
		)
		assert answer.status_code == 403, answer.text
		assert "边界 B" not in answer.text
	answer = requests.post(
		f"{api_url}/api/method/frappe.client.set_value",
		data={
			"doctype": "Service Ticket",
			"name": theirs.name,
			"fieldname": json.dumps({"subject": "改了", "assigned_technician": TECH_A}),
		},
		headers=tech_a,
		timeout=60,
	)
	assert answer.status_code == 403, answer.text
	assert stored("Service Ticket", theirs.name, ["subject", "assigned_technician", "diagnosis"]) == before


def test_a_technician_cannot_take_anothers_visit(api_url, api_headers, tickets):
	_, theirs = tickets
	visit = make_visit(theirs)
	frappe.db.commit()
	answer = put(
		api_url, api_headers(TECH_A), "Service Visit", visit.name, {"technician": TECH_A, "diagnosis": "x"}
	)
	assert answer.status_code == 403, answer.text
	assert stored("Service Visit", visit.name, ["technician", "diagnosis"]) == {
		"technician": TECH_B,
		"diagnosis": None,
	}
	# nor move their own visit onto a colleague's ticket
	mine = make_visit(tickets[0])
	frappe.db.commit()
	answer = put(api_url, api_headers(TECH_A), "Service Visit", mine.name, {"ticket": theirs.name})
	assert answer.status_code in (403, 417), answer.text
	assert stored("Service Visit", mine.name, ["ticket"])["ticket"] == tickets[0].name


SERVER_OWNED = {
	"outstanding_amount": 0,
	"unconfirmed_amount": 5,
	"paid_amount": 999,
	"charge_amount": 1,
	"reopen_count": 7,
	"repeat_count": 7,
	"opened_on": "2001-01-01 00:00:00",
	"warranty_status": "Under Warranty",
	"billable": 0,
	"charge_basis": "Free by Override",
	"settlement": "Invoice Terms",
	"state_since": "2001-01-01 00:00:00",
	"accepted_on": "2001-01-01 00:00:00",
	"labour_hours": 99,
	"in_pool": 1,
}


@pytest.mark.parametrize("who", ["a", "agent"])
def test_server_owned_fields_ignore_what_staff_send(api_url, api_headers, tickets, who):
	mine, _ = tickets
	fields = list(SERVER_OWNED)
	before = stored("Service Ticket", mine.name, fields)
	# the technician edits the ticket in progress; the agent is not its editor in this state, so
	# only what the app owns is sent (and ignored: nothing else changed, so nothing is refused)
	extra = {"diagnosis": "漏氟"} if who == "a" else {}
	answer = put(
		api_url,
		api_headers(TECH_A if who == "a" else AGENT),
		"Service Ticket",
		mine.name,
		{**SERVER_OWNED, **extra},
	)
	assert answer.status_code == 200, answer.text
	after = stored("Service Ticket", mine.name, [*fields, "diagnosis"])
	assert after.pop("diagnosis") == extra.get("diagnosis")  # what they may write is written
	assert after == before


def test_ownership_moves_only_through_the_apps_actions(api_url, api_headers, tickets):
	mine, _ = tickets
	answer = put(api_url, api_headers(AGENT), "Service Ticket", mine.name, {"assigned_technician": TECH_B})
	assert answer.status_code in (403, 417) and "AppFieldChangeError" in answer.text, answer.text
	assert stored("Service Ticket", mine.name, ["assigned_technician"])["assigned_technician"] == TECH_A
	# the dispatch action does it
	answer = requests.post(
		f"{api_url}/api/method/frappe.client.set_value",
		data={
			"doctype": "Service Ticket",
			"name": mine.name,
			"fieldname": "customer",
			"value": world.CUSTOMER_B,
		},
		headers=api_headers(AGENT),
		timeout=60,
	)
	assert answer.status_code in (403, 417), answer.text  # dispatched tickets keep their customer


def test_user_text_is_stored_inert(api_url, api_headers, tickets):
	mine, _ = tickets
	answer = put(
		api_url,
		api_headers(TECH_A),
		"Service Ticket",
		mine.name,
		{"hold_reason": PAYLOAD, "diagnosis": PAYLOAD, "description": PAYLOAD},
	)
	assert answer.status_code == 200, answer.text
	values = stored("Service Ticket", mine.name, ["hold_reason", "diagnosis", "description"])
	for value in values.values():
		assert "onerror" not in (value or "") and "<img src=x" not in (value or "")


def test_contact_logs_follow_their_ticket(api_url, api_headers, tickets):
	mine, theirs = tickets
	tech_a = api_headers(TECH_A)
	log = {"doctype": "Service Contact Log", "direction": "Outbound", "channel": "Phone", "summary": PAYLOAD}
	refused = requests.post(
		f"{api_url}{RESOURCE}Service Contact Log",
		json={**log, "ticket": theirs.name},
		headers=tech_a,
		timeout=60,
	)
	assert refused.status_code == 403, refused.text
	made = requests.post(
		f"{api_url}{RESOURCE}Service Contact Log",
		json={**log, "ticket": mine.name},
		headers=tech_a,
		timeout=60,
	)
	assert made.status_code == 200, made.text
	data = made.json()["data"]
	assert "onerror" not in data["summary"] and data["logged_by"] == TECH_A
	moved = put(api_url, tech_a, "Service Contact Log", data["name"], {"ticket": theirs.name})
	assert moved.status_code in (403, 417)
	listed = requests.get(
		f"{api_url}{RESOURCE}Service Contact Log",
		params={"fields": '["ticket"]', "limit_page_length": 0},
		headers=api_headers(TECH_B),
		timeout=60,
	)
	assert mine.name not in listed.text


def test_the_status_log_is_the_apps_alone(api_url, api_headers, tickets):
	mine, theirs = tickets
	row = {"ticket": mine.name, "to_state": mine.workflow_state, "changed_on": "2001-01-01 00:00:00"}
	admin = {"Authorization": api_headers("Administrator")["Authorization"]}
	for headers in (admin, api_headers(AGENT), api_headers(TECH_A)):
		answer = requests.post(
			f"{api_url}{RESOURCE}Service Ticket Status Log", json=row, headers=headers, timeout=60
		)
		assert answer.status_code in (403, 417), answer.text
	listed = requests.get(
		f"{api_url}{RESOURCE}Service Ticket Status Log",
		params={"fields": '["ticket"]', "limit_page_length": 0},
		headers=api_headers(TECH_A),
		timeout=60,
	)
	assert theirs.name not in listed.text


def test_files_follow_their_document(api_url, api_headers, tickets):
	_, theirs = tickets
	answer = requests.post(
		f"{api_url}{RESOURCE}File",
		json={
			"file_name": "x.txt",
			"content": "x",
			"attached_to_doctype": "Service Ticket",
			"attached_to_name": theirs.name,
			"is_private": 1,
		},
		headers=api_headers(TECH_A),
		timeout=60,
	)
	assert answer.status_code == 403, answer.text
	upload = requests.post(
		f"{api_url}/api/method/upload_file",
		data={"doctype": "Service Ticket", "docname": theirs.name, "is_private": 1},
		files={"file": ("x.txt", b"x", "text/plain")},
		headers=api_headers(TECH_A),
		timeout=60,
	)
	assert upload.status_code == 403, upload.text
	frappe.db.rollback()
	assert not frappe.db.exists("File", {"attached_to_name": theirs.name})


# --- the guest lookup's limits -------------------------------------------------------------------


@pytest.fixture
def fresh_limits():
	guest_limits.reset()
	yield
	guest_limits.reset()


def test_spoofed_forwarded_for_does_not_reset_the_lookup_limit(api_url, tickets, fresh_limits):
	url = f"{api_url}/api/method/aftersales_app.api.portal.lookup_ticket"
	for i in range(guest_limits.LOOKUPS_PER_IP[0]):
		requests.post(url, data={"ticket": f"ST-19990101-{i:04d}", "phone": world.PHONE}, timeout=60)
	for i in range(5):
		answer = requests.post(
			url,
			data={"ticket": "ST-19990101-9999", "phone": world.PHONE},
			headers={"X-Forwarded-For": f"10.9.{i}.1"},
			timeout=60,
		)
		assert answer.status_code == 429, answer.text


def test_wrong_phones_from_an_address_stop_its_guessing_whatever_the_headers(api_url, tickets, fresh_limits):
	"""No lock-out for everyone (aftersales_app.core.guest_limits): after its wrong phones an address
	gets "not found" for the ticket even with the right phone, and a made-up X-Forwarded-For does
	not make it another address."""
	mine, _ = tickets
	frappe.db.set_value("Service Ticket", mine.name, "contact_phone", world.PHONE)
	frappe.db.commit()
	url = f"{api_url}/api/method/aftersales_app.api.portal.lookup_ticket"
	right = {"ticket": mine.name, "phone": world.PHONE}
	assert requests.post(url, data=right, timeout=60).json()["message"]["found"] == 1
	for i in range(guest_limits.WRONG_PHONES_PER_ADDRESS[0]):
		requests.post(url, data={"ticket": mine.name, "phone": f"1390000{i:04d}"}, timeout=60)
	assert guest_limits.wrong_phones(mine.name) == guest_limits.WRONG_PHONES_PER_ADDRESS[0]
	for headers in ({}, {"X-Forwarded-For": "10.9.9.1"}):
		held = requests.post(url, data=right, headers=headers, timeout=60)
		assert held.status_code == 200 and held.json()["message"]["found"] == 0
	# the held guesses were not compared, and not counted against the ticket either
	assert guest_limits.wrong_phones(mine.name) == guest_limits.WRONG_PHONES_PER_ADDRESS[0]
	guest_limits.reset(mine.name.lower())  # a manager's reset takes the number in any spelling
	assert requests.post(url, data=right, timeout=60).json()["message"]["found"] == 1


def test_the_client_address_comes_from_trusted_proxies_only():
	from werkzeug.test import EnvironBuilder
	from werkzeug.wrappers import Request

	def ip(remote, forwarded, trusted):
		env = EnvironBuilder(
			headers={"X-Forwarded-For": forwarded}, environ_base={"REMOTE_ADDR": remote}
		).get_environ()
		frappe.local.request = Request(env)
		frappe.local.conf.aftersales_trusted_proxies = trusted
		try:
			return guest_limits.client_ip()
		finally:
			del frappe.local.request
			frappe.local.conf.pop("aftersales_trusted_proxies", None)

	assert ip("203.0.113.5", "1.2.3.4", []) == "203.0.113.5"  # no proxy trusted: the header is ignored
	assert ip("203.0.113.5", "1.2.3.4", ["127.0.0.1"]) == "203.0.113.5"  # not from the proxy
	assert ip("127.0.0.1", "1.2.3.4", ["127.0.0.1"]) == "1.2.3.4"
	# a client's own made-up entry comes first; the proxy appended the address it saw
	assert ip("127.0.0.1", "6.6.6.6, 198.51.100.7", ["127.0.0.1"]) == "198.51.100.7"
	assert ip("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.1", ["10.0.0.0/8"]) == "198.51.100.7"


def test_staff_files_reach_the_customer_only_when_marked(api_url, api_headers, tickets):
	from aftersales_app.api import portal as portal_api
	from aftersales_app.tests.utils import as_user

	mine, _ = tickets
	customer = CUSTOMER_USER
	staff_file = as_user(
		AGENT,
		lambda: frappe.get_doc(
			{
				"doctype": "File",
				"file_name": "内部备注.txt",
				"content": "内部成本 800",
				"attached_to_doctype": "Service Ticket",
				"attached_to_name": mine.name,
				"is_private": 1,
			}
		).insert(),
	)
	frappe.db.commit()
	headers = api_headers(customer)

	def sees() -> tuple[int, int, bool]:
		record = requests.get(f"{api_url}{RESOURCE}File/{staff_file.name}", headers=headers, timeout=60)
		download = requests.get(f"{api_url}{staff_file.file_url}", headers=headers, timeout=60)
		listed = as_user(customer, portal_api.get_ticket, mine.name)["attachments"]
		return record.status_code, download.status_code, staff_file.name in [f.name for f in listed]

	refused = sees()
	assert refused[0] == 403 and refused[1] == 403 and not refused[2], refused
	frappe.db.set_value("File", staff_file.name, "customer_visible", 1)
	frappe.db.commit()
	assert sees() == (200, 200, True)


def test_technicians_cannot_share_tickets(tickets):
	mine, _ = tickets
	assert frappe.has_permission("Service Ticket", "write", mine.name, user=TECH_A)
	assert not frappe.has_permission("Service Ticket", "share", mine.name, user=TECH_A)
