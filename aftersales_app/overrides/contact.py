"""Contact (doc_events): a contact does not hand its portal user another customer
(aftersales_app.portal.access).

Runs after Contact's own validate, so a user Frappe filled in from the e-mail is judged too. The
rule reads the session user's roles whatever flags the saving code set (the app's import inserts
with ignore_permissions as the importing agent)."""

import frappe
from frappe import _

from aftersales_app.portal import access as portal_access

GRANT = "grant_portal_access"


def validate(doc, method=None):
	granting = bool(doc.get(GRANT))
	if granting and not portal_access.may_grant():
		frappe.throw(
			_("Only an After-Sales Manager may grant a portal user access to another customer"),
			portal_access.PortalAccessError,
		)
	# a one-time grant: kept ticked, it would let any later edit add customers unasked
	if doc.meta.has_field(GRANT):
		doc.set(GRANT, 0)
	customers = [row.link_name for row in doc.links if row.link_doctype == "Customer"]
	new = portal_access.new_customers(doc.user, customers)
	if not new:
		return
	if not granting:
		portal_access.refuse(doc.user, new)
	doc.flags.portal_grants = new


def on_update(doc, method=None):
	for customer in doc.flags.pop("portal_grants", None) or []:
		portal_access.record_grant(doc.user, customer, contact=doc.name)


def before_rename(doc, method=None, old=None, new=None, merge=False):
	"""Merging a contact into another one moves its customer links to the kept contact's user."""
	if not merge:
		return
	kept = frappe.db.get_value("Contact", new, "user")
	linked = frappe.get_all(
		"Dynamic Link",
		filters={"parenttype": "Contact", "parent": old, "link_doctype": "Customer"},
		pluck="link_name",
	)
	gained = portal_access.new_customers(kept, linked)
	if gained and not portal_access.may_grant():
		portal_access.refuse(kept, gained)
	# a manager's merge is the grant; the rename runs in one transaction with it
	for customer in gained:
		portal_access.record_grant(kept, customer, contact=new)
