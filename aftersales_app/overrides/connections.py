"""Service tickets on the connections of ERPNext's Customer, Serial No and Item (customer 360)."""

from frappe import _


def _add_service_tickets(data, fieldname: str):
	data = data or {}
	data.setdefault("fieldname", fieldname)
	if data["fieldname"] != fieldname:
		data.setdefault("non_standard_fieldnames", {})["Service Ticket"] = fieldname
	data.setdefault("transactions", []).insert(0, {"label": _("After-Sales"), "items": ["Service Ticket"]})
	return data


def customer(data):
	return _add_service_tickets(data, "customer")


def serial_no(data):
	return _add_service_tickets(data, "serial_no")


def item(data):
	return _add_service_tickets(data, "item_code")
