"""The after-sales roles' rights on ERPNext's (and Frappe's) own DocTypes (the app's own DocTypes carry theirs in
their JSON)."""

import frappe
from frappe.permissions import add_permission, update_permission_property

from aftersales_app.core.roles import APP_ROLES

WRITE = ("read", "write", "create", "report", "export", "print", "email")
READ = ("read", "report", "print")

# What the after-sales roles need on ERPNext's own DocTypes: agents and managers register
# customers and their contacts and addresses while taking a call; everyone reads products,
# serial numbers and territories, and the warehouses a visit's parts come from.
AGENT_PERMISSIONS = {
	"Customer": WRITE,
	"Contact": WRITE,
	"Address": WRITE,
	"Item": READ,
	"Serial No": READ,
	"Territory": READ,
	"Issue Priority": READ,
	"Warehouse": READ,
}
# Frappe's Data Import, so agents and managers bring in customers (Imported Customer) and tickets
# from Excel; what each import may create is still their own create right on the target.
IMPORT = {"Data Import": ("read", "write", "create", "report")}
# the service desk opens the documents of the goods that come and go: stock entries (parts,
# returns received), deliveries and invoices (a return's original sale, its credit note)
# (ERPNext writes the serial numbers of a delivery or receipt in a bundle under the user's own rights)
RETURNS = {
	"Stock Entry": READ,
	"Delivery Note": READ,
	"Sales Invoice": READ,
	"Serial and Batch Bundle": ("read", "write", "create", "submit"),
}
# The knowledge base (知识库) is Frappe's Help Article: agents and managers write articles (a
# ticket's resolution becomes a draft) and read the internal ones; saving an article updates its
# Help Category's count, which needs write on the category. Technicians and customers get nothing
# here: they read published articles on the portal (aftersales_app.knowledge.articles).
KNOWLEDGE = {
	"Help Article": ("read", "write", "create", "report", "export", "print", "email"),
	"Help Category": ("read", "write", "report"),
}
# Whoever records a collection (登记回款) picks how it was paid: the link field needs "select" on
# Mode of Payment (the pick and the check of the value), not the accounts each mode posts to; a
# payment's currency and the reports' currency columns need "select" on Currency.
PAYMENT = {"Mode of Payment": ("select",), "Currency": ("select",)}
# The after-sales manager edits the ticket's workflow without code (seed 001): the Workflow of
# the app's DocTypes only (aftersales_app.core.permissions.workflow_query), its states and actions.
WORKFLOW = {
	"Workflow": ("read", "write"),
	"Workflow State": ("read", "write", "create"),
	"Workflow Action Master": ("read", "write", "create"),
}
# Frappe's pages the roles use, beside the roles the page names (Frappe's Custom Role, what
# Role Permission for Page and Report makes)
PAGES = {"workflow-builder": ("After-Sales Manager",)}
ERPNEXT_PERMISSIONS = {
	"Service Agent": {**AGENT_PERMISSIONS, **IMPORT, **RETURNS, **KNOWLEDGE, **PAYMENT},
	"After-Sales Manager": {
		**AGENT_PERMISSIONS,
		**IMPORT,
		**KNOWLEDGE,
		"Help Article": (*KNOWLEDGE["Help Article"], "delete"),
		"Help Category": ("read", "write", "create", "delete", "report"),
		"Employee": READ,
		"Holiday List": READ,
		**RETURNS,
		**PAYMENT,
		**WORKFLOW,
	},
	# read, narrowed by row rules to the customers, contacts, addresses and serial numbers of the
	# technician's own tickets (aftersales_app.core.permissions.people_query_conditions)
	"Service Technician": {**{doctype: READ for doctype in AGENT_PERMISSIONS}, **PAYMENT},
}


def make_roles():
	"""The app's roles, where missing (Frappe also makes the roles its DocTypes' permissions name).
	Not a fixture: Frappe re-imports fixtures on every migrate, which undid an admin's changes to a
	role (desk access, two-factor authentication, home page); made here, they are kept."""
	for role in APP_ROLES:
		if not frappe.db.exists("Role", role):
			frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": 1}).insert(
				ignore_permissions=True
			)


def setup_erpnext_permissions():
	"""Grant the after-sales roles their rights on ERPNext DocTypes the way the Role Permissions
	Manager does (Custom DocPerm, which first copies the DocType's standard rules). Adds only what
	is missing, so an admin's later changes are kept."""
	for role, doctypes in ERPNEXT_PERMISSIONS.items():
		for doctype, rights in doctypes.items():
			if not frappe.db.exists("DocType", doctype):
				continue
			new = not frappe.db.exists("Custom DocPerm", {"parent": doctype, "role": role, "permlevel": 0})
			add_permission(doctype, role, 0, ptype=rights[0])
			for right in rights:
				update_permission_property(doctype, role, 0, right, 1, validate=False)
			if new and "read" not in rights:  # a new rule reads by default: "select" alone
				update_permission_property(doctype, role, 0, "read", 0, validate=False)
	setup_page_roles()
	frappe.clear_cache()


def setup_page_roles():
	"""The roles of PAGES on Frappe's pages, added to the page's Custom Role (made where missing;
	roles an admin added or removed there otherwise stay)."""
	for page, page_roles in PAGES.items():
		if not frappe.db.exists("Page", page):
			continue
		name = frappe.db.get_value("Custom Role", {"page": page})
		doc = frappe.get_doc("Custom Role", name) if name else frappe.new_doc("Custom Role")
		if not name:
			doc.page = page
			# a new Custom Role stands beside the page's own roles: keep them named too
			doc.set("roles", [{"role": row.role} for row in frappe.get_doc("Page", page).roles])
		have = {row.role for row in doc.roles}
		for role in page_roles:
			if role not in have and frappe.db.exists("Role", role):
				doc.append("roles", {"role": role})
		doc.save(ignore_permissions=True)


def remove_erpnext_permissions():
	for role, doctypes in ERPNEXT_PERMISSIONS.items():
		frappe.db.delete("Custom DocPerm", {"role": role, "parent": ("in", list(doctypes))})
	for page, page_roles in PAGES.items():
		if name := frappe.db.get_value("Custom Role", {"page": page}):
			frappe.db.delete(
				"Has Role", {"parenttype": "Custom Role", "parent": name, "role": ("in", page_roles)}
			)
	frappe.clear_cache()
