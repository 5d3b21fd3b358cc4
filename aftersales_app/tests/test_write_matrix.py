"""The generated write matrix (issue: staff trust boundary): for every role, every DocType of the app
and every field, a REST `PUT` of that field alone, and again together with the field that says
whose the document is, against a live server (a table is sent empty, its rows taken away). After each request the row is read back; a change
that the role may not make is a violation:

- the role may not write the document (it cannot read it, or its rules deny the write);
- the field sent is one the app owns (computed, set by an action, read-only on the form) or says
  whose the document is;
- the field sent has a permission level the role may not write.

Changes the role may make are counted and undone. The test prints how many requests it made and
what it found, and fails on any violation."""

import datetime
import json

import pytest
import requests

import frappe
from frappe.model import no_value_fields, table_fields

from aftersales_app.tests import world
from aftersales_app.tests.utils import as_user, remove_ticket_and_money, returned_ticket

TECH, OTHER_TECH = world.TECH, world.TECH_B
AGENT, MANAGER, FINANCE = world.AGENT, world.MANAGER, world.FINANCE
CUSTOMER, OTHER_CUSTOMER = world.PORTAL_USER, world.PORTAL_USER_B
ROLES = {
	"technician": TECH,
	"another technician": OTHER_TECH,
	"agent": AGENT,
	"manager": MANAGER,
	"finance": FINANCE,
	"customer": CUSTOMER,
	"another customer": OTHER_CUSTOMER,
	"guest": None,
}
# who may write each document of the set-up (row rules and role permissions together)
WRITERS = {
	"Service Ticket": {"technician", "agent", "manager", "finance"},
	"Service Visit": {"technician", "agent", "manager"},
	"Service Payment": {"technician", "agent", "manager", "finance"},
	"Service Contact Log": {"technician", "agent", "manager"},
	"Service Ticket Status Log": set(),
	"Service Technician": {"manager"},
	"Service Ticket Type": {"manager"},
	"Service Skill": {"manager"},
	"After-Sales Settings": {"manager"},
}
# permission levels above 0 of Service Ticket: who writes them
LEVEL_WRITERS = {1: {"agent", "manager"}, 2: {"agent", "manager"}}
# what says whose a document is, and the value each role would like it to have
OWNERSHIP = {
	"Service Ticket": "assigned_technician",
	"Service Visit": "technician",
	"Service Payment": "collected_by",
	"Service Contact Log": "ticket",
	"Service Ticket Status Log": "ticket",
}


def app_owned(doctype: str) -> set[str]:
	"""Fields no client changes: the controller's computed and action fields, read-only fields,
	and the workflow's own."""
	meta = frappe.get_meta(doctype)
	owned = {df.fieldname for df in meta.fields if df.read_only}
	controller = frappe.get_doc({"doctype": doctype}).__class__ if not meta.issingle else None
	for attr in ("computed_fields", "action_fields"):
		owned |= set(getattr(controller, attr, ()) or ())
	if doctype in OWNERSHIP:
		owned.add(OWNERSHIP[doctype])
	return owned | {"status", "workflow_state", "naming_series"}


def other_value(df, current, role_user):
	"""A value for `df` that differs from `current` and that a client could send."""
	if df.fieldtype in ("Check",):
		return 0 if current else 1
	if df.fieldtype in ("Int",):
		return (current or 0) + 7
	if df.fieldtype in ("Float", "Currency", "Percent"):
		return (current or 0) + 7.5
	if df.fieldtype == "Date":
		return "2001-02-03"
	if df.fieldtype == "Datetime":
		return "2001-02-03 04:05:06"
	if df.fieldtype == "Time":
		return "04:05:06"
	if df.fieldtype == "Select":
		options = [o for o in (df.options or "").split("\n") if o and o != current]
		return options[0] if options else "x"
	if df.fieldtype == "Link":
		if df.options == "User" and role_user:
			return role_user if role_user != current else "Administrator"
		if (
			df.options == "Service Technician"
			and role_user
			and frappe.db.exists("Service Technician", role_user)
		):
			return role_user if role_user != current else OTHER_TECH
		found = frappe.get_all(df.options, filters={"name": ("!=", current or "")}, pluck="name", limit=1)
		return found[0] if found else "x"
	if df.fieldtype in ("Attach", "Attach Image"):
		return "/files/matrix.png"
	if df.fieldtype == "Signature":
		return "data:image/png;base64,iVBORw0KGgo="
	return f"矩阵 {df.fieldname}"


def normal(value):
	if isinstance(value, datetime.datetime | datetime.date | datetime.timedelta):
		return str(value)
	if isinstance(value, float):
		return round(value, 6)
	return value


