"""A desk user given an after-sales role lands on the After-Sales workspace (售后服务), not on
ERPNext's Home: Frappe's own Default Workspace, set where empty so that an admin's choice stays
(aftersales_app.setup.landing sets it for users who had the role before)."""

import frappe

from aftersales_app.core import roles

WORKSPACE = "After-Sales"


def validate(doc, method=None):
	"""doc_events User validate."""
	if doc.default_workspace or doc.user_type != "System User":
		return
	if {row.role for row in doc.get("roles") or []} & set(roles.APP_ROLES) and frappe.db.exists(
		"Workspace", WORKSPACE
	):
		doc.default_workspace = WORKSPACE
