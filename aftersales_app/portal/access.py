"""Who a portal user acts for, and who may change it (门户授权).

A portal user acts for the customers linked to their Contact and those listing them among their
Portal Users (aftersales_app.core.permissions.portal_customers). Staff add contacts all day, and Frappe
fills a Contact's user in from its e-mail: so a contact with one customer's portal e-mail filed
under another customer, or that user added to another customer's Portal Users, would open the
other company's tickets to them. A portal user who already acts for some customers gets one more
only by a manager's explicit grant (a Contact's "Grant Portal Access", a manager's own Portal Users
row or merge), written on the timelines of the customer and the contact; anyone else is refused,
on every path that saves a Contact or a Customer (desk, REST, Data Import, the app's import)."""

import frappe
from frappe import _
from frappe.utils import escape_html

from aftersales_app.core import roles
from aftersales_app.core.permissions import portal_customers


class PortalAccessError(frappe.PermissionError):
	pass


def may_grant(user: str | None = None) -> bool:
	return roles.has_any(roles.PORTAL_GRANTING, user)


def new_customers(user: str | None, customers) -> list[str]:
	"""Those of `customers` that `user` would act for anew, when `user` already acts for others
	(a user who acts for no one yet is anybody's first contact)."""
	if not user or user in ("Guest", "Administrator"):
		return []
	current = set(portal_customers(user))
	if not current:
		return []
	return sorted({c for c in customers if c and c not in current})


def refuse(user: str, customers: list[str]):
	frappe.throw(
		_(
			"{0} already acts for other customers on the portal: only an After-Sales Manager may let them act for {1} as well"
		).format(frappe.bold(escape_html(user)), ", ".join(frappe.bold(escape_html(c)) for c in customers)),
		PortalAccessError,
		title=_("Portal access not granted"),
	)


def record_grant(user: str, customer: str, contact: str | None = None):
	"""The grant on the customer's (and the contact's) timeline."""
	text = _("{0} may now act for {1} on the portal (granted by {2})").format(
		escape_html(user), escape_html(customer), escape_html(frappe.session.user)
	)
	references = [("Customer", customer)] + ([("Contact", contact)] if contact else [])
	for doctype, name in references:
		frappe.get_doc(
			{
				"doctype": "Comment",
				"comment_type": "Info",
				"reference_doctype": doctype,
				"reference_name": name,
				"content": text,
				"comment_email": frappe.session.user,
			}
		).insert(ignore_permissions=True)
