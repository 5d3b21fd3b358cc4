"""The customer portal on the server: who a portal user is, what they may read, and the whitelisted
portal API, as a signed-in customer, another customer and a guest meet them."""

import json
import os

import pytest
import requests

import frappe

from aftersales_app.api import portal as api
from aftersales_app.core import guest_limits
from aftersales_app.core.exceptions import WrongStateError
from aftersales_app.core.permissions import portal_customers
from aftersales_app.tests import world
from aftersales_app.tests.utils import act, as_user, force_state, make_portal_user, make_ticket, make_user

WANG = world.PORTAL_USER  # contact of world.CUSTOMER
ZHANG = world.PORTAL_USER_B  # contact of world.CUSTOMER_B
MINGDE, HUAXIN = world.CUSTOMER, world.CUSTOMER_B


# --- who a portal user is ------------------------------------------------------------------------


def test_portal_users_are_website_users_linked_through_their_contact():
	for user, customer in ((WANG, MINGDE), (ZHANG, HUAXIN)):
		assert frappe.db.get_value("User", user, "user_type") == "Website User"
		assert frappe.get_roles(user) and "Customer" in frappe.get_roles(user)
		assert frappe.db.get_value("Contact", {"user": user}, "email_id") == user
		assert portal_customers(user) == [customer]


def test_erpnext_portal_users_of_a_customer_count_too():
	user = make_portal_user("portal.pu@aftersales-tests.example.com")
	assert portal_customers(user) == []
	customer = frappe.get_doc("Customer", world.PERSON)
	customer.append("portal_users", {"user": user})
	customer.save(ignore_permissions=True)
	assert portal_customers(user) == [world.PERSON]


def test_customer_lists_and_reads_exactly_their_customers_tickets():
	own = make_ticket(customer=MINGDE, subject="门户可见")
	other = make_ticket(customer=HUAXIN, subject="门户不可见")
	listed = as_user(WANG, frappe.get_list, "Service Ticket", pluck="name", limit_page_length=0)
	assert own.name in listed and other.name not in listed
	assert set(listed) == set(frappe.get_all("Service Ticket", {"customer": MINGDE}, pluck="name"))
	assert as_user(WANG, frappe.has_permission, "Service Ticket", "read", own.name)
	assert not as_user(WANG, frappe.has_permission, "Service Ticket", "read", other.name)
	assert not as_user(WANG, frappe.has_permission, "Service Ticket", "write", own.name)
	assert not as_user(WANG, frappe.has_permission, "Service Ticket", "create")
	assert as_user(ZHANG, frappe.has_permission, "Service Ticket", "read", other.name)


def test_a_contact_of_two_customers_sees_both_and_a_customer_without_contact_sees_nothing():
	user = make_portal_user("portal.two@aftersales-tests.example.com", MINGDE)
	contact = frappe.get_doc("Contact", {"user": user})
	contact.append("links", {"link_doctype": "Customer", "link_name": HUAXIN})
	contact.grant_portal_access = 1  # a second customer is a manager's explicit grant
	contact.save(ignore_permissions=True)
	tickets = [make_ticket(customer=MINGDE).name, make_ticket(customer=HUAXIN).name]
	listed = as_user(user, frappe.get_list, "Service Ticket", pluck="name", limit_page_length=0)
	assert set(tickets) <= set(listed)

	lonely = make_portal_user("portal.none@aftersales-tests.example.com")
	assert as_user(lonely, frappe.get_list, "Service Ticket", pluck="name") == []
	assert not as_user(lonely, frappe.has_permission, "Service Ticket", "read", tickets[0])


def test_staff_still_see_every_ticket():
	ticket = make_ticket(customer=HUAXIN)
	assert as_user(world.AGENT, frappe.has_permission, "Service Ticket", "read", ticket.name)
	listed = as_user(world.AGENT, frappe.get_list, "Service Ticket", pluck="name")
	assert ticket.name in listed


# --- the portal API ------------------------------------------------------------------------------


