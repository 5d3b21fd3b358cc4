app_name = "aftersales_app"
app_title = "After-Sales Service"
app_publisher = "aftersales_app developers"
app_description = "After-sales service (售后服务) for ERPNext"
app_email = "aftersales@example.com"
app_license = "mit"

# Apps
# ------------------

required_apps = ["frappe/erpnext"]

# Each item in the list will be shown as an app in the apps page
add_to_apps_screen = [
	{
		"name": "aftersales_app",
		"logo": "/assets/aftersales_app/images/aftersales-logo.svg",
		"title": "After-Sales Service",
		"route": "/app/after-sales",
		"has_permission": "aftersales_app.core.permissions.has_app_permission",
	}
]

# Includes in <head>
# ------------------

# include js, css files in header of desk.html
app_include_js = "aftersales.bundle.js"

# include js, css files in header of web template
# web_include_css = "/assets/aftersales_app/css/aftersales_app.css"
# web_include_js = "/assets/aftersales_app/js/aftersales_app.js"

# include js in doctype views
# doctype_js = {"doctype" : "public/js/doctype.js"}
# doctype_list_js = {"doctype" : "public/js/doctype_list.js"}

# Home Pages
# ----------

# Customer portal (售后服务): /service-tickets lists the signed-in customer's tickets, a ticket's
# page lives at /service-tickets/<name>, /ticket-lookup is the guest lookup.
website_route_rules = [
	{"from_route": "/service-tickets/new", "to_route": "service-tickets/new"},
	{"from_route": "/service-tickets/<name>", "to_route": "service_ticket"},
	# the knowledge base (知识库): /knowledge searches published articles, one lives at
	# /knowledge/<name> (aftersales_app.knowledge.articles)
	{"from_route": "/knowledge/<name>", "to_route": "knowledge_article"},
]

portal_menu_items = [
	{
		"title": "After-Sales Service",
		"route": "/service-tickets",
		"reference_doctype": "Service Ticket",
		"role": "Customer",
	},
	{"title": "Knowledge Base", "route": "/knowledge", "role": "Customer"},
]

# Jinja
# ----------

# the job sheet's QR code and technician name (print format Service Ticket Job Sheet)
jinja = {
	"methods": [
		"aftersales_app.field_service.printing.lookup_qr_code",
		"aftersales_app.field_service.printing.lookup_url",
		"aftersales_app.portal.display.technician_name",
		# a ticket's HTML cleaned again on the way out, as the portal prints it
		"aftersales_app.portal.display.safe_html",
	]
}

# Installation
# ------------

after_install = "aftersales_app.setup.install.after_install"
after_sync = "aftersales_app.setup.install.after_sync"
# what a new release adds (roles, custom fields), made where missing; nothing existing is changed
after_migrate = "aftersales_app.setup.install.after_migrate"

# Uninstallation
# ------------

before_uninstall = "aftersales_app.setup.install.before_uninstall"

# Fixtures
# --------
# None on purpose: Frappe re-imports fixtures on every migrate, undoing an admin's edits of the
# records; the roles and custom fields are made where missing instead (aftersales_app.setup).

setup_wizard_complete = "aftersales_app.setup.install.after_setup_wizard"

# Desk
# ----

extend_bootinfo = "aftersales_app.boot.boot_session"

# Customer 360: service tickets on the connections of ERPNext's own forms
override_doctype_dashboards = {
	"Customer": "aftersales_app.overrides.connections.customer",
	"Serial No": "aftersales_app.overrides.connections.serial_no",
	"Item": "aftersales_app.overrides.connections.item",
}

# contact logs on the ticket's timeline
additional_timeline_content = {
	"Service Ticket": [
		"aftersales_app.tickets.doctype.service_contact_log.service_contact_log.get_timeline_content"
	]
}

# Permissions
# -----------
# Permissions evaluated in scripted ways

