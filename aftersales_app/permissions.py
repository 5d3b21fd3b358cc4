import frappe
from frappe.query_builder import DocType

from aftersales_app.hooks import AFTERSALES_ROLES

# Roles that work on every ticket and visit; a user with none of them but Service Technician sees
# only their own work.
STAFF_ROLES = {"System Manager", "After-Sales Manager", "Service Agent"}
TECHNICIAN_ROLE = "Service Technician"


def has_app_permission() -> bool:
	"""Show the app on /apps to the after-sales roles (and System Manager, who configures it)."""
	if frappe.session.user == "Administrator":
		return True
	return bool(set(frappe.get_roles()) & {*AFTERSALES_ROLES, "System Manager"})


# Roles that see every ticket; a technician with none of them sees their own tickets, the ones
# transferred to them, and the pool; a portal customer (ERPNext's Customer role) sees the tickets of
# the customers they are a contact of.
SEE_ALL_ROLES = {"After-Sales Manager", "Service Agent", "System Manager", "Accounts User"}
CUSTOMER_ROLE = "Customer"


def sees_all_tickets(user: str) -> bool:
	return user == "Administrator" or bool(set(frappe.get_roles(user)) & SEE_ALL_ROLES)


def portal_customers(user: str | None = None) -> list[str]:
	"""The Customers a portal user acts for: those linked to the user's Contact (Contact.user →
	its Dynamic Links, how Frappe's "Invite as User" connects a contact), and those listing the
	user among their Portal Users (ERPNext v15's own portal list, read by
	erpnext.controllers.website_list_for_contact.get_customers_suppliers). No new tables."""
	user = user or frappe.session.user
	if user in ("Guest", None):
		return []
	contact = DocType("Contact")
	link = DocType("Dynamic Link")
	through_contact = (
		frappe.qb.from_(link)
		.join(contact)
		.on(contact.name == link.parent)
		.select(link.link_name)
		.where((link.parenttype == "Contact") & (link.link_doctype == "Customer") & (contact.user == user))
		.run(pluck=True)
	)
	portal_user = DocType("Portal User")
	through_portal_users = (
		frappe.qb.from_(portal_user)
		.select(portal_user.parent)
		.where((portal_user.parenttype == "Customer") & (portal_user.user == user))
		.run(pluck=True)
	)
	return sorted(set(through_contact) | set(through_portal_users))


def ticket_query_conditions(user: str | None = None) -> str:
	"""List filter of Service Ticket (permission_query_conditions hook)."""
	user = user or frappe.session.user
	if sees_all_tickets(user):
		return ""
	roles = frappe.get_roles(user)
	conditions = []
	if TECHNICIAN_ROLE in roles:
		me = frappe.db.escape(user)
		conditions.append(
			f"`tabService Ticket`.assigned_technician = {me} or `tabService Ticket`.transfer_to = {me}"
			" or `tabService Ticket`.in_pool = 1"
		)
	if CUSTOMER_ROLE in roles:
		customers = portal_customers(user)
		conditions.append(
			"`tabService Ticket`.customer in ({})".format(", ".join(frappe.db.escape(c) for c in customers))
			if customers
			else "1 = 0"
		)
	return " or ".join(f"({c})" for c in conditions) if conditions else ""


def ticket_has_permission(doc, ptype: str = "read", user: str | None = None) -> bool:
	"""Single-document counterpart of ticket_query_conditions (has_permission hook)."""
	user = user or frappe.session.user
	if sees_all_tickets(user) or ptype == "create":
		return True  # role permissions decide (technicians and customers have no create right)
	roles = frappe.get_roles(user)
	if TECHNICIAN_ROLE not in roles and CUSTOMER_ROLE not in roles:
		return True
	if TECHNICIAN_ROLE in roles and (
		user in (doc.assigned_technician, doc.transfer_to) or bool(doc.in_pool and ptype == "read")
	):
		return True
	return CUSTOMER_ROLE in roles and bool(doc.customer) and doc.customer in portal_customers(user)


def is_technician_only(user: str | None = None) -> bool:
	"""A field technician, not also staff of the service desk."""
	user = user or frappe.session.user
	if user == "Administrator":
		return False
	roles = set(frappe.get_roles(user))
	return TECHNICIAN_ROLE in roles and not roles & STAFF_ROLES


def _technician_work_query(doctype: str, own_field: str, ticket_field: str, user: str | None) -> str:
	"""A technician's share of a ticket's records: those that are theirs (`own_field`) and those of
	the tickets assigned to them (`ticket_field`); staff see all ("")."""
	user = user or frappe.session.user
	if not is_technician_only(user):
		return ""
	ticket = frappe.qb.DocType("Service Ticket")
	own_tickets = frappe.qb.from_(ticket).select(ticket.name).where(ticket.assigned_technician == user)
	return (
		f"(`tab{doctype}`.`{own_field}` = {frappe.db.escape(user)}"
		f" or `tab{doctype}`.`{ticket_field}` in ({own_tickets.get_sql()}))"
	)


def service_visit_query(user: str | None = None) -> str:
	"""List condition for Service Visit: a technician sees the visits they make and the visits of
	the tickets assigned to them."""
	return _technician_work_query("Service Visit", "technician", "ticket", user)


def has_service_visit_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""A technician may open, create and edit a visit when it is theirs or its ticket is assigned
	to them; other roles follow their role permissions (None: no opinion)."""
	user = user or frappe.session.user
	if not is_technician_only(user):
		return None
	if doc.get("technician") == user and ptype != "create":
		return True
	return bool(doc.get("ticket")) and (
		frappe.db.get_value("Service Ticket", doc.get("ticket"), "assigned_technician") == user
	)


def service_payment_query(user: str | None = None) -> str:
	"""List condition for Service Payment: a technician sees the payments they collected and the
	payments of the tickets assigned to them."""
	return _technician_work_query("Service Payment", "collected_by", "service_ticket", user)


def has_service_payment_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""A technician records payments for the tickets assigned to them and reads the ones they
	collected; other roles follow their role permissions (None: no opinion)."""
	user = user or frappe.session.user
	if not is_technician_only(user):
		return None
	if doc.get("collected_by") == user and ptype in ("read", "print"):
		return True
	return bool(doc.get("service_ticket")) and (
		frappe.db.get_value("Service Ticket", doc.get("service_ticket"), "assigned_technician") == user
	)