def awaiting_customer(customer: str = MINGDE, billable: bool = False, **values):
	"""A ticket of `customer` whose return slip is filed: waiting for the customer's word. Free
	unless `billable` (an installation is free by its type; a repair without proof of warranty is
	charged)."""
	values.setdefault("ticket_type", "Repair" if billable else "Installation")
	ticket = make_ticket(
		customer=customer,
		assigned_technician=world.TECH,
		diagnosis="压缩机电容损坏",
		resolution="<p>更换启动电容</p>",
		**values,
	)
	return force_state(ticket, "Awaiting Customer")


def log_rows(ticket) -> list:
	return frappe.get_all(
		"Service Ticket Status Log",
		filters={"ticket": ticket.name},
		fields=["to_category", "changed_by", "action", "is_reopen"],
		order_by="changed_on asc, creation asc",
	)


def refused(fn, *args, **kwargs) -> str:
	"""The message of the PermissionError `fn` raises as the calling user."""
	frappe.clear_messages()
	with pytest.raises(frappe.PermissionError) as error:
		fn(*args, **kwargs)
	return str(error.value)


def test_customer_lists_own_tickets_with_search_and_status():
	mine = make_ticket(customer=MINGDE, subject="门户列表 压缩机")
	make_ticket(customer=HUAXIN, subject="门户列表 压缩机")
	waiting = awaiting_customer(subject="门户列表 待确认")
	rows = as_user(WANG, api.get_my_tickets, search="门户列表")
	assert {r.name for r in rows} == {mine.name, waiting.name}
	row = next(r for r in rows if r.name == waiting.name)
	assert row.state.category == "Awaiting Customer"
	assert row.state.color and row.state.icon and row.state.label
	by_category = as_user(WANG, api.get_my_tickets, search="门户列表", status="Awaiting Customer")
	assert [r.name for r in by_category] == [waiting.name]
	by_state = as_user(WANG, api.get_my_tickets, search="门户列表", status=waiting.workflow_state)
	assert [r.name for r in by_state] == [waiting.name]
	with pytest.raises(frappe.ValidationError):
		as_user(WANG, api.get_my_tickets, status="no such status")
	assert as_user(ZHANG, api.get_my_tickets, search=mine.name) == []


def test_customer_reads_a_ticket_with_timeline_and_actions():
	ticket = awaiting_customer(subject="门户详情")
	view = as_user(WANG, api.get_ticket, ticket.name)
	assert view["name"] == ticket.name and view["subject"] == "门户详情"
	assert view["state"].category == "Awaiting Customer"
	assert view["can_confirm"] and view["can_dispute"]
	assert view["resolution"] == "<p>更换启动电容</p>" and view["diagnosis"] == "压缩机电容损坏"
	assert view["technician"] == frappe.utils.get_fullname(world.TECH)
	assert [row.category for row in view["timeline"]] == ["Pending Review"]  # force_state logs nothing
	assert all(row.color and row.changed_on for row in view["timeline"])
	assert view["next_step"]
	assert isinstance(view["visits"], list)
	for hidden in ("contact_phone", "address_display", "territory", "assigned_technician", "in_pool"):
		assert hidden not in view


