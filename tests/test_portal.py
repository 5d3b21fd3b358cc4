"""The customer portal on the server: who a portal user is, what they may read, and the whitelisted
portal API, as a signed-in customer, another customer and a guest meet them."""

import frappe

from aftersales_app.demo import data as demo
from aftersales_app.permissions import portal_customers
from aftersales_app.tests.utils import make_ticket

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
