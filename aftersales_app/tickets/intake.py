"""How a ticket's customer side is filled in, whatever path it came by (desk, quick entry, REST,
Data Import, e-mail, portal): the customer's default contact, phone and service address, and the
customer behind an e-mail sender. Reads ERPNext's Customer, Contact and Address as they are."""

from functools import lru_cache

from jinja2 import TemplateSyntaxError

import frappe
from frappe import _
from frappe.contacts.doctype.address.address import get_address_templates, get_default_address
from frappe.contacts.doctype.contact.contact import get_default_contact
from frappe.query_builder import DocType
from frappe.utils.jinja import get_jenv


def is_linked(doctype: str, name: str | None, customer: str | None) -> bool:
	"""Whether a Contact or Address is one of this customer's (through its Dynamic Links)."""
	if not (name and customer):
		return False
	return bool(
		frappe.db.exists(
			"Dynamic Link",
			{"parenttype": doctype, "parent": name, "link_doctype": "Customer", "link_name": customer},
		)
	)


def contact_details(contact: str | None) -> frappe._dict:
	if not contact:
		return frappe._dict()
	row = frappe.db.get_value(
		"Contact",
		contact,
		["full_name", "first_name", "last_name", "mobile_no", "phone", "email_id"],
		as_dict=True,
	)
	if not row:
		return frappe._dict()
	name = row.full_name or " ".join(filter(None, [row.first_name, row.last_name]))
	return frappe._dict(
		contact_display=name, contact_phone=row.mobile_no or row.phone, raised_by=row.email_id
	)


def customer_defaults(customer: str) -> frappe._dict:
	"""The values a new ticket of this customer starts with: primary contact, its phone and e-mail,
	the shipping (else primary) address, and the customer's territory."""
	territory, primary_contact = frappe.db.get_value(
		"Customer", customer, ["territory", "customer_primary_contact"]
	) or (None, None)
	out = frappe._dict(territory=territory)
	contact = primary_contact or get_default_contact("Customer", customer)
	if contact:
		out.contact = contact
		out.update(contact_details(contact))
	address = get_default_address(
		"Customer", customer, sort_key="is_shipping_address"
	) or get_default_address("Customer", customer)
	if address:
		out.address = address
		out.address_display = address_display(address)
	return out


def address_display(address: str) -> str | None:
	"""The address rendered by its template, as Frappe's render_address renders it. Callers pass an
	address of the ticket's customer; the ticket's save must not depend on the saver's own rights
	on Address (a portal customer who submits a request has none). Frappe compiles the template
	anew on every call (most of a render's time); its compiled code is kept per template text here,
	and bound to the request's own Jinja environment each time."""
	values = frappe.get_cached_doc("Address", address).as_dict()
	name, template = get_address_templates(values)
	if ".__" in template:  # as frappe.render_template's safe rendering refuses it
		frappe.throw(_("Illegal template"))
	jenv = get_jenv()
	try:
		code = _compiled(template)
	except TemplateSyntaxError:
		frappe.throw(_("There is an error in your Address Template {0}").format(name))
	return jenv.template_class.from_code(jenv, code, jenv.make_globals(None)).render(values)


@lru_cache(maxsize=16)
def _compiled(template: str):
	"""Jinja's compiled code of an address template: the same for every request's environment
	(Frappe's sandboxed one, configured alike), unlike the environment's request-bound globals."""
	return get_jenv().compile(template)


def find_customer_by_email(email: str | None) -> frappe._dict:
	"""The customer and contact behind an e-mail address, if a Contact of a Customer has it."""
	if not email:
		return frappe._dict()
	contact_email = DocType("Contact Email")
	link = DocType("Dynamic Link")
	row = (
		frappe.qb.from_(contact_email)
		.join(link)
		.on((link.parent == contact_email.parent) & (link.parenttype == "Contact"))
		.select(contact_email.parent.as_("contact"), link.link_name.as_("customer"))
		.where((contact_email.email_id == email) & (link.link_doctype == "Customer"))
		.limit(1)
		.run(as_dict=True)
	)
	return row[0] if row else frappe._dict()