@pytest.mark.usefixtures("jobs_do_not_commit")
def test_the_pools_rounds_stay_off_the_customers_timeline():
	"""Finding a technician is one step to the customer: asked, not accepted in time, back to
	dispatch and the pool, asked again — the timeline shows it once, then the work."""
	from datetime import datetime, timedelta

	from freezegun import freeze_time

	from aftersales_app.field_service import dispatch

	start = datetime(2026, 11, 20, 2, 0, 0, 1000)
	with freeze_time(start, tick=True):
		ticket = make_ticket(subject="门户 时间线")
		act(ticket, "审核通过", world.AGENT)  # to dispatch
		as_user(world.AGENT, dispatch.assign, ticket.reload(), world.TECH)  # asked: Awaiting Acceptance
	with freeze_time(start + timedelta(minutes=6), tick=True):
		dispatch.release_overdue_acceptances()  # not accepted in time: back to dispatch, the pool
	with freeze_time(start + timedelta(minutes=7), tick=True):
		ticket.reload()
		if ticket.in_pool:
			dispatch.grab(ticket.name, world.TECH_B)
		else:
			as_user(world.AGENT, dispatch.assign, ticket, world.TECH_B)
			as_user(world.TECH_B, dispatch.accept, ticket.reload(), world.TECH_B)
	staff_log = frappe.get_all(
		"Service Ticket Status Log", filters={"ticket": ticket.name}, pluck="to_category", order_by="creation"
	)
	assert staff_log.count("Dispatching") + staff_log.count("Awaiting Acceptance") >= 3, staff_log
	view = as_user(WANG, api.get_ticket, ticket.name)
	shown = [row.category for row in view["timeline"]]
	finding = [c for c in shown if c in ("Dispatching", "Awaiting Acceptance")]
	assert len(finding) == 1, shown
	assert shown[-1] == "In Progress"


def test_another_customers_ticket_is_refused_as_if_it_did_not_exist():
	other = awaiting_customer(HUAXIN)
	message = refused(as_user, WANG, api.get_ticket, other.name)
	missing = refused(as_user, WANG, api.get_ticket, "ST-19990101-0001")
	assert message.replace(other.name, "X") == missing.replace("ST-19990101-0001", "X")
	refused(as_user, WANG, api.confirm_resolution, other.name)
	refused(as_user, WANG, api.dispute_resolution, other.name, "没修好")
	assert frappe.db.get_value("Service Ticket", other.name, "status") == "Awaiting Customer"
	assert not frappe.db.get_value("Service Ticket", other.name, "dispute_reason")


def test_guests_cannot_call_the_customer_methods():
	ticket = awaiting_customer()
	for fn, args in (
		(api.get_my_tickets, ()),
		(api.get_ticket, (ticket.name,)),
		(api.confirm_resolution, (ticket.name,)),
		(api.dispute_resolution, (ticket.name, "没修好")),
		(api.get_request_options, ()),
		(api.submit_request, ("空调不制冷", "不出冷风", world.SERIAL_IN)),
	):
		refused(as_user, "Guest", fn, *args)


def test_customer_confirms_and_the_ticket_moves_on_with_a_log_row():
	ticket = awaiting_customer()
	result = as_user(WANG, api.confirm_resolution, ticket.name)
	assert result["state"].category == "Awaiting Revisit"  # not billable: no payment step
	assert ticket.reload().status == "Awaiting Revisit"
	last = log_rows(ticket)[-1]
	assert (last.to_category, last.changed_by, last.action) == ("Awaiting Revisit", WANG, "确认解决")

	billable = awaiting_customer(billable=1)
	assert as_user(WANG, api.confirm_resolution, billable.name)["state"].category == "Awaiting Payment"


def test_customer_disputes_with_a_reason_and_the_ticket_returns_to_work():
	ticket = awaiting_customer()
	as_user(WANG, api.dispute_resolution, ticket.name, "  还是不制冷  ")
	ticket.reload()
	assert ticket.status == "In Progress" and ticket.dispute_reason == "还是不制冷"
	assert ticket.assigned_technician == world.TECH
	last = log_rows(ticket)[-1]
	assert (last.to_category, last.changed_by, last.is_reopen) == ("In Progress", WANG, 1)
	assert frappe.db.exists("Comment", {"reference_name": ticket.name, "content": ("like", "%还是不制冷%")})
	told = frappe.get_all(
		"After-Sales Message",
		filters={"reference_name": ticket.name, "event": "resolution_disputed"},
		fields=["recipient", "message"],
	)
	assert sorted(r.recipient for r in told) == sorted([world.TECH, ticket.responsible_agent])
	assert all("还是不制冷" in r.message for r in told)


