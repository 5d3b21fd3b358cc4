"""Row-level rules of the app's DocTypes (permission_query_conditions and has_permission hooks).

Each rule decides on the stored document: Frappe calls `has_permission(doc)` on a document that
already carries the client's edits (a REST `PUT` applies them before it saves), so ownership is
read from the database, never from `doc`. Ownership fields themselves change only through the
app's actions (aftersales_app.core.app_fields).

- Service Ticket: customer service, managers and finance see every ticket; a technician reads the
  tickets assigned or offered in transfer to them and the pool, and writes only those assigned to
  them; a portal customer reads the tickets of the customers they act for.
- Service Visit, Service Payment: a technician's own records and those of the tickets assigned to
  them.
- Service Contact Log, Service Ticket Status Log: like their ticket (a log of a ticket you cannot
  read is not yours to read); the status log is written by the app alone.
- File attached to these: written by who may write the document; a portal customer reads their
  own uploads and the staff files marked for the customer.
- A pool ticket opened by a technician it is not assigned or offered to comes without the
  customer's phone, e-mail, contact and address (they wait until it is grabbed).
- Child tables queried on their own (Service Visit Part / Photo, Service Return Step, Contact
  Phone / Email, Dynamic Link, Portal User) follow their parent's whole list rule.
- Customer, Contact, Address, Serial No: a field technician reads those of the tickets assigned or
  offered in transfer to them (and serial numbers nobody owns); agents, managers, finance and
  ERPNext's own roles as their roles allow.

Frappe's counting and look-up methods that skip these rules are replaced by rule-abiding ones
(aftersales_app.overrides.client).
"""

import frappe
from frappe.model.document import Document
from frappe.query_builder import DocType
from frappe.utils import cint

from aftersales_app.core import roles

TICKET_OWNERSHIP = ("assigned_technician", "transfer_to", "in_pool", "customer")
# documents whose files follow the rules here
TICKET_DOCTYPES = ("Service Ticket", "Service Visit", "Service Payment", "Service Contact Log")


def has_app_permission() -> bool:
	"""Show the app on /apps to the after-sales roles (and System Manager, who configures it)."""
	return roles.has_any(roles.APP_USERS)


def sees_all_tickets(user: str) -> bool:
	return roles.has_any(roles.SEE_ALL, user)


def stored(doc, fields: tuple[str, ...]) -> frappe._dict:
	"""`fields` of `doc` as the database has them; a document not saved yet has only its own."""
	if not doc.get("name") or (hasattr(doc, "is_new") and doc.is_new()):
		return frappe._dict({f: doc.get(f) for f in fields})
	row = frappe.db.get_value(doc.doctype, doc.name, list(fields), as_dict=True)
	return row or frappe._dict({f: doc.get(f) for f in fields})


def portal_customers(user: str | None = None) -> list[str]:
	"""The Customers a portal user acts for: those linked to the user's Contact (Contact.user →
	its Dynamic Links, how Frappe's "Invite as User" connects a contact), and those listing the
	user among their Portal Users (ERPNext v15's own portal list, read by
	erpnext.controllers.website_list_for_contact.get_customers_suppliers). No new tables."""
	user = user or frappe.session.user
	if user in ("Guest", None):
		return []
	query, link, contact = _customer_contacts()
	through_contact = query.select(link.link_name).where(contact.user == user).run(pluck=True)
	portal_user = DocType("Portal User")
	through_portal_users = (
		frappe.qb.from_(portal_user)
		.select(portal_user.parent)
		.where((portal_user.parenttype == "Customer") & (portal_user.user == user))
		.run(pluck=True)
	)
	return sorted(set(through_contact) | set(through_portal_users))


def customer_users(customer: str) -> list[str]:
	"""The portal users who act for a customer (the reverse of portal_customers)."""
	query, link, contact = _customer_contacts()
	users = (
		query.select(contact.user)
		.where((link.link_name == customer) & contact.user.isnotnull())
		.run(pluck=True)
	)
	portal_user = DocType("Portal User")
	users += (
		frappe.qb.from_(portal_user)
		.select(portal_user.user)
		.where((portal_user.parenttype == "Customer") & (portal_user.parent == customer))
		.run(pluck=True)
	)
	return sorted({u for u in users if u})


def _customer_contacts():
	"""Contacts joined to the Customers they are linked to: (query, Dynamic Link, Contact)."""
	contact = DocType("Contact")
	link = DocType("Dynamic Link")
	query = (
		frappe.qb.from_(link)
		.join(contact)
		.on(contact.name == link.parent)
		.where((link.parenttype == "Contact") & (link.link_doctype == "Customer"))
	)
	return query, link, contact


