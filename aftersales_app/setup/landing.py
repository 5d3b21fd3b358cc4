"""Where each after-sales user lands after signing in: customer service, technicians and managers
on the After-Sales workspace (售后服务) instead of ERPNext's Home, a portal customer on their
service tickets instead of /me. Frappe's own settings carry it — a desk user's Default Workspace
(kept for new users by aftersales_app.overrides.user) and the Customer role's Home Page — set
where empty, so an admin's choice stays."""

import frappe

from aftersales_app.core import roles
from aftersales_app.overrides.user import WORKSPACE

CUSTOMER_HOME = "service-tickets"


def set_customer_home_page():
	"""The Customer role's Home Page, where no one has set one."""
	if frappe.db.exists("Role", roles.CUSTOMER) and not frappe.db.get_value(
		"Role", roles.CUSTOMER, "home_page"
	):
		frappe.db.set_value("Role", roles.CUSTOMER, "home_page", CUSTOMER_HOME)


def set_default_workspaces():
	"""Users who had an after-sales role before the app set Default Workspaces (a patch)."""
	if not frappe.db.exists("Workspace", WORKSPACE):
		return
	names = [
		name
		for name in roles.users_with(roles.APP_ROLES)
		if not frappe.db.get_value("User", name, "default_workspace")
	]
	for name in names:
		frappe.db.set_value("User", name, "default_workspace", WORKSPACE, update_modified=False)


def set_landing_pages():
	set_customer_home_page()
	set_default_workspaces()


def remove_landing_pages():
	"""On uninstall: the landing pages the app set point nowhere any more."""
	if frappe.db.get_value("Role", roles.CUSTOMER, "home_page") == CUSTOMER_HOME:
		frappe.db.set_value("Role", roles.CUSTOMER, "home_page", None)
	user = frappe.qb.DocType("User")
	frappe.qb.update(user).set(user.default_workspace, None).where(user.default_workspace == WORKSPACE).run()