def test_dispute_without_reason_or_in_the_wrong_state_changes_nothing():
	ticket = awaiting_customer()
	before = log_rows(ticket)
	for reason in ("", "   "):
		with pytest.raises(frappe.ValidationError):
			as_user(WANG, api.dispute_resolution, ticket.name, reason)
	ticket.reload()
	assert ticket.status == "Awaiting Customer" and not ticket.dispute_reason
	assert log_rows(ticket) == before

	working = force_state(make_ticket(customer=MINGDE), "In Progress")
	with pytest.raises(WrongStateError):
		as_user(WANG, api.dispute_resolution, working.name, "没修好")
	with pytest.raises(WrongStateError):
		as_user(WANG, api.confirm_resolution, working.name)
	assert not working.reload().dispute_reason


def test_customer_submits_a_request_for_their_own_serial_number():
	result = as_user(
		WANG, api.submit_request, "空调漏水", "室内机滴水\n\n<b>很急</b>", serial_no=world.SERIAL_IN
	)
	ticket = frappe.get_doc("Service Ticket", result["name"])
	assert result["route"] == f"/service-tickets/{ticket.name}"
	assert ticket.channel == "Web Portal" and ticket.customer == MINGDE
	assert ticket.item_code == world.PRODUCT and ticket.status == "Pending Review"
	assert frappe.db.get_value("Contact", ticket.contact, "user") == WANG
	assert ticket.contact_phone == world.PHONE and ticket.raised_by == WANG
	assert ticket.owner == WANG
	assert "&lt;b&gt;很急&lt;/b&gt;" in ticket.description  # the customer's text, not markup
	assert as_user(WANG, api.get_ticket, ticket.name)["name"] == ticket.name


def test_portal_requests_are_limited_per_user(monkeypatch):
	guest_limits.reset()
	monkeypatch.setattr(api, "REQUESTS_PER_USER", (2, 3600))
	for _ in range(2):
		as_user(WANG, api.submit_request, "空调漏水", "室内机滴水", serial_no=world.SERIAL_IN)
	count = frappe.db.count("Service Ticket")
	with pytest.raises(frappe.TooManyRequestsError):
		as_user(WANG, api.submit_request, "空调漏水", "室内机滴水", serial_no=world.SERIAL_IN)
	assert frappe.db.count("Service Ticket") == count
	guest_limits.reset()


def test_request_with_another_customers_serial_or_item_is_refused_and_creates_nothing():
	count = frappe.db.count("Service Ticket")
	refused(as_user, WANG, api.submit_request, "空调噪音", "外机响", serial_no=world.SERIAL_AMC)
	refused(as_user, WANG, api.submit_request, "空调噪音", "外机响", serial_no="SN-NO-SUCH")
	refused(as_user, WANG, api.submit_request, "热水器", "不点火", item_code=world.PRODUCT_HEATER)
	refused(as_user, WANG, api.submit_request, "空调", "不制冷", customer=HUAXIN)
	with pytest.raises(frappe.ValidationError):
		as_user(WANG, api.submit_request, "空调", "   ", serial_no=world.SERIAL_IN)
	refused(as_user, world.AGENT, api.submit_request, "空调", "不制冷")  # no contact
	assert frappe.db.count("Service Ticket") == count


def test_request_options_offer_only_the_customers_own_products():
	options = as_user(WANG, api.get_request_options)
	assert {s.serial_no for s in options["serial_nos"]} == {world.SERIAL_IN, world.SERIAL_OUT}
	assert [i.item_code for i in options["items"]] == [world.PRODUCT]
	assert [c.name for c in options["customers"]] == [MINGDE]
	assert options["ticket_types"][0].name == "Repair"
	result = as_user(WANG, api.submit_request, "空调", "不制冷", item_code=world.PRODUCT)
	assert frappe.db.get_value("Service Ticket", result["name"], "item_code") == world.PRODUCT


