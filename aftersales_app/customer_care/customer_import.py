"""Customers brought in from another system (客户导入): one *Imported Customer* per customer, with
their contacts, addresses and serial numbers, usually imported from one Excel file through
Frappe's Data Import (the template is public/templates/customer_import_template.xlsx). Service
Agents and After-Sales Managers may run it.

Everything a row group names is checked before anything is written (a customer that exists
already, a serial number of another customer or of another item, two primaries, dates in the
future), then the customer, contacts, addresses and serial numbers are made in the insert's own
transaction: Data Import rolls a failing row group back whole and lists it with its reason, and
the others go in.

A row writes nothing the importing user could not write by hand (Data Import runs the rows as the
user who started it, so the checks read the session user, not the flags the flow saves with): the
customer, contacts and addresses are inserted under the user's own rights; a serial number known
to the site already (sold, in stock, of a customer, with stock history) is never moved, and one
that is merely known is taken only by users who may edit serial numbers, as are warranty and AMC
dates (they decide what a repair costs); serial numbers the site does not know are registered for
the new customer. A contact's e-mail that belongs to a portal user of other customers is refused:
only a manager gives a portal user another customer (aftersales_app.portal.access)."""

import frappe
from frappe import _
from frappe.utils import getdate, nowdate
from frappe.utils.nestedset import get_root_of

from aftersales_app.portal import access as portal_access

# what a serial number's warranty and AMC are: set by those who may edit serial numbers
SERIAL_DATES = ("warranty_expiry_date", "amc_expiry_date")


def validate(doc):
	name = (doc.customer_name or "").strip()
	doc.customer_name = name
	check_rights(doc)
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
	for row in doc.contacts:
		validate_contact(row, name)
	seen = set()
	may_edit_serials = frappe.has_permission("Serial No", "write", user=frappe.session.user)
	for row in doc.serial_nos:
		row.serial_no = (row.serial_no or "").strip()
		if row.serial_no in seen:
			frappe.throw(_("Serial No {0} is listed twice").format(frappe.bold(row.serial_no)))
		seen.add(row.serial_no)
		validate_serial(row, may_edit_serials)


def check_rights(doc):
	"""The importing user creates the customer, contacts and addresses under their own rights."""
	user = frappe.session.user
	for doctype, used in (("Customer", True), ("Contact", doc.contacts), ("Address", doc.addresses)):
		if used and not frappe.has_permission(doctype, "create", user=user):
			frappe.throw(
				_("You may not create a {0}: an import writes only what you could write by hand").format(
					_(doctype)
				),
				frappe.PermissionError,
			)


def validate_contact(row, customer: str):
	"""A contact's e-mail would make its portal user (Frappe fills the contact's user in from it)
	act for the new customer: refused when that user acts for other customers already."""
	email = (row.email_id or "").strip()
	user = email and frappe.db.get_value("User", {"email": email})
	if user and portal_access.new_customers(user, [customer]):
		frappe.throw(
			_(
				"Contact {0}: {1} is the portal user of another customer; import the contact without this e-mail, and an After-Sales Manager grants the access on the contact"
			).format(row.idx, frappe.bold(email)),
			portal_access.PortalAccessError,
		)


def validate_serial(row, may_edit_serials: bool):
	if not frappe.db.get_value("Item", row.item_code, "has_serial_no"):
		frappe.throw(_("Row {0}: item {1} has no serial numbers").format(row.idx, frappe.bold(row.item_code)))
	existing = frappe.db.get_value(
		"Serial No", row.serial_no, ["item_code", "customer", "warehouse", "status"], as_dict=True
	)
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
	if existing and existing.warehouse:
		frappe.throw(
			_(
				"Serial No {0} is in stock in {1}: it reaches a customer through a delivery, not an import"
			).format(frappe.bold(row.serial_no), existing.warehouse)
		)
	if existing and (existing.status in ("Delivered", "Consumed") or has_stock_history(row.serial_no)):
		frappe.throw(
			_("Serial No {0} was sold or used already: it is not imported again").format(
				frappe.bold(row.serial_no)
			)
		)
	if existing and not may_edit_serials:
		frappe.throw(
			_("Serial No {0} exists already: only users who may edit serial numbers import it").format(
				frappe.bold(row.serial_no)
			),
			frappe.PermissionError,
		)
	if any(row.get(field) for field in SERIAL_DATES) and not may_edit_serials:
		frappe.throw(
			_(
				"Serial No {0}: only users who may edit serial numbers set warranty and AMC dates; leave them empty"
			).format(frappe.bold(row.serial_no)),
			frappe.PermissionError,
		)
	if row.in_service_since and getdate(row.in_service_since) > getdate(nowdate()):
		frappe.throw(_("Serial No {0}: In Service Since is in the future").format(frappe.bold(row.serial_no)))


def has_stock_history(serial_no: str) -> bool:
	"""The serial number went in or out of stock at some time (ERPNext v15 records each move in a
	Serial and Batch Bundle's entries)."""
	return bool(frappe.db.exists("Serial and Batch Entry", {"serial_no": serial_no}))


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
	).insert()
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
		).insert()
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
		).insert()
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
			serial.save()  # validate_serial let only users who may edit serial numbers here
		else:
			# a serial number the site does not know, registered for the new customer (its warranty
			# dates only from users who may set them: validate_serial)
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
