"""The ticket templates (工单模板) the app ships as examples, made the way an admin makes one
(README, "Ticket templates"): fields of one ticket type through Customize Form (Custom Fields with
Depends On and Mandatory Depends On on the type), the type's handler group (an Assignment Rule) and
an action of the type (a Workflow transition with a condition on the type).

- Installation (安装): the site survey — where, which floor, how it is mounted, whether power is
  ready, notes and a photo; handler group 安装组; the technician's action 现场未就绪 (site not
  ready) puts the ticket on hold with its reason.
- Product Return and Product Exchange (退换货): the returned product's condition — reason,
  condition, packaging, accessories, notes; handler group 退换货组.

Made once, at install (or by the patch make_ticket_templates on a site installed earlier), then
the admin's: nothing here runs on migrate, so an example the admin changed or deleted stays so.
A later release that adds an example makes only that one, in a patch, as
aftersales_app.notifications.setup does for notifications."""

import frappe
from frappe import _

from aftersales_app.setup.custom_fields import MODULE, shipped
from aftersales_app.setup.language import existing, site_language
from aftersales_app.tickets import status

TICKET = "Service Ticket"
INSTALLATION = 'eval:doc.ticket_type=="Installation"'
RETURN_OR_EXCHANGE = 'eval:doc.ticket_type=="Product Return" || doc.ticket_type=="Product Exchange"'

# after the Problem section (description, related ticket), before Dispatch
FIELDS = [
	{
		"fieldname": "site_survey_section",
		"fieldtype": "Section Break",
		"label": "Installation Site Survey",
		"insert_after": "related_ticket",
		"depends_on": INSTALLATION,
	},
	{
		"fieldname": "site_location",
		"fieldtype": "Data",
		"label": "Installation Location",
		"description": "Where the product goes, e.g. 3rd floor meeting room, north wall",
		"insert_after": "site_survey_section",
		"depends_on": INSTALLATION,
		"mandatory_depends_on": INSTALLATION,
	},
	{
		"fieldname": "site_floor",
		"fieldtype": "Data",
		"label": "Floor",
		"insert_after": "site_location",
		"depends_on": INSTALLATION,
	},
	{
		"fieldname": "site_mounting",
		"fieldtype": "Select",
		"label": "Mounting Type",
		"options": "\nWall Mounted\nFloor Standing\nCeiling\nDesktop\nEmbedded",
		"insert_after": "site_floor",
		"depends_on": INSTALLATION,
		"mandatory_depends_on": INSTALLATION,
	},
	{
		"fieldname": "site_survey_column",
		"fieldtype": "Column Break",
		"insert_after": "site_mounting",
		"depends_on": INSTALLATION,
	},
	{
		"fieldname": "site_power_ready",
		"fieldtype": "Check",
		"label": "Power Supply Ready",
		"insert_after": "site_survey_column",
		"depends_on": INSTALLATION,
	},
	{
		"fieldname": "site_survey_notes",
		"fieldtype": "Small Text",
		"label": "Site Survey Notes",
		"insert_after": "site_power_ready",
		"depends_on": INSTALLATION,
	},
	{
		"fieldname": "site_survey_photo",
		"fieldtype": "Attach Image",
		"label": "Site Survey Photo",
		"insert_after": "site_survey_notes",
		"depends_on": INSTALLATION,
	},
	{
		"fieldname": "return_check_section",
		"fieldtype": "Section Break",
		"label": "Return / Exchange Check",
		"insert_after": "site_survey_photo",
		"depends_on": RETURN_OR_EXCHANGE,
	},
	{
		"fieldname": "return_check_reason",
		"fieldtype": "Select",
		"label": "Return Reason",
		"options": "\nQuality Problem\nDamaged in Transit\nWrong Item Delivered\nNot as Described\nNo Longer Needed\nOther",
		"insert_after": "return_check_section",
		"depends_on": RETURN_OR_EXCHANGE,
		"mandatory_depends_on": RETURN_OR_EXCHANGE,
	},
	{
		"fieldname": "return_check_condition",
		"fieldtype": "Select",
		"label": "Product Condition",
		"options": "\nUnopened\nLike New\nUsed\nDamaged",
		"insert_after": "return_check_reason",
		"depends_on": RETURN_OR_EXCHANGE,
		"mandatory_depends_on": RETURN_OR_EXCHANGE,
	},
	{
		"fieldname": "return_check_column",
		"fieldtype": "Column Break",
		"insert_after": "return_check_condition",
		"depends_on": RETURN_OR_EXCHANGE,
	},
	{
		"fieldname": "return_check_packaging",
		"fieldtype": "Check",
		"label": "Packaging Intact",
		"insert_after": "return_check_column",
		"depends_on": RETURN_OR_EXCHANGE,
	},
	{
		"fieldname": "return_check_accessories",
		"fieldtype": "Check",
		"label": "Accessories Complete",
		"insert_after": "return_check_packaging",
		"depends_on": RETURN_OR_EXCHANGE,
	},
	{
		"fieldname": "return_check_notes",
		"fieldtype": "Small Text",
		"label": "Condition Notes",
		"insert_after": "return_check_accessories",
		"depends_on": RETURN_OR_EXCHANGE,
	},
]