def upload(user: str, ticket: str, filename: str = "photo.png", content: bytes = b"\x89PNG fake"):
	"""What Frappe's upload_file hands the method it is given."""
	frappe.set_user(user)  # resets form_dict: set it afterwards
	frappe.local.uploaded_file, frappe.local.uploaded_filename = content, filename
	frappe.form_dict.ticket = ticket
	try:
		return api.attach_file()
	finally:
		frappe.local.uploaded_file = frappe.local.uploaded_filename = None
		frappe.set_user("Administrator")


def test_customer_attaches_a_photo_to_their_ticket_only():
	ticket = make_ticket(customer=MINGDE)
	file = upload(WANG, ticket.name)
	assert frappe.db.get_value("File", file["name"], ["owner", "is_private", "attached_to_name"]) == (
		WANG,
		1,
		ticket.name,
	)
	staff_file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": "internal.txt",
			"content": b"internal",
			"attached_to_doctype": "Service Ticket",
			"attached_to_name": ticket.name,
			"is_private": 1,
		}
	).insert()
	names = [a.name for a in as_user(WANG, api.get_ticket, ticket.name)["attachments"]]
	assert names == [file["name"]] and staff_file.name not in names

	other = make_ticket(customer=HUAXIN)
	refused(upload, WANG, other.name)
	assert not frappe.db.exists("File", {"attached_to_name": other.name, "owner": WANG})


# --- guest lookup --------------------------------------------------------------------------------

GUEST_KEYS = {"found", "name", "state", "timeline", "next_step", "technician"}


def test_guest_looks_up_a_ticket_by_number_and_phone_and_sees_only_its_progress():
	ticket = awaiting_customer(subject="访客查询")
	frappe.get_doc("User", world.TECH)  # the technician's first name is shown
	P = world.PHONE
	for phone in (P, f"+86 {P[:3]}-{P[3:7]}-{P[7:]}", f"0086 {P}"):
		view = as_user("Guest", api.lookup_ticket, ticket.name, phone)
		assert set(view) == GUEST_KEYS
		assert view["found"] == 1 and view["name"] == ticket.name
	assert view["state"].category == "Awaiting Customer" and view["state"].color and view["state"].icon
	assert view["next_step"]
	assert view["technician"] == frappe.db.get_value("User", world.TECH, "first_name")
	assert all(
		set(row) == {"state", "label", "category", "category_label", "color", "icon", "changed_on"}
		for row in view["timeline"]
	)
	text = frappe.as_json(view)
	for secret in (
		world.CUSTOMER,
		world.CONTACT_NAME,
		world.STREET,
		world.PHONE,
		"更换启动电容",
		"压缩机",
		WANG,
	):
		assert secret not in text, secret


def test_wrong_phone_and_missing_ticket_answer_alike():
	ticket = awaiting_customer()
	wrong = as_user("Guest", api.lookup_ticket, ticket.name, world.PHONE_B)
	missing = as_user("Guest", api.lookup_ticket, "ST-19990101-0001", world.PHONE)
	empty = as_user("Guest", api.lookup_ticket, ticket.name, "")
	assert wrong == missing == empty == {"found": 0, "message": wrong["message"]}
	assert as_user("Guest", api.lookup_ticket, ticket.name, "0001")["found"] == 0  # a suffix is no match


# --- over HTTP: the REST API, guests and the rate limit ------------------------------------------

PASSWORD = os.environ.get("DEMO_PASSWORD") or "aftersales"
METHOD = "/api/method/aftersales_app.api.portal."
PNG = bytes.fromhex(
	"89504e470d0a1a0a0000000d4948445200000001000000010806000000"
	"1f15c4890000000d49444154789c6360f8ffff3f0005fe02fea7d6a4"
	"e50000000049454e44ae426082"
)


def delete_tickets(names):
	frappe.db.rollback()
	for name in names:
		frappe.delete_doc("Service Ticket", name, force=True, ignore_permissions=True)
	frappe.db.commit()