permission_query_conditions = {
	"Service Ticket": "aftersales_app.core.permissions.ticket_query_conditions",
	# the after-sales manager edits the workflows of the app's DocTypes, no other
	"Workflow": "aftersales_app.core.permissions.workflow_query",
	# a technician sees and edits only their own visits and the visits of their tickets
	"Service Visit": "aftersales_app.core.permissions.service_visit_query",
	# a technician sees the payments they collected and those of their tickets
	"Service Payment": "aftersales_app.core.permissions.service_payment_query",
	"Service Return": "aftersales_app.core.permissions.service_return_query",
	"Service Contact Log": "aftersales_app.core.permissions.contact_log_query",
	"Service Ticket Status Log": "aftersales_app.core.permissions.status_log_query",
	# child rows queried on their own follow their parent's row rule (frappe.client.get_list
	# with parent=, reportview with parent_doctype)
	"Service Visit Part": "aftersales_app.core.permissions.child_query_conditions",
	"Service Visit Photo": "aftersales_app.core.permissions.child_query_conditions",
	"Service Return Step": "aftersales_app.core.permissions.child_query_conditions",
	"Contact Phone": "aftersales_app.core.permissions.child_query_conditions",
	"Contact Email": "aftersales_app.core.permissions.child_query_conditions",
	"Dynamic Link": "aftersales_app.core.permissions.child_query_conditions",
	"Portal User": "aftersales_app.core.permissions.child_query_conditions",
	# a technician reads the customers, contacts, addresses and serial numbers of their own work
	"Customer": "aftersales_app.core.permissions.people_query_conditions",
	"Contact": "aftersales_app.core.permissions.people_query_conditions",
	"Address": "aftersales_app.core.permissions.people_query_conditions",
	"Serial No": "aftersales_app.core.permissions.people_query_conditions",
}
has_permission = {
	"Service Ticket": "aftersales_app.core.permissions.ticket_has_permission",
	"Workflow": "aftersales_app.core.permissions.has_workflow_permission",
	"Service Visit": "aftersales_app.core.permissions.has_service_visit_permission",
	"Service Payment": "aftersales_app.core.permissions.has_service_payment_permission",
	"Service Return": "aftersales_app.core.permissions.has_service_return_permission",
	"Service Contact Log": "aftersales_app.core.permissions.has_contact_log_permission",
	"Service Ticket Status Log": "aftersales_app.core.permissions.has_status_log_permission",
	"File": "aftersales_app.core.permissions.has_file_permission",
	"Customer": "aftersales_app.core.permissions.has_people_permission",
	"Contact": "aftersales_app.core.permissions.has_people_permission",
	"Address": "aftersales_app.core.permissions.has_people_permission",
	"Serial No": "aftersales_app.core.permissions.has_people_permission",
}

# Frappe's counting and looking-up methods that skip the row rules, answered within them
# (aftersales_app.overrides.client)
override_whitelisted_methods = {
	"frappe.client.get_count": "aftersales_app.overrides.client.get_count",
	"frappe.client.validate_link": "aftersales_app.overrides.client.validate_link",
	"frappe.desk.listview.get_group_by_count": "aftersales_app.overrides.client.get_group_by_count",
	"frappe.desk.search.search_link": "aftersales_app.overrides.client.search_link",
	"frappe.desk.search.search_widget": "aftersales_app.overrides.client.search_widget",
	"frappe.desk.notifications.get_open_count": "aftersales_app.overrides.client.get_open_count",
}

# DocType Class
# ---------------
# Override standard doctype classes

override_doctype_class = {
	# private files of the app's documents: the download path asks the app's File rule too
	"File": "aftersales_app.overrides.file.AfterSalesFile",
	# a rule on Service Ticket is a ticket type's handler group, applied by the app (no ToDo)
	"Assignment Rule": "aftersales_app.overrides.assignment_rule.AfterSalesAssignmentRule",
}

# Document Events
# ---------------

