"""Customers brought in from another system (客户导入): one *Imported Customer* per customer, with
their contacts, addresses and serial numbers, usually imported from one Excel file through
Frappe's Data Import (the template is public/templates/customer_import_template.xlsx). Service
Agents and After-Sales Managers may run it.

Everything a row group names is checked before anything is written (a customer that exists
already, a serial number of another customer or of another item, two primaries, dates in the
future), then the customer, contacts, addresses and serial numbers are made in the insert's own
transaction: Data Import rolls a failing row group back whole and lists it with its reason, and
the others go in."""

import frappe
from frappe import _
from frappe.utils import getdate, nowdate
from frappe.utils.nestedset import get_root_of


def validate(doc):
	name = (doc.customer_name or "").strip()
	doc.customer_name = name
	if frappe.db.exists("Customer", name) or frappe.db.exists("Customer", {"customer_name": name}):
		frappe.throw(_("Customer {0} exists already").format(frappe.bold(name)), frappe.DuplicateEntryError)
	if doc.legacy_id and frappe.db.exists("Imported Customer", {"legacy_id": doc.legacy_id}):
		frappe.throw(
			_("Old system ID {0} was imported already").format(frappe.bold(doc.legacy_id)),
			frappe.DuplicateEntryError,
		)
	for table, label in (("contacts", _("contact")), ("addresses", _("address"))):
		if sum(1 for row in doc.get(table) if row.is_primary) > 1:
			frappe.throw(_("Only one primary {0} per customer").format(label))
	seen = set()
	for row in doc.serial_nos:
		row.serial_no = (row.serial_no or "").strip()
		if row.serial_no in seen:
			frappe.throw(_("Serial No {0} is listed twice").format(frappe.bold(row.serial_no)))
		seen.add(row.serial_no)
		validate_serial(row)


def validate_serial(row):
	if not frappe.db.get_value("Item", row.item_code, "has_serial_no"):
		frappe.throw(_("Row {0}: item {1} has no serial numbers").format(row.idx, frappe.bold(row.item_code)))
	existing = frappe.db.get_value("Serial No", row.serial_no, ["item_code", "customer"], as_dict=True)
	if existing and existing.item_code != row.item_code:
		frappe.throw(
			_("Serial No {0} is of item {1}, not {2}").format(
				frappe.bold(row.serial_no), existing.item_code, row.item_code
			)
		)
	if existing and existing.customer:
		frappe.throw(
			_("Serial No {0} belongs to customer {1}").format(frappe.bold(row.serial_no), existing.customer)
		)
	if row.in_service_since and getdate(row.in_service_since) > getdate(nowdate()):
		frappe.throw(_("Serial No {0}: In Service Since is in the future").format(frappe.bold(row.serial_no)))


def make_records(doc):
	"""The customer, then its contacts, addresses and serial numbers (the first of each is the
	primary one unless a row says otherwise)."""
	customer = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": doc.customer_name,
			"customer_type": doc.customer_type or "Company",
			"customer_group": doc.customer_group
			or frappe.db.get_single_value("Selling Settings", "customer_group")
			or get_root_of("Customer Group"),
			"territory": doc.territory
			or frappe.db.get_single_value("Selling Settings", "territory")
			or get_root_of("Territory"),
		}
	).insert(ignore_permissions=True)
	link = [{"link_doctype": "Customer", "link_name": customer.name}]
	primary = {}

	contacts = doc.contacts
	for row in contacts:
		is_primary = row.is_primary or (row.idx == 1 and not any(r.is_primary for r in contacts))
		contact = frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": row.first_name,
				"last_name": row.last_name,
				"email_ids": [{"email_id": row.email_id, "is_primary": 1}] if row.email_id else [],
				"phone_nos": [{"phone": row.mobile_no, "is_primary_mobile_no": 1, "is_primary_phone": 1}]
				if row.mobile_no
				else [],
				"preferred_channel": row.preferred_channel,
				"wechat_id": row.wechat_id,
				"birthday": row.birthday,
				"is_primary_contact": 1 if is_primary else 0,
				"links": link,
			}
		).insert(ignore_permissions=True)
		row.db_set("contact", contact.name, update_modified=False)
		if is_primary:
			primary.update(
				customer_primary_contact=contact.name, mobile_no=row.mobile_no, email_id=row.email_id
			)

	addresses = doc.addresses
	country = frappe.db.get_default("country")
	for row in addresses:
		is_primary = row.is_primary or (row.idx == 1 and not any(r.is_primary for r in addresses))
		address = frappe.get_doc(
			{
				"doctype": "Address",
				"address_title": doc.customer_name,
				"address_type": row.address_type or "Billing",
				"address_line1": row.address_line1,
				"address_line2": row.address_line2,
				"city": row.city,
				"state": row.state,
				"pincode": row.pincode,
				"country": row.country or country,
				"phone": row.phone,
				"is_primary_address": 1 if is_primary else 0,
				"is_shipping_address": 1 if is_primary else 0,
				"links": link,
			}
		).insert(ignore_permissions=True)
		row.db_set("address", address.name, update_modified=False)
		if is_primary:
			primary["customer_primary_address"] = address.name

	if primary:
		frappe.db.set_value("Customer", customer.name, primary, update_modified=False)

	company = frappe.defaults.get_global_default("company")
	for row in doc.serial_nos:
		values = {
			"customer": customer.name,
			"warranty_expiry_date": row.warranty_expiry_date,
			"amc_expiry_date": row.amc_expiry_date,
			"aftersales_in_service_since": row.in_service_since,
		}
		if frappe.db.exists("Serial No", row.serial_no):
			serial = frappe.get_doc("Serial No", row.serial_no)
			serial.update({k: v for k, v in values.items() if v})
			serial.save(ignore_permissions=True)
		else:
			frappe.get_doc(
				{
					"doctype": "Serial No",
					"serial_no": row.serial_no,
					"item_code": row.item_code,
					"company": company,
					"status": "Delivered",
					**values,
				}
			).insert(ignore_permissions=True)
	doc.db_set("customer", customer.name, update_modified=False)
