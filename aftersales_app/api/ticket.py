"""Whitelisted helpers of the Service Ticket form: what the desk asks while an agent types."""

import frappe
from frappe import _
from frappe.utils import cint, getdate

from aftersales_app.api import endpoint
from aftersales_app.tickets.intake import customer_defaults
from aftersales_app.tickets.warranty import derive_warranty

HISTORY_FIELDS = [
	"name",
	"subject",
	"status",
	"opened_on",
	"ticket_type",
	"serial_no",
	"item_code",
	"warranty_status",
]


@endpoint()
def get_customer_defaults(customer: str) -> dict:
	"""Default contact, phone, e-mail, address and territory of a customer for a new ticket."""
	frappe.has_permission("Service Ticket", "create", throw=True)
	frappe.has_permission("Customer", "read", customer, throw=True)
	return customer_defaults(customer)


@endpoint()
def get_serial_details(serial_no: str, purchase_date: str | None = None, on_date: str | None = None) -> dict:
	"""Item, customer and warranty of a serial number, as the ticket will store them."""
	frappe.has_permission("Service Ticket", "read", throw=True)
	frappe.has_permission("Serial No", "read", serial_no, throw=True)
	serial = frappe.db.get_value("Serial No", serial_no, ["item_code", "item_name", "customer"], as_dict=True)
	if not serial:
		frappe.throw(
			_("Serial No {0} does not exist").format(frappe.bold(serial_no)), frappe.DoesNotExistError
		)
	warranty = derive_warranty(serial_no, serial.item_code, purchase_date, getdate(on_date))
	return {
		**serial,
		"warranty_status": warranty.status,
		"warranty_expiry_date": warranty.warranty_expiry_date,
		"amc_expiry_date": warranty.amc_expiry_date,
	}


@endpoint()
def get_service_history(
	customer: str | None = None, serial_no: str | None = None, exclude: str | None = None, limit: int = 10
) -> dict:
	"""Earlier tickets of the customer and of the serial number, newest first, so an agent sees a
	repeat problem while registering a new one. Only tickets the user may read are listed."""
	frappe.has_permission("Service Ticket", "read", throw=True)
	limit = min(max(cint(limit), 1), 50)
	out = {"customer": [], "serial_no": []}
	for key, value in (("customer", customer), ("serial_no", serial_no)):
		if not value:
			continue
		filters = {key: value}
		if exclude:
			filters["name"] = ("!=", exclude)
		out[key] = frappe.get_list(
			"Service Ticket",
			filters=filters,
			fields=HISTORY_FIELDS,
			order_by="opened_on desc",
			limit_page_length=limit,
		)
		out[f"{key}_count"] = (
			frappe.get_list("Service Ticket", filters=filters, fields=["count(name) as count"])[0].count
			if out[key]
			else 0
		)
	return out