@pytest.fixture
def shared_tickets():
	"""One ticket of each demo portal customer, waiting for the customer, committed for the
	server's processes."""
	tickets = [awaiting_customer(MINGDE, subject="门户接口"), awaiting_customer(HUAXIN, subject="门户接口")]
	frappe.db.commit()
	yield tickets
	delete_tickets([t.name for t in tickets])


@pytest.fixture
def no_rate_limits():
	guest_limits.reset()
	yield
	guest_limits.reset()


def login_session(api_url: str, user: str):
	session = requests.Session()
	response = session.post(f"{api_url}/api/method/login", data={"usr": user, "pwd": PASSWORD}, timeout=60)
	assert response.status_code == 200, response.text
	return session


def test_rest_api_and_every_portal_method_refuse_another_customers_ticket(api_url, shared_tickets):
	mine, other = shared_tickets
	session = login_session(api_url, WANG)
	resource = f"{api_url}/api/resource/Service Ticket"

	assert session.get(f"{resource}/{mine.name}", timeout=60).json()["data"]["name"] == mine.name
	assert session.get(f"{resource}/{other.name}", timeout=60).status_code == 403
	listed = session.get(resource, params={"limit_page_length": 0}, timeout=60).json()["data"]
	assert {row["name"] for row in listed} == set(
		frappe.get_all("Service Ticket", {"customer": MINGDE}, pluck="name")
	)
	crafted = session.get(
		resource,
		params={"filters": json.dumps([["customer", "=", HUAXIN]]), "limit_page_length": 0},
		timeout=60,
	)
	assert crafted.status_code in (200, 403) and not (crafted.json().get("data") or [])
	assert session.put(f"{resource}/{other.name}", json={"subject": "改"}, timeout=60).status_code == 403
	assert session.delete(f"{resource}/{other.name}", timeout=60).status_code == 403
	assert (
		session.post(
			resource, json={"subject": "绕过门户", "customer": MINGDE, "ticket_type": "Repair"}, timeout=60
		).status_code
		== 403
	)
	for method, params in (
		("frappe.client.get", {"doctype": "Service Ticket", "name": other.name}),
		(
			"frappe.client.get_value",
			{"doctype": "Service Ticket", "filters": other.name, "fieldname": "subject"},
		),
		("frappe.desk.form.load.getdoc", {"doctype": "Service Ticket", "name": other.name}),
	):
		response = session.get(f"{api_url}/api/method/{method}", params=params, timeout=60)
		# refused, or answered from a list that does not hold the ticket
		assert response.status_code == 403 or not response.json().get("message"), (method, response.text)
		assert other.subject not in response.text and other.customer not in response.text

	for method, data in (
		("get_ticket", {"name": other.name}),
		("confirm_resolution", {"name": other.name}),
		("dispute_resolution", {"name": other.name, "reason": "没修好"}),
	):
		response = session.post(f"{api_url}{METHOD}{method}", data=data, timeout=60)
		assert response.status_code == 403, (method, response.text)
	upload = session.post(
		f"{api_url}/api/method/upload_file",
		data={"method": "aftersales_app.api.portal.attach_file", "ticket": other.name},
		files={"file": ("photo.png", PNG, "image/png")},
		timeout=60,
	)
	assert upload.status_code == 403
	found = session.post(f"{api_url}{METHOD}get_my_tickets", data={"search": other.name}, timeout=60)
	assert found.json()["message"] == []

	frappe.db.rollback()
	assert frappe.db.get_value("Service Ticket", other.name, ["status", "dispute_reason"]) == (
		"Awaiting Customer",
		None,
	)
	assert not frappe.db.exists("File", {"attached_to_name": other.name})

	# the customer's own ticket: the same calls work
	upload = session.post(
		f"{api_url}/api/method/upload_file",
		data={"method": "aftersales_app.api.portal.attach_file", "ticket": mine.name},
		files={"file": ("photo.png", PNG, "image/png")},
		timeout=60,
	)
	assert upload.status_code == 200, upload.text
	response = session.post(f"{api_url}{METHOD}confirm_resolution", data={"name": mine.name}, timeout=60)
	assert response.status_code == 200, response.text
	frappe.db.rollback()
	assert frappe.db.get_value("Service Ticket", mine.name, "status") == "Awaiting Revisit"
	assert frappe.db.get_value("File", {"attached_to_name": mine.name}, "owner") == WANG