doc_events = {
	# every text of every DocType of the app (and its child rows) is inert whoever saves it
	# (aftersales_app.core.text); controllers with guarded fields clean theirs in validate already
	"*": {"validate": "aftersales_app.core.text.clean_app_document"},
	"Communication": {
		"validate": "aftersales_app.overrides.comment.clean_content",
		"on_update": "aftersales_app.overrides.communication.fill_ticket_from_email",
	},
	# comments and mail on the app's documents: inert HTML whoever writes them
	"Comment": {"validate": "aftersales_app.overrides.comment.clean_content"},
	"Stock Entry": {"on_cancel": "aftersales_app.field_service.visits.unlink_cancelled_stock_entry"},
	# after-sales staff land on the After-Sales workspace (aftersales_app.overrides.user)
	"User": {"validate": "aftersales_app.overrides.user.validate"},
	# a contact, a customer's Portal Users or a merge give a portal user who acts for other
	# customers one more only by a manager's grant (aftersales_app.portal.access); credit limits
	# are the accounts roles' alone
	"Contact": {
		"validate": "aftersales_app.overrides.contact.validate",
		"on_update": "aftersales_app.overrides.contact.on_update",
		"before_rename": "aftersales_app.overrides.contact.before_rename",
	},
	"Customer": {
		"validate": "aftersales_app.overrides.customer.validate",
		"on_update": "aftersales_app.overrides.customer.on_update",
		"before_rename": "aftersales_app.overrides.customer.before_rename",
	},
	# a ticket type's Mandatory Depends On must be readable on the server (aftersales_app.tickets.ticket_templates)
	"Custom Field": {"validate": "aftersales_app.tickets.ticket_templates.check_custom_field"},
	"Property Setter": {"validate": "aftersales_app.tickets.ticket_templates.check_property_setter"},
	# the notifications of each event are cached (aftersales_app.notifications.notify.notifications_of)
	"Notification": {
		"on_update": "aftersales_app.notifications.notify.clear_notification_cache",
		"on_trash": "aftersales_app.notifications.notify.clear_notification_cache",
	},
	# a serial number's in-service date and next check-up (aftersales_app.customer_care.maintenance_reminders)
	"Serial No": {"validate": "aftersales_app.customer_care.maintenance_reminders.on_serial_validate"},
	# a service ticket makes its customer active (aftersales_app.customer_care.lifecycle) and counts towards their
	# tags (aftersales_app.customer_care.tags), as do survey answers and invoices
	# The ticket's controller owns the ticket's own rules; each domain follows the ticket's
	# events here, in this order (after the controller's method, before ERPNext's "*" hooks).
	"Service Ticket": {
		"onload": "aftersales_app.billing.charging.on_ticket_load",
		# a decided charge refuses a change of what decided it, before the ticket's own checks
		"before_validate": "aftersales_app.billing.charging.on_ticket_before_validate",
		"validate": [
			# no end state while a return is open
			"aftersales_app.returns.steps.on_ticket_validate",
			# the accept deadline from the moment the ticket waits for acceptance
			"aftersales_app.field_service.dispatch.on_ticket_validate",
			# a decided charge keeps its warranty; until then the charge follows the ticket
			"aftersales_app.billing.charging.on_ticket_validate",
		],
		# the escalation points, once ERPNext's agreement (a "*" validate hook) set the targets
		"before_save": "aftersales_app.tickets.escalation.set_escalation_due",
		"after_insert": [
			"aftersales_app.customer_care.lifecycle.on_ticket_insert",
			"aftersales_app.customer_care.tags.on_ticket_insert",
		],
		"on_update": [
			"aftersales_app.billing.charging.on_ticket_update",
			"aftersales_app.field_service.dispatch.on_ticket_update",
			# the customer and staff hear of the state change (the ticket's own notices)
			"aftersales_app.tickets.doctype.service_ticket.service_ticket.on_update_tell",
			"aftersales_app.customer_care.surveys.on_ticket_update",
			"aftersales_app.customer_care.tags.on_ticket_update",
		],
		"on_trash": [
			"aftersales_app.customer_care.surveys.on_ticket_trash",
			"aftersales_app.notifications.outbox.forget_document",
		],
	},
	"Service Survey": {"on_update": "aftersales_app.customer_care.tags.on_survey_update"},
	# the knowledge base: internal articles stay unpublished, the search index follows every save
	# and delete (aftersales_app.knowledge.articles)
	"Help Article": {
		"autoname": "aftersales_app.knowledge.articles.on_article_autoname",
		"validate": "aftersales_app.knowledge.articles.on_article_validate",
		"on_update": "aftersales_app.knowledge.articles.on_article_update",
		"on_trash": "aftersales_app.knowledge.articles.on_article_trash",
	},
	# the charge invoice and the payments of a ticket stay in step with ERPNext's documents
	"Sales Invoice": {
		"on_submit": [
			"aftersales_app.billing.charging.link_amended_invoice",
			# a purchase makes its customer active (aftersales_app.customer_care.lifecycle)
			"aftersales_app.customer_care.lifecycle.on_invoice_submit",
			"aftersales_app.customer_care.tags.on_invoice_change",
		],
		"on_cancel": [
			"aftersales_app.billing.charging.unlink_charge_invoice",
			"aftersales_app.customer_care.tags.on_invoice_change",
		],
		"on_trash": "aftersales_app.billing.charging.unlink_charge_invoice",
	},
	"Payment Entry": {
		"on_submit": "aftersales_app.billing.payments.on_payment_entry_submit",
		"on_cancel": [
			"aftersales_app.billing.payments.on_payment_entry_cancel",
			"aftersales_app.billing.payments.on_direct_payment_entry_cancel",
		],
	},
}

# Scheduled Tasks
# ---------------

scheduler_events = {
	"cron": {
		# tickets nobody accepted within After-Sales Settings' accept timeout
		# and the outbox's messages that are due (retries, and those whose job was lost)
		"* * * * *": [
			"aftersales_app.field_service.dispatch.release_overdue_acceptances",
			"aftersales_app.notifications.outbox.deliver_due",
			# warnings, escalations and state limits whose moment has passed
			"aftersales_app.tickets.escalation.escalate_due",
		],
		# satisfaction surveys whose delay has passed, and expired links
		"*/5 * * * *": ["aftersales_app.customer_care.surveys.send_due"],
	},
	# one digest an hour of the notifications marked Hourly Digest
	"hourly": ["aftersales_app.notifications.outbox.send_digests"],
	# birthday greetings to the contacts of customers
	"daily": [
		"aftersales_app.customer_care.lifecycle.send_birthday_greetings",
		# customers whose last service or purchase crossed a lifecycle threshold
		"aftersales_app.customer_care.lifecycle.update_lifecycles",
		# customers whose tag rules' time windows moved past what earned them the tag
		"aftersales_app.customer_care.tags.refresh_windows",
		# check-up offers due by service period or ERPNext maintenance schedule
		"aftersales_app.customer_care.maintenance_reminders.offer_due",
	],
}

# Testing
# -------

before_tests = "aftersales_app.demo.site.complete_setup"

# Request Events
# ----------------
# pages whose address carries a one-time token send no Referer with it (aftersales_app.portal.token_pages)
after_request = ["aftersales_app.portal.token_pages.after_request"]

# User Data Protection
# --------------------

# Automatically update python controller files with type annotations for this app.
export_python_type_annotations = True