def is_portal_customer(user: str | None = None) -> bool:
	"""A customer's portal user, with no staff role besides."""
	user = user or frappe.session.user
	user_roles = roles.roles_of(user)
	return (
		user != "Administrator"
		and roles.CUSTOMER in user_roles
		and not user_roles & {*roles.SEE_ALL, roles.TECHNICIAN}
	)


# --- Service Ticket ------------------------------------------------------------------------------


def ticket_query_conditions(user: str | None = None) -> str:
	"""List filter of Service Ticket (permission_query_conditions hook)."""
	user = user or frappe.session.user
	if sees_all_tickets(user):
		return ""
	user_roles = roles.roles_of(user)
	conditions = []
	if roles.TECHNICIAN in user_roles:
		me = frappe.db.escape(user)
		# not the pool: a list, count or filter cannot hide a column per row, so the pool's phones
		# and addresses would be selected and filtered on; technicians see the pool through
		# aftersales_app.api.dispatch.get_pool (the desk's 工单池 page), and open a pool ticket
		# without its contact details (ticket_has_permission)
		conditions.append(
			f"`tabService Ticket`.assigned_technician = {me} or `tabService Ticket`.transfer_to = {me}"
		)
	if roles.CUSTOMER in user_roles:
		customers = portal_customers(user)
		conditions.append(
			"`tabService Ticket`.customer in ({})".format(", ".join(frappe.db.escape(c) for c in customers))
			if customers
			else "1 = 0"
		)
	return " or ".join(f"({c})" for c in conditions) if conditions else ""


def ticket_has_permission(doc, ptype: str = "read", user: str | None = None) -> bool:
	"""Single-document counterpart of ticket_query_conditions (has_permission hook), on the stored
	ticket: a technician reads their own, the offered and the pool tickets and writes their own."""
	user = user or frappe.session.user
	if sees_all_tickets(user) or ptype == "create":
		return True  # role permissions decide (technicians and customers have no create right)
	user_roles = roles.roles_of(user)
	if roles.TECHNICIAN not in user_roles and roles.CUSTOMER not in user_roles:
		return True
	if (
		isinstance(doc, Document)
		and doc.flags.aftersales_details_withheld
		and ptype not in ("read", "select")
	):
		return False
	row = stored(doc, TICKET_OWNERSHIP)
	reading = ptype in ("read", "print", "email", "select")
	if roles.TECHNICIAN in user_roles:
		if row.assigned_technician == user:
			return True
		if reading and row.transfer_to == user:
			return True
		if row.in_pool and ptype in ("read", "select"):
			# the pool shows the job, not the customer's phone and address: they wait until it
			# is grabbed (and a pool ticket is not printed or e-mailed by a technician who may
			# still pass it by)
			withhold_pool_details(doc)
			return True
	return (
		roles.CUSTOMER in user_roles
		and reading
		and bool(row.customer)
		and row.customer in portal_customers(user)
	)


# what a technician who has not grabbed a pool ticket does not read of it
POOL_WITHHELD = ("contact", "contact_display", "contact_phone", "raised_by", "address", "address_display")


def withhold_pool_details(doc):
	"""Blank the customer's contact details on a pool ticket read by a technician it is not assigned
	or offered to. Called by the read check itself, on the document about to be returned (REST
	`GET /api/resource`, the desk form, `frappe.client.get`). The technician has no write right
	on a ticket not assigned to them, and a document blanked here refuses any check but reading."""
	if not isinstance(doc, Document):
		return
	for fieldname in POOL_WITHHELD:
		doc.set(fieldname, None)
	doc.flags.aftersales_details_withheld = True


def ticket_assignee(ticket: str | None) -> str | None:
	return frappe.db.get_value("Service Ticket", ticket, "assigned_technician") if ticket else None


def _blank_form(doc, ptype: str | None, ticket: str | None) -> bool:
	"""A form not saved yet whose ticket is not chosen: Frappe asks for write on such a document
	when a file is uploaded before the first save (the proof photo). The role's right answers
	then; the insert itself is checked with its ticket."""
	return ptype in ("create", "write") and not ticket and not doc.get("creation")


# --- a technician's share of a ticket's records --------------------------------------------------


