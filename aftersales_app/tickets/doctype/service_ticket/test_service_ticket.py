# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt
"""Service Ticket rules as an agent meets them on the real site (each test rolled back)."""

import re

import pytest
from freezegun import freeze_time

import frappe
from frappe.utils import add_days, getdate, nowdate

from aftersales_app.core.exceptions import (
	ContactMismatchError,
	InvoiceMismatchError,
	SerialNoCustomerMismatchError,
)
from aftersales_app.tests import world
from aftersales_app.tests.utils import force_state, make_sales_invoice, make_ticket

MINGDE = world.CUSTOMER
HUAXIN = world.CUSTOMER_B


def test_number_is_date_based_and_sequential():
	first, second = make_ticket(), make_ticket()
	today = getdate().strftime("%Y%m%d")
	assert re.fullmatch(rf"ST-{today}-\d{{4}}", first.name)
	assert int(second.name[-4:]) == int(first.name[-4:]) + 1


def test_customer_fills_contact_phone_email_address_and_territory():
	ticket = make_ticket(customer=MINGDE)
	primary = frappe.db.get_value("Customer", MINGDE, "customer_primary_contact")
	assert ticket.contact == primary
	assert ticket.contact_display == world.CONTACT_NAME
	assert ticket.contact_phone == world.PHONE
	assert ticket.raised_by == world.PORTAL_USER
	assert ticket.address == frappe.db.get_value("Customer", MINGDE, "customer_primary_address")
	assert world.STREET in ticket.address_display
	assert ticket.territory == world.EAST


def test_typed_phone_is_kept_and_other_contact_fills_its_own_phone():
	ticket = make_ticket(customer=MINGDE, contact_phone="021-55550000")
	assert ticket.contact_phone == "021-55550000"
	li_fang = frappe.db.get_value("Contact", {"email_id": world.CONTACT_B})
	ticket.contact = li_fang
	ticket.save()
	assert ticket.contact_phone == world.PHONE_A2
	assert ticket.raised_by == world.CONTACT_B


def test_contact_of_another_customer_is_refused():
	other = frappe.db.get_value("Contact", {"email_id": world.PORTAL_USER_B})
	with pytest.raises(ContactMismatchError):
		make_ticket(customer=MINGDE, contact=other)


def test_changing_the_customer_replaces_the_old_customers_contact_and_address():
	ticket = make_ticket(customer=MINGDE)
	ticket.customer = HUAXIN
	ticket.save()
	assert ticket.contact == frappe.db.get_value("Customer", HUAXIN, "customer_primary_contact")
	assert ticket.contact_phone == world.PHONE_B
	assert ticket.territory == world.EAST  # the territory is the agent's to change; it was set


def test_serial_fills_item_and_customer():
	ticket = make_ticket(customer=None, serial_no=world.SERIAL_HEATER)
	assert ticket.customer == world.CUSTOMER_C
	assert ticket.item_code == world.PRODUCT_HEATER
	assert ticket.item_name == world.HEATER_NAME
	assert ticket.contact_phone == world.PHONE_C


@pytest.mark.parametrize(
	"serial_no, status",
	[
		(world.SERIAL_IN, "Under Warranty"),
		(world.SERIAL_OUT, "Out of Warranty"),
		(world.SERIAL_AMC, "Under AMC"),
		(world.SERIAL_LAPSED, "Out of AMC"),
	],
)
def test_warranty_status_from_the_serial_number(serial_no, status):
	customer = frappe.db.get_value("Serial No", serial_no, "customer")
	ticket = make_ticket(customer=customer, serial_no=serial_no)
	assert ticket.warranty_status == status
	assert ticket.warranty_expiry_date == frappe.db.get_value("Serial No", serial_no, "warranty_expiry_date")


def test_no_serial_and_no_purchase_date_means_unknown_warranty():
	ticket = make_ticket(item_code=world.PRODUCT)
	assert ticket.warranty_status == ""


def test_without_serial_the_purchase_date_and_item_warranty_period_decide():
	recent = make_ticket(item_code=world.PRODUCT_PURIFIER, purchase_date=add_days(nowdate(), -100))
	assert recent.warranty_status == "Under Warranty"
	assert recent.warranty_expiry_date == getdate(add_days(nowdate(), 265))
	old = make_ticket(item_code=world.PRODUCT_PURIFIER, purchase_date=add_days(nowdate(), -400))
	assert old.warranty_status == "Out of Warranty"


def test_serial_without_dates_falls_back_to_the_purchase_invoice():
	invoice = make_sales_invoice(HUAXIN, world.PRODUCT_PURIFIER, posting_date=add_days(nowdate(), -30))
	ticket = make_ticket(customer=HUAXIN, serial_no=world.SERIAL_NO_DATES, purchase_invoice=invoice.name)
	assert ticket.purchase_date == getdate(invoice.posting_date)
	assert ticket.warranty_status == "Under Warranty"
	assert ticket.warranty_expiry_date == getdate(add_days(invoice.posting_date, 365))