def test_guests_can_call_only_the_lookup(api_url, shared_tickets, no_rate_limits):
	mine, _ = shared_tickets
	resource = f"{api_url}/api/resource/Service Ticket"
	assert requests.get(resource, timeout=60).status_code == 403
	assert requests.get(f"{resource}/{mine.name}", timeout=60).status_code == 403
	assert (
		requests.get(
			f"{api_url}/api/method/frappe.client.get_list", params={"doctype": "Service Ticket"}, timeout=60
		).status_code
		== 403
	)
	for method, data in (
		("get_my_tickets", {}),
		("get_ticket", {"name": mine.name}),
		("confirm_resolution", {"name": mine.name}),
		("dispute_resolution", {"name": mine.name, "reason": "没修好"}),
		("get_request_options", {}),
		("submit_request", {"subject": "访客", "description": "访客", "serial_no": world.SERIAL_IN}),
	):
		response = requests.post(f"{api_url}{METHOD}{method}", data=data, timeout=60)
		assert response.status_code == 403, (method, response.text)
	response = requests.post(
		f"{api_url}{METHOD}lookup_ticket", data={"ticket": mine.name, "phone": world.PHONE}, timeout=60
	)
	assert response.status_code == 200 and response.json()["message"]["name"] == mine.name


def test_guest_lookup_is_rate_limited_per_ip(api_url, shared_tickets, no_rate_limits):
	mine, _ = shared_tickets
	url = f"{api_url}{METHOD}lookup_ticket"
	answers = [
		requests.post(url, data={"ticket": mine.name, "phone": f"1390000{i:04d}"}, timeout=60)
		for i in range(10)
	]
	assert {a.status_code for a in answers} == {200}
	assert len({a.text for a in answers}) == 1  # every wrong guess answers alike
	missing = requests.post(url, data={"ticket": "ST-19990101-0001", "phone": world.PHONE}, timeout=60)
	assert missing.status_code == 429  # the 11th lookup within a minute
	right = requests.post(url, data={"ticket": mine.name, "phone": world.PHONE}, timeout=60)
	assert right.status_code == 429  # even the right pair waits
	guest_limits.reset()
	right = requests.post(url, data={"ticket": mine.name, "phone": world.PHONE}, timeout=60)
	assert right.status_code == 200 and right.json()["message"]["found"] == 1


# --- the pages, as the server renders them -------------------------------------------------------


def test_pages_send_guests_to_login_and_refuse_other_customers(api_url, shared_tickets):
	mine, other = shared_tickets
	for path in ("/service-tickets", f"/service-tickets/{mine.name}", "/service-tickets/new"):
		response = requests.get(f"{api_url}{path}", allow_redirects=False, timeout=60)
		assert response.status_code in (301, 302), path
		assert response.headers["Location"].startswith("/login?redirect-to=/service-tickets"), path

	session = login_session(api_url, WANG)
	listing = session.get(f"{api_url}/service-tickets", timeout=60)
	assert listing.status_code == 200
	assert mine.name in listing.text and other.name not in listing.text
	page = session.get(f"{api_url}/service-tickets/{mine.name}", timeout=60)
	assert page.status_code == 200 and "更换启动电容" in page.text and 'id="as-confirm"' in page.text
	refused_page = session.get(f"{api_url}/service-tickets/{other.name}", timeout=60)
	assert refused_page.status_code == 403 and "压缩机电容损坏" not in refused_page.text
	new = session.get(f"{api_url}/service-tickets/new", timeout=60)
	assert new.status_code == 200 and world.SERIAL_IN in new.text and world.SERIAL_AMC not in new.text

	agent = login_session(api_url, world.AGENT)  # staff, not a customer's contact
	assert agent.get(f"{api_url}/service-tickets/new", timeout=60).status_code == 403
	lookup = requests.get(f"{api_url}/ticket-lookup?ticket={mine.name}", timeout=60)
	assert lookup.status_code == 200 and f'value="{mine.name}"' in lookup.text