def _technician_work_query(doctype: str, own_field: str | None, ticket_field: str, user: str | None) -> str:
	"""A technician's share of a ticket's records: those that are theirs (`own_field`) and those of
	the tickets assigned to them (`ticket_field`); staff see all ("")."""
	user = user or frappe.session.user
	if not roles.is_technician_only(user):
		return ""
	ticket = frappe.qb.DocType("Service Ticket")
	own_tickets = frappe.qb.from_(ticket).select(ticket.name).where(ticket.assigned_technician == user)
	condition = f"`tab{doctype}`.`{ticket_field}` in ({own_tickets.get_sql()})"
	if own_field:
		condition = f"`tab{doctype}`.`{own_field}` = {frappe.db.escape(user)} or {condition}"
	return f"({condition})"


def service_visit_query(user: str | None = None) -> str:
	"""List condition for Service Visit: a technician sees the visits they make and the visits of
	the tickets assigned to them."""
	return _technician_work_query("Service Visit", "technician", "ticket", user)


def has_service_visit_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""A technician may open and edit a visit when it is theirs or its ticket is assigned to them,
	and make visits of their own tickets; other roles follow their role permissions (None)."""
	user = user or frappe.session.user
	if not roles.is_technician_only(user):
		return None
	row = stored(doc, ("technician", "ticket"))
	if _blank_form(doc, ptype, row.ticket):
		return None
	if row.technician == user and ptype != "create":
		return True
	return ticket_assignee(row.ticket) == user


def service_payment_query(user: str | None = None) -> str:
	"""List condition for Service Payment: a technician sees the payments they collected and the
	payments of the tickets assigned to them."""
	return _technician_work_query("Service Payment", "collected_by", "service_ticket", user)


def has_service_payment_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""A technician records payments for the tickets assigned to them and reads the ones they
	collected; other roles follow their role permissions (None: no opinion)."""
	user = user or frappe.session.user
	if not roles.is_technician_only(user):
		return None
	row = stored(doc, ("collected_by", "service_ticket"))
	if _blank_form(doc, ptype, row.service_ticket):
		return None
	if row.collected_by == user and ptype in ("read", "print"):
		return True
	return ticket_assignee(row.service_ticket) == user


def service_return_query(user: str | None = None) -> str:
	"""List condition for Service Return: a technician sees the returns of the tickets assigned to
	them."""
	return _technician_work_query("Service Return", None, "service_ticket", user)


def has_service_return_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""A technician reads the returns of the tickets assigned to them and writes none (their
	inspection is an action: aftersales_app.api.returns.inspect); other roles follow their role
	permissions (None)."""
	user = user or frappe.session.user
	if not roles.is_technician_only(user):
		return None
	if ptype not in ("read", "print", "select"):
		return False
	return ticket_assignee(stored(doc, ("service_ticket",)).service_ticket) == user


def contact_log_query(user: str | None = None) -> str:
	"""List condition for Service Contact Log: a technician sees the logs of their tickets."""
	user = user or frappe.session.user
	if not roles.is_technician_only(user):
		return ""
	ticket = frappe.qb.DocType("Service Ticket")
	readable = (
		frappe.qb.from_(ticket)
		.select(ticket.name)
		.where((ticket.assigned_technician == user) | (ticket.transfer_to == user))
	)
	return f"(`tabService Contact Log`.`ticket` in ({readable.get_sql()}))"


def has_contact_log_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""A technician reads the logs of the tickets assigned or offered to them, and logs contacts
	only on the tickets assigned to them."""
	user = user or frappe.session.user
	if not roles.is_technician_only(user):
		return None
	row = stored(doc, ("ticket",))
	if not row.ticket:
		return False
	ticket = frappe.db.get_value(
		"Service Ticket", row.ticket, ["assigned_technician", "transfer_to"], as_dict=True
	)
	if not ticket:
		return False
	if ptype in ("read", "print", "select"):
		return user in (ticket.assigned_technician, ticket.transfer_to)
	return ticket.assigned_technician == user


def status_log_query(user: str | None = None) -> str:
	"""List condition for Service Ticket Status Log: the logs of the tickets the user may see."""
	user = user or frappe.session.user
	tickets = ticket_query_conditions(user)
	if not tickets:
		return ""
	return (
		f"(`tabService Ticket Status Log`.`ticket` in (select name from `tabService Ticket` where {tickets}))"
	)


def has_status_log_permission(doc, ptype: str | None = None, user: str | None = None) -> bool:
	"""Read like the ticket; written by the app alone (no role may write it)."""
	user = user or frappe.session.user
	if ptype not in ("read", "print", "select", "report", "export"):
		return False
	ticket = stored(doc, ("ticket",)).ticket
	return bool(ticket) and frappe.has_permission("Service Ticket", "read", ticket, user=user)


