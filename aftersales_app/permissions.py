import frappe

from aftersales_app.hooks import AFTERSALES_ROLES


def has_app_permission() -> bool:
	"""Show the app on /apps to the after-sales roles (and System Manager, who configures it)."""
	if frappe.session.user == "Administrator":
		return True
	return bool(set(frappe.get_roles()) & {*AFTERSALES_ROLES, "System Manager"})
