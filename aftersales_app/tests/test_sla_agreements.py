"""Agreements beyond the default, the ERPNext way: an agreement for a customer group (or a
territory, a customer, a condition on the ticket type) takes the tickets it matches. Inserting an
agreement resets its fields on Service Ticket (schema changes, which commit), so this test commits
and removes what it made."""

from datetime import datetime

from freezegun import freeze_time

import frappe
from frappe.utils import get_datetime

from aftersales_app.tests import world
from aftersales_app.tests.utils import make_customer, make_customer_group, make_ticket

GROUP, CUSTOMER, AGREEMENT = "测试大客户组", "测试大客户有限公司", "测试大客户服务"


def test_an_agreement_for_a_customer_group_applies_to_its_customers():
	frappe.db.commit()  # the agreement's insert changes the schema: it commits on its own
	try:
		make_customer_group(GROUP)
		make_customer(CUSTOMER, phone="13722229999")
		frappe.db.set_value("Customer", CUSTOMER, "customer_group", GROUP)
		default = frappe.get_doc(
			"Service Level Agreement",
			{"document_type": "Service Ticket", "default_service_level_agreement": 1},
		)
		vip = frappe.copy_doc(default)
		vip.update(
			{
				"service_level": AGREEMENT,
				"default_service_level_agreement": 0,
				"entity_type": "Customer Group",
				"entity": GROUP,
			}
		)
		for row in vip.priorities:
			row.response_time, row.resolution_time = 1800, 12 * 3600
		vip.insert(ignore_permissions=True)
		frappe.db.commit()

		with freeze_time(datetime(2026, 11, 20, 2, 0, 0)):
			ticket = make_ticket(customer=CUSTOMER, subject="大客户报修")
			other = make_ticket(customer=world.CUSTOMER, subject="大客户报修")
		assert ticket.service_level_agreement == vip.name
		assert other.service_level_agreement == default.name
		start = get_datetime(ticket.creation)
		assert abs((get_datetime(ticket.sla_resolution_by) - start).total_seconds() - 12 * 3600) <= 5
		assert abs((get_datetime(other.sla_resolution_by) - start).total_seconds() - 48 * 3600) <= 5
	finally:
		frappe.db.rollback()
		for name in frappe.get_all("Service Ticket", filters={"subject": "大客户报修"}, pluck="name"):
			frappe.delete_doc("Service Ticket", name, force=True, ignore_permissions=True)
		for name in frappe.get_all(
			"Service Level Agreement", filters={"service_level": AGREEMENT}, pluck="name"
		):
			frappe.delete_doc("Service Level Agreement", name, force=True, ignore_permissions=True)
		for name in frappe.get_all(
			"Dynamic Link", filters={"link_name": CUSTOMER, "parenttype": "Contact"}, pluck="parent"
		):
			frappe.delete_doc("Contact", name, force=True, ignore_permissions=True)
		frappe.delete_doc("Customer", CUSTOMER, force=True, ignore_permissions=True, ignore_missing=True)
		frappe.delete_doc("Customer Group", GROUP, force=True, ignore_permissions=True, ignore_missing=True)
		frappe.db.commit()