# --- files ---------------------------------------------------------------------------------------


def has_file_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""Files of the app's documents: attached, replaced or deleted by who may write the document;
	a portal customer reads only their own uploads and staff files marked *Visible to Customer*.
	Frappe's own File rules apply after (None: no objection)."""
	user = user or frappe.session.user
	if user == "Administrator":
		return None
	row = stored(doc, ("attached_to_doctype", "attached_to_name", "owner", "customer_visible"))
	if row.attached_to_doctype not in TICKET_DOCTYPES or not row.attached_to_name:
		return None
	# only ever a denial: Frappe's own File rule (which reads the attached document) runs after
	if ptype in ("write", "create", "delete", "cancel", "submit", "amend"):
		if not frappe.db.exists(row.attached_to_doctype, row.attached_to_name):
			# a form not saved yet (its temporary name): the right to make one, as Frappe's upload
			# asks; Frappe links the file to the document when it is saved
			if not frappe.new_doc(row.attached_to_doctype).has_permission("write", user=user):
				return False
		elif not frappe.has_permission(row.attached_to_doctype, "write", row.attached_to_name, user=user):
			return False
	elif is_portal_customer(user) and not (row.owner == user or row.customer_visible):
		return False
	return None


# --- child rows follow their parent's row rule ---------------------------------------------------