def test_warranty_is_rederived_when_its_inputs_change():
	ticket = make_ticket(customer=MINGDE, serial_no=world.SERIAL_IN)
	assert ticket.warranty_status == "Under Warranty"
	ticket.serial_no = world.SERIAL_OUT
	ticket.save()
	assert ticket.warranty_status == "Out of Warranty"
	ticket.serial_no = None
	ticket.item_code = world.PRODUCT
	ticket.save()
	assert ticket.warranty_status == ""


def test_warranty_is_judged_on_the_day_the_ticket_was_opened():
	expiry = frappe.db.get_value("Serial No", world.SERIAL_IN, "warranty_expiry_date")
	with freeze_time(add_days(expiry, 1)):
		late = make_ticket(customer=MINGDE, serial_no=world.SERIAL_IN)
	assert late.warranty_status == "Out of Warranty"
	late.reload()
	late.subject = "复查"
	late.save()  # saved again today: still judged on its opening day
	assert late.warranty_status == "Out of Warranty"


def test_warranty_status_cannot_be_typed_in():
	ticket = make_ticket(customer=MINGDE, serial_no=world.SERIAL_OUT)
	ticket.warranty_status = "Under Warranty"
	ticket.save()
	assert ticket.reload().warranty_status == "Out of Warranty"


def test_serial_of_another_customer_is_refused_and_nothing_written():
	before = frappe.db.count("Service Ticket")
	with pytest.raises(SerialNoCustomerMismatchError, match=HUAXIN):
		make_ticket(customer=MINGDE, serial_no=world.SERIAL_AMC)
	assert frappe.db.count("Service Ticket") == before


def test_invoice_of_another_customer_is_refused():
	invoice = make_sales_invoice(HUAXIN, world.PRODUCT)
	with pytest.raises(InvoiceMismatchError):
		make_ticket(customer=MINGDE, purchase_invoice=invoice.name)


def test_invoice_without_the_item_is_refused():
	invoice = make_sales_invoice(MINGDE, world.PRODUCT_HEATER)
	with pytest.raises(InvoiceMismatchError):
		make_ticket(customer=MINGDE, item_code=world.PRODUCT, purchase_invoice=invoice.name)


def test_ticket_type_gives_its_default_priority():
	ticket = make_ticket(ticket_type="Service Complaint")
	assert ticket.priority == frappe.db.get_value(
		"Service Ticket Type", "Service Complaint", "default_priority"
	)
	assert ticket.priority


def test_repeat_problems_are_counted_and_listed():
	from aftersales_app.api.ticket import get_service_history

	first = make_ticket(customer=MINGDE, serial_no=world.SERIAL_IN)
	second = make_ticket(customer=MINGDE, serial_no=world.SERIAL_IN)
	earlier = frappe.db.count(
		"Service Ticket", {"serial_no": world.SERIAL_IN, "name": ("not in", [first.name, second.name])}
	)
	assert (first.repeat_count, second.repeat_count) == (earlier, earlier + 1)
	history = get_service_history(customer=MINGDE, serial_no=world.SERIAL_IN, exclude=second.name)
	assert history["serial_no"][0].name == first.name
	assert history["serial_no_count"] == earlier + 1
	assert first.name in [t.name for t in history["customer"]]


def test_desk_save_records_phone_as_channel():
	assert make_ticket().channel == "Phone"
	assert make_ticket(channel="WeChat").channel == "WeChat"


def test_technician_cannot_change_customer_or_warranty():
	ticket = force_state(
		make_ticket(customer=MINGDE, serial_no=world.SERIAL_OUT, assigned_technician=world.TECH),
		"In Progress",
	)
	frappe.set_user(world.TECH)
	doc = frappe.get_doc("Service Ticket", ticket.name)
	doc.customer = HUAXIN
	doc.warranty_status = "Under Warranty"
	doc.description = "<p>压缩机故障</p>"
	doc.save()
	frappe.set_user("Administrator")
	saved = frappe.get_doc("Service Ticket", ticket.name)
	assert saved.customer == MINGDE
	assert saved.warranty_status == "Out of Warranty"
	assert "压缩机" in saved.description  # their own fields they may edit


def test_technician_cannot_create_tickets():
	frappe.set_user(world.TECH)
	with pytest.raises(frappe.PermissionError):
		make_ticket()


def test_customer_serial_and_item_forms_show_service_tickets():
	from frappe.desk.notifications import get_open_count

	make_ticket(customer=MINGDE, serial_no=world.SERIAL_IN)
	for doctype, name in (("Customer", MINGDE), ("Serial No", world.SERIAL_IN), ("Item", world.PRODUCT)):
		counts = get_open_count(doctype, name)["count"]["external_links_found"]
		found = {c["doctype"]: c["count"] for c in counts}
		assert found.get("Service Ticket", 0) >= 1, (doctype, counts)
