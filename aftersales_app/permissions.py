import frappe

from aftersales_app.hooks import AFTERSALES_ROLES


def has_app_permission() -> bool:
	"""Show the app on /apps to the after-sales roles (and System Manager, who configures it)."""
	if frappe.session.user == "Administrator":
		return True
	return bool(set(frappe.get_roles()) & {*AFTERSALES_ROLES, "System Manager"})


# Roles that see every ticket; a technician with none of them sees their own tickets, the ones
# transferred to them, and the pool.
SEE_ALL_ROLES = {"After-Sales Manager", "Service Agent", "System Manager", "Accounts User"}


def sees_all_tickets(user: str) -> bool:
	return user == "Administrator" or bool(set(frappe.get_roles(user)) & SEE_ALL_ROLES)


def ticket_query_conditions(user: str | None = None) -> str:
	"""List filter of Service Ticket (permission_query_conditions hook)."""
	user = user or frappe.session.user
	if sees_all_tickets(user) or "Service Technician" not in frappe.get_roles(user):
		return ""
	me = frappe.db.escape(user)
	return (
		f"(`tabService Ticket`.assigned_technician = {me} or `tabService Ticket`.transfer_to = {me}"
		" or `tabService Ticket`.in_pool = 1)"
	)


def ticket_has_permission(doc, ptype: str = "read", user: str | None = None) -> bool:
	"""Single-document counterpart of ticket_query_conditions (has_permission hook)."""
	user = user or frappe.session.user
	if sees_all_tickets(user) or "Service Technician" not in frappe.get_roles(user):
		return True
	if ptype == "create":
		return True  # role permissions decide (technicians have no create right)
	return user in (doc.assigned_technician, doc.transfer_to) or bool(doc.in_pool and ptype == "read")