def child_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""List condition of a child table queried on its own (`frappe.client.get_list` with `parent=`,
	reportview with `parent_doctype`): Frappe checks only the right to read the parent DocType and
	then applies the child's own conditions, so without this the rows of visits, returns or
	contacts the user cannot open are listed. Each parent DocType holding the table adds its whole
	list rule (role, owner, User Permissions, row rules, shares) on the row's parent; rows of a
	parent DocType the user may not read at all are left out."""
	from frappe.model.db_query import DatabaseQuery

	user = user or frappe.session.user
	if not doctype or user == "Administrator":
		return ""
	conditions = []
	for parent in _parents_of(doctype):
		other_parent = f"`tab{doctype}`.`parenttype` != {frappe.db.escape(parent)}"
		meta = frappe.get_meta(parent)
		if not (
			frappe.has_permission(parent, "select", user=user)
			or frappe.has_permission(parent, "read", user=user)
		):
			conditions.append(other_parent)
			continue
		if meta.issingle or meta.get("is_virtual"):
			continue
		query = DatabaseQuery(parent, user=user)
		rule = query.build_match_conditions()
		# a user who reads the parent only through shares gets the share condition here
		rule = " and ".join(f"({c})" for c in (*query.conditions, rule) if c)
		if rule:
			readable = f"select `name` from `tab{parent}` where {rule}"
			conditions.append(f"({other_parent} or `tab{doctype}`.`parent` in ({readable}))")
	return " and ".join(f"({c})" for c in conditions)


def _parents_of(child: str) -> list[str]:
	"""The DocTypes (standard and customised) that hold `child` as a table."""
	field, custom = DocType("DocField"), DocType("Custom Field")
	table_types = ["Table", "Table MultiSelect"]
	parents = (
		frappe.qb.from_(field)
		.select(field.parent)
		.where((field.options == child) & field.fieldtype.isin(table_types))
		.run(pluck=True)
	)
	parents += (
		frappe.qb.from_(custom)
		.select(custom.dt)
		.where((custom.options == child) & custom.fieldtype.isin(table_types))
		.run(pluck=True)
	)
	return sorted(set(parents))


# --- people's details: Customer, Contact, Address, Serial No -------------------------------------

PEOPLE = ("Customer", "Contact", "Address", "Serial No")


def narrows_people(doctype: str, user: str) -> bool:
	"""Whether `user` reads `doctype` (one of PEOPLE) only within their work: a field technician
	whose right to read it comes from the technician role alone. A role of ERPNext's that grants it
	(Sales User, Stock User, Accounts User …) keeps what ERPNext gives it."""
	if not roles.is_technician_only(user):
		return False
	others = roles.roles_of(user) - {roles.TECHNICIAN}
	return not any(
		p.role in others and not cint(p.permlevel) and (p.read or p.select) and not p.if_owner
		for p in frappe.get_meta(doctype).permissions
	)


def _work_tickets(user: str):
	"""The tickets whose customer's details a technician needs: assigned or offered in transfer
	to them (a pool ticket's details wait until it is grabbed)."""
	ticket = DocType("Service Ticket")
	return ticket, frappe.qb.from_(ticket).where(
		(ticket.assigned_technician == user) | (ticket.transfer_to == user)
	)


def _in(doctype: str, field: str, query) -> str:
	return f"`tab{doctype}`.`{field}` in ({query.get_sql()})"


def _people_conditions(doctype: str, user: str) -> list[str]:
	"""The rows of `doctype` a technician's work needs, as SQL conditions (any one suffices)."""
	ticket, tickets = _work_tickets(user)
	customers = tickets.select(ticket.customer)
	if doctype == "Customer":
		return [_in(doctype, "name", customers)]
	if doctype in ("Contact", "Address"):
		link = DocType("Dynamic Link")
		linked = (
			frappe.qb.from_(link)
			.select(link.parent)
			.where(
				(link.parenttype == doctype)
				& (link.link_doctype == "Customer")
				& link.link_name.isin(customers)
			)
		)
		own = tickets.select(ticket.contact if doctype == "Contact" else ticket.address)
		return [_in(doctype, "name", own), _in(doctype, "name", linked)]
	# Serial No: the units of the technician's tickets, visits and returns; a unit no customer
	# owns (stock, the technician's van) carries nobody's details
	visit, ret = DocType("Service Visit"), DocType("Service Return")
	ticket_names = tickets.select(ticket.name)
	visits = frappe.qb.from_(visit).where((visit.technician == user) | visit.ticket.isin(ticket_names))
	returns = frappe.qb.from_(ret).where(ret.service_ticket.isin(ticket_names))
	units = [
		tickets.select(ticket.serial_no),
		tickets.select(ticket.faulty_serial_no),
		tickets.select(ticket.replacement_serial_no),
		visits.select(visit.faulty_serial_no),
		visits.select(visit.replacement_serial_no),
		returns.select(ret.serial_no),
		returns.select(ret.replacement_serial_no),
	]
	return ["ifnull(`tabSerial No`.`customer`, '') = ''", *(_in(doctype, "name", q) for q in units)]


def people_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""List condition of Customer, Contact, Address and Serial No: a field technician reads those
	of the tickets assigned or offered in transfer to them; everyone else as their roles allow."""
	user = user or frappe.session.user
	if doctype not in PEOPLE or not narrows_people(doctype, user):
		return ""
	return "(" + " or ".join(_people_conditions(doctype, user)) + ")"


def has_people_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""Single-document counterpart of people_query_conditions: the stored row is opened when the
	user's list would show it (the same query), so a form opens exactly what the list shows. Only
	ever a denial (None otherwise), so that Frappe's own rules on Contact and Address still run."""
	user = user or frappe.session.user
	if not doc.get("name") or doc.is_new() or not narrows_people(doc.doctype, user):
		return None
	listed = frappe.get_list(doc.doctype, filters={"name": doc.name}, pluck="name", limit=1, user=user)
	return None if listed else False


# --- the workflow the after-sales manager edits ---------------------------------------------------


def _workflow_editor_only(user: str) -> bool:
	"""A user who edits workflows through the after-sales role alone (not a System Manager)."""
	user_roles = roles.roles_of(user)
	return roles.MANAGER in user_roles and roles.SYSTEM_MANAGER not in user_roles


def app_doctypes() -> list[str]:
	"""The DocTypes of this app (its modules)."""
	return frappe.get_all(
		"DocType",
		filters={"module": ("in", frappe.get_module_list("aftersales_app")), "istable": 0},
		pluck="name",
	)


def workflow_query(user: str | None = None) -> str:
	"""List condition for Workflow: the after-sales manager sees the workflows of the app's
	DocTypes (the ticket's), not those of ERPNext's documents; a System Manager sees all."""
	user = user or frappe.session.user
	if user == "Administrator" or not _workflow_editor_only(user):
		return ""
	doctypes = ", ".join(frappe.db.escape(d) for d in app_doctypes())
	return f"`tabWorkflow`.`document_type` in ({doctypes})"


def has_workflow_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""A Workflow of the app's DocTypes for the after-sales manager, whatever it is renamed to;
	others follow their role permissions (None)."""
	user = user or frappe.session.user
	if user == "Administrator" or not _workflow_editor_only(user):
		return None
	if doc.get("document_type") not in app_doctypes():
		return False
	if ptype == "write" and not doc.is_new():
		# the DocType a stored workflow runs on stays (a workflow moved to an ERPNext document)
		stored_type = frappe.db.get_value("Workflow", doc.name, "document_type")
		if stored_type and stored_type != doc.document_type:
			return False
	return None