# handler groups: name, description, Assign Condition (users: the admin's to add)
HANDLER_GROUPS = [
	(
		"Installation Team",
		"Responsible agents of installation tickets",
		'ticket_type == "Installation"',
	),
	(
		"Returns Team",
		"Responsible agents of return and exchange tickets",
		'ticket_type in ("Product Return", "Product Exchange")',
	),
]
WEEK = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# an action of one type: from, action, to, roles, condition; from and to are categories (After-Sales
# Settings names the states of each: admins rename states, code never names one)
ACTIONS = [
	(
		status.IN_PROGRESS,
		"现场未就绪",
		status.ON_HOLD,
		("Service Technician", "Service Agent", "After-Sales Manager"),
		'doc.ticket_type == "Installation" and doc.hold_reason',
	),
]


def make_ticket_templates():
	"""The examples' fields, handler groups and actions, where missing."""
	make_template_fields()
	make_handler_groups()
	make_template_actions()


def make_template_fields():
	"""As Customize Form makes them: not system generated, so the admin edits and deletes them
	there like their own."""
	from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

	create_custom_fields(shipped({TICKET: FIELDS}, is_system_generated=0), update=False)


def make_handler_groups():
	"""The example Assignment Rules, named in the site's language, without users: the admin adds
	the agents of each group (until then a rule gives no ticket its agent)."""
	lang = site_language()
	for name, description, condition in HANDLER_GROUPS:
		if existing("Assignment Rule", name):
			continue
		frappe.get_doc(
			{
				"doctype": "Assignment Rule",
				"name": _(name, lang=lang),
				"document_type": TICKET,
				"description": _(description, lang=lang),
				"assign_condition": condition,
				"rule": "Round Robin",
				"priority": 1,
				"assignment_days": [{"day": day} for day in WEEK],
			}
		).insert(ignore_permissions=True, ignore_if_duplicate=True)


def make_template_actions():
	"""The example transitions, added to the active workflow between the first states of their
	categories, where they exist."""
	from frappe.model.workflow import get_workflow_name

	workflow_name = get_workflow_name(TICKET)
	if not workflow_name:
		return
	workflow = frappe.get_doc("Workflow", workflow_name)
	have = {(t.state, t.action, t.next_state, t.allowed) for t in workflow.transitions}
	states = {s.state for s in workflow.states}
	changed = False
	for category, action, next_category, allowed, condition in ACTIONS:
		state, next_state = (next(iter(status.states_of(c)), None) for c in (category, next_category))
		if not (state and next_state and {state, next_state} <= states):
			continue
		if not frappe.db.exists("Workflow Action Master", action):
			frappe.get_doc({"doctype": "Workflow Action Master", "workflow_action_name": action}).insert(
				ignore_permissions=True
			)
		for role in allowed:
			if (state, action, next_state, role) in have:
				continue
			workflow.append(
				"transitions",
				{
					"state": state,
					"action": action,
					"next_state": next_state,
					"allowed": role,
					"allow_self_approval": 1,
					"condition": condition,
				},
			)
			changed = True
	if changed:
		workflow.save(ignore_permissions=True)


def remove_ticket_templates():
	"""Uninstall: the example rules point at Service Ticket, which goes (its custom fields go with
	the app's module, the workflow with its DocType)."""
	for name in frappe.get_all("Assignment Rule", filters={"document_type": TICKET}, pluck="name"):
		frappe.delete_doc("Assignment Rule", name, force=True, ignore_permissions=True)
