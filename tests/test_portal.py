"""The customer portal on the server: who a portal user is, what they may read, and the whitelisted
portal API, as a signed-in customer, another customer and a guest meet them."""

import pytest

import frappe

from aftersales_app.api import portal as api
from aftersales_app.demo import data as demo
from aftersales_app.exceptions import WrongStateError
from aftersales_app.permissions import portal_customers
from aftersales_app.tests.utils import force_state, make_ticket

WANG = demo.demo_email("wangwei")  # contact of 上海明德贸易有限公司
ZHANG = demo.demo_email("zhangqiang")  # contact of 北京华信科技有限公司
MINGDE, HUAXIN = "上海明德贸易有限公司", "北京华信科技有限公司"


def as_user(user, fn, *args, **kwargs):
	frappe.set_user(user)
	try:
		return fn(*args, **kwargs)
	finally:
		frappe.set_user("Administrator")


def make_portal_user(email: str, customer: str | None = None) -> str:
	"""A website user with the Customer role, optionally made the user of a new contact of
	`customer`."""
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.split("@")[0],
				"send_welcome_email": 0,
				"roles": [{"role": "Customer"}],
			}
		).insert(ignore_permissions=True)
	if customer:
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


# --- who a portal user is ------------------------------------------------------------------------


def test_demo_portal_users_are_website_users_linked_through_their_contact():
	for user, customer in ((WANG, MINGDE), (ZHANG, HUAXIN)):
		assert frappe.db.get_value("User", user, "user_type") == "Website User"
		assert frappe.get_roles(user) and "Customer" in frappe.get_roles(user)
		assert frappe.db.get_value("Contact", {"user": user}, "email_id") == user
		assert portal_customers(user) == [customer]


def test_erpnext_portal_users_of_a_customer_count_too():
	user = make_portal_user("portal.pu@aftersales.example.com")
	assert portal_customers(user) == []
	customer = frappe.get_doc("Customer", "刘洋")
	customer.append("portal_users", {"user": user})
	customer.save(ignore_permissions=True)
	assert portal_customers(user) == ["刘洋"]


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
	user = make_portal_user("portal.two@aftersales.example.com", MINGDE)
	contact = frappe.get_doc("Contact", {"user": user})
	contact.append("links", {"link_doctype": "Customer", "link_name": HUAXIN})
	contact.save(ignore_permissions=True)
	tickets = [make_ticket(customer=MINGDE).name, make_ticket(customer=HUAXIN).name]
	listed = as_user(user, frappe.get_list, "Service Ticket", pluck="name", limit_page_length=0)
	assert set(tickets) <= set(listed)

	lonely = make_portal_user("portal.none@aftersales.example.com")
	assert as_user(lonely, frappe.get_list, "Service Ticket", pluck="name") == []
	assert not as_user(lonely, frappe.has_permission, "Service Ticket", "read", tickets[0])


def test_staff_still_see_every_ticket():
	ticket = make_ticket(customer=HUAXIN)
	assert as_user(demo.demo_email("agent"), frappe.has_permission, "Service Ticket", "read", ticket.name)
	listed = as_user(demo.demo_email("agent"), frappe.get_list, "Service Ticket", pluck="name")
	assert ticket.name in listed


# --- the portal API ------------------------------------------------------------------------------


def awaiting_customer(customer: str = MINGDE, **values):
	"""A ticket of `customer` whose return slip is filed: waiting for the customer's word."""
	ticket = make_ticket(
		customer=customer,
		assigned_technician=demo.demo_email("tech.zhou"),
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
	assert view["technician"] == frappe.utils.get_fullname(demo.demo_email("tech.zhou"))
	assert [row.category for row in view["timeline"]] == ["Pending Review"]  # force_state logs nothing
	assert all(row.color and row.changed_on for row in view["timeline"])
	assert view["next_step"]
	assert isinstance(view["visits"], list)
	for hidden in ("contact_phone", "address_display", "territory", "assigned_technician", "in_pool"):
		assert hidden not in view


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
		(api.submit_request, ("空调不制冷", "不出冷风", "SN-AC-0001")),
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
	assert ticket.assigned_technician == demo.demo_email("tech.zhou")
	last = log_rows(ticket)[-1]
	assert (last.to_category, last.changed_by, last.is_reopen) == ("In Progress", WANG, 1)
	assert frappe.db.exists("Comment", {"reference_name": ticket.name, "content": ("like", "%还是不制冷%")})


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
		WANG, api.submit_request, "空调漏水", "室内机滴水\n\n<b>很急</b>", serial_no="SN-AC-0001"
	)
	ticket = frappe.get_doc("Service Ticket", result["name"])
	assert result["route"] == f"/service-tickets/{ticket.name}"
	assert ticket.channel == "Web Portal" and ticket.customer == MINGDE
	assert ticket.item_code == "AS-AC-3500" and ticket.status == "Pending Review"
	assert frappe.db.get_value("Contact", ticket.contact, "user") == WANG
	assert ticket.contact_phone == "13800000001" and ticket.raised_by == WANG
	assert ticket.owner == WANG
	assert "&lt;b&gt;很急&lt;/b&gt;" in ticket.description  # the customer's text, not markup
	assert as_user(WANG, api.get_ticket, ticket.name)["name"] == ticket.name


def test_request_with_another_customers_serial_or_item_is_refused_and_creates_nothing():
	count = frappe.db.count("Service Ticket")
	refused(as_user, WANG, api.submit_request, "空调噪音", "外机响", serial_no="SN-AC-0003")
	refused(as_user, WANG, api.submit_request, "空调噪音", "外机响", serial_no="SN-NO-SUCH")
	refused(as_user, WANG, api.submit_request, "热水器", "不点火", item_code="AS-WH-6000")
	refused(as_user, WANG, api.submit_request, "空调", "不制冷", customer=HUAXIN)
	with pytest.raises(frappe.ValidationError):
		as_user(WANG, api.submit_request, "空调", "   ", serial_no="SN-AC-0001")
	refused(as_user, demo.demo_email("agent"), api.submit_request, "空调", "不制冷")  # no contact
	assert frappe.db.count("Service Ticket") == count


def test_request_options_offer_only_the_customers_own_products():
	options = as_user(WANG, api.get_request_options)
	assert {s.serial_no for s in options["serial_nos"]} == {"SN-AC-0001", "SN-AC-0002"}
	assert [i.item_code for i in options["items"]] == ["AS-AC-3500"]
	assert [c.name for c in options["customers"]] == [MINGDE]
	assert options["ticket_types"][0].name == "Repair"
	result = as_user(WANG, api.submit_request, "空调", "不制冷", item_code="AS-AC-3500")
	assert frappe.db.get_value("Service Ticket", result["name"], "item_code") == "AS-AC-3500"


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