@pytest.fixture(scope="module")
def documents():
	"""A charged ticket of the demo technician with its visit, a payment, a contact log and its
	status log; and one record of each configuration DocType."""
	ticket = returned_ticket()
	visit = frappe.get_all("Service Visit", filters={"ticket": ticket.name}, pluck="name")[0]
	from frappe.model.workflow import apply_workflow

	as_user(AGENT, apply_workflow, ticket, "确认解决")
	payment = as_user(
		TECH,
		lambda: frappe.get_doc(
			{
				"doctype": "Service Payment",
				"service_ticket": ticket.name,
				"amount": 100,
				"mode_of_payment": frappe.db.get_value("Mode of Payment", {"type": "Cash"}, "name"),
				"collected_on": frappe.utils.nowdate(),
			}
		).insert(),
	)
	log = as_user(
		AGENT,
		lambda: frappe.get_doc(
			{
				"doctype": "Service Contact Log",
				"ticket": ticket.name,
				"direction": "Outbound",
				"channel": "Phone",
				"summary": "回访",
			}
		).insert(),
	)
	status_log = frappe.get_all("Service Ticket Status Log", filters={"ticket": ticket.name}, pluck="name")[0]
	frappe.db.commit()
	yield {
		"Service Ticket": ticket.name,
		"Service Visit": visit,
		"Service Payment": payment.name,
		"Service Contact Log": log.name,
		"Service Ticket Status Log": status_log,
		"Service Technician": TECH,
		"Service Ticket Type": "Repair",
		"Service Skill": frappe.get_all("Service Skill", pluck="name", limit=1)[0],
		"After-Sales Settings": "After-Sales Settings",
	}
	frappe.db.rollback()
	frappe.delete_doc("Service Contact Log", log.name, force=True, ignore_permissions=True)
	remove_ticket_and_money(ticket.name)


def child_rows(df, name: str) -> list[dict]:
	return frappe.get_all(
		df.options, filters={"parent": name, "parentfield": df.fieldname}, fields=["*"], order_by="idx"
	)


def read_row(doctype: str, name: str, fields: list) -> dict:
	"""The values of `fields` as stored; a table as the names of its rows."""
	frappe.db.rollback()
	meta = frappe.get_meta(doctype)
	values = {}
	plain = [df.fieldname for df in fields if df.fieldtype not in table_fields]
	if meta.issingle:
		doc = frappe.get_single(doctype)
		values = {f: normal(doc.get(f)) for f in plain}
	elif plain:
		row = frappe.db.get_value(doctype, name, plain, as_dict=True)
		values = {f: normal(row.get(f)) for f in plain}
	for df in fields:
		if df.fieldtype in table_fields:
			values[df.fieldname] = tuple(r.name for r in child_rows(df, name))
	return values


def restore(doctype: str, name: str, values: dict, tables: dict):
	"""Put back what an accepted change changed (`tables`: the rows of each table as they were)."""
	meta = frappe.get_meta(doctype)
	plain = {f: v for f, v in values.items() if f not in tables}
	if meta.issingle:
		for field, value in plain.items():
			frappe.db.set_single_value(doctype, field, value)
	elif plain:
		frappe.db.set_value(doctype, name, plain, update_modified=False)
	for field in set(values) & set(tables):
		df = meta.get_field(field)
		frappe.db.delete(df.options, {"parent": name, "parentfield": field})
		for row in tables[field]:
			frappe.get_doc({**row, "doctype": df.options}).db_insert()
	frappe.db.commit()
	frappe.clear_document_cache(doctype, name)


def test_no_role_changes_what_it_may_not(api_url, api_headers, documents, report):
	headers = {
		role: (api_headers(user) if user else {"Accept": "application/json"}) for role, user in ROLES.items()
	}
	requests_made, changes, violations, server_errors = 0, 0, [], []
	for doctype, name in documents.items():
		meta = frappe.get_meta(doctype)
		fields = [
			df for df in meta.fields if df.fieldtype not in no_value_fields or df.fieldtype in table_fields
		]
		fieldnames = [df.fieldname for df in fields]
		owned = app_owned(doctype)
		baseline = read_row(doctype, name, fields)
		tables = {df.fieldname: child_rows(df, name) for df in fields if df.fieldtype in table_fields}
		for role, user in ROLES.items():
			for df in fields:
				current = baseline[df.fieldname]
				if df.fieldtype in table_fields and not current:
					continue  # an empty table: nothing to take away
				# a table is sent empty: its rows taken away
				body = {df.fieldname: [] if df.fieldtype in table_fields else other_value(df, current, user)}
				bodies = [body]
				if doctype in OWNERSHIP and df.fieldname != OWNERSHIP[doctype]:
					own_df = meta.get_field(OWNERSHIP[doctype])
					bodies.append(
						{**body, own_df.fieldname: other_value(own_df, baseline[own_df.fieldname], user)}
					)
				for sent in bodies:
					answer = requests.put(
						f"{api_url}/api/resource/{doctype}/{name}",
						data=json.dumps(sent, default=str),
						headers={**headers[role], "Content-Type": "application/json"},
						timeout=60,
					)
					requests_made += 1
					if answer.status_code >= 500:
						server_errors.append(
							(role, doctype, sorted(sent), answer.json().get("exception", "")[:160])
						)
					after = read_row(doctype, name, fields)
					changed = {f: (baseline[f], after[f]) for f in fieldnames if after[f] != baseline[f]}
					if not changed:
						continue
					changes += 1
					for field, (old, new) in changed.items():
						# what the app computes from an allowed edit may change with it (a new
						# serial number, a new warranty); what was sent may not, where it is the app's
						level = meta.get_field(field).permlevel or 0
						if role not in WRITERS[doctype] or (
							field in sent
							and (field in owned or (level and role not in LEVEL_WRITERS.get(level, set())))
						):
							violations.append((role, doctype, field, old, new, sorted(sent)))
					restore(doctype, name, {f: baseline[f] for f in changed}, tables)
	report(
		f"write matrix: {requests_made} requests, {changes} accepted changes, {len(violations)} violations,"
		f" {len(server_errors)} server errors"
	)
	assert requests_made > 1000
	assert not violations, violations[:20]
	assert not server_errors, server_errors[:20]