def test_pages_escape_what_customers_typed(api_url):
	# Frappe strips tags from saved text; what remains (<, &, quotes) must still be escaped
	ticket = make_ticket(customer=MINGDE, subject='温度 < 10 & "不启动"')
	frappe.db.commit()
	try:
		session = login_session(api_url, WANG)
		for path in ("/service-tickets", f"/service-tickets/{ticket.name}"):
			text = session.get(f"{api_url}{path}", timeout=60).text
			assert "温度 &lt; 10 &amp; &#34;不启动&#34;" in text, path
			assert '温度 < 10 & "不启动"' not in text, path
	finally:
		delete_tickets([ticket.name])


def test_portal_menu_shows_service_tickets_to_customers():
	from frappe.website.utils import get_portal_sidebar_items

	frappe.set_user(WANG)
	frappe.cache.hdel("portal_menu_items", WANG)
	assert "/service-tickets" in [item["route"] for item in get_portal_sidebar_items()]


def test_visits_show_the_window_and_the_technicians_name_only():
	ticket = make_ticket(customer=MINGDE, assigned_technician=world.TECH)
	visit = frappe.new_doc("Service Visit")
	visit.update(
		{
			"ticket": ticket.name,
			"technician": world.TECH,
			"scheduled_start": "2026-05-01 09:00:00",
			"scheduled_end": "2026-05-01 11:00:00",
		}
	)
	visit.db_insert()  # set-up only: the visit's own rules are the visit suite's business
	visits = as_user(WANG, api.get_ticket, ticket.name)["visits"]
	assert len(visits) == 1
	assert visits[0].technician == frappe.utils.get_fullname(world.TECH)
	assert str(visits[0].scheduled_start).startswith("2026-05-01 09:00")
	assert set(visits[0]) == {
		"scheduled_start",
		"scheduled_end",
		"check_in",
		"check_out",
		"outcome",
		"technician",
	}


def test_rest_api_hides_dispatch_internals_of_the_customers_own_ticket(api_url, shared_tickets):
	"""Dispatch fields (technician's user id, transfer reason, pool flag …) sit at permission level
	2, which the Customer role does not have."""
	mine, _other = shared_tickets
	frappe.db.set_value(
		"Service Ticket",
		mine.name,
		{"assigned_technician": world.TECH, "transfer_reason": "内部原因", "in_pool": 1},
	)
	frappe.db.commit()
	data = (
		login_session(api_url, WANG)
		.get(f"{api_url}/api/resource/Service Ticket/{mine.name}", timeout=60)
		.json()["data"]
	)
	assert data["name"] == mine.name
	for field in ("assigned_technician", "transfer_reason", "transfer_to", "in_pool", "accept_deadline"):
		assert not data.get(field), field  # removed, or reset to the field's empty value


def test_technician_cannot_reassign_their_ticket_by_saving_it():
	tech = world.TECH
	ticket = force_state(make_ticket(assigned_technician=tech), "In Progress")
	frappe.set_user(tech)
	try:
		doc = frappe.get_doc("Service Ticket", ticket.name)
		doc.assigned_technician = world.TECH_B
		# a level-2 field is not theirs: Frappe puts the stored value back, and the app's own
		# check refuses a change of whose the ticket is whatever the level
		try:
			doc.save()
		except frappe.PermissionError:
			pass
		doc = frappe.get_doc("Service Ticket", ticket.name)
		doc.in_pool = 1
		doc.save()  # saved, but the dispatch field is not theirs to set
	finally:
		frappe.set_user("Administrator")
	ticket.reload()
	assert (ticket.assigned_technician, ticket.in_pool) == (tech, 0)
