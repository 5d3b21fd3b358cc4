"""Ticket templates (工单模板, seed 003) are Frappe customisation, not an engine of the app's own:
a type's fields are Custom Fields of Service Ticket whose *Depends On* and *Mandatory Depends On*
name the type (`eval:doc.ticket_type=="Installation"`), its handlers an Assignment Rule
(aftersales_app.tickets.agents), its actions Workflow transitions with a condition on `doc.ticket_type`.
The app ships examples (aftersales_app.tickets.setup.ticket_templates).

What Frappe leaves to the browser is done here: Frappe v15 checks *Mandatory Depends On* in the
desk form only, never on the server, so a REST or frappe.client insert, a Data Import or a script
would save a ticket without the fields its type requires. `check_mandatory_fields` checks every
field of Service Ticket that carries one (the examples, fields an admin adds in Customize Form,
Property Setters on standard fields) as the desk form does, on every path:

- a ticket registered by staff, and every staff save of a ticket's fields, must carry them;
- a workflow move is not held up by them (the desk's workflow buttons do not check either, and
  Frappe's apply_workflow saves the stored ticket with its new state), nor are the app's own flows
  (dispatch, grab, the timeout job, the return slip, payments), nor migrations;
- requests that customers file come in without them (the portal's request form, e-mail, a
  check-up they accept, the complaint their survey opens): customers do not know a site survey's
  answers; customer service fills them in when it next saves the ticket.

Frappe's form evaluates an `eval:` condition as JavaScript; the server reads the kind Customize
Form users write (comparisons, `&&`, `||`, `!`, `true`/`false`/`null`, `[…].includes(…)`) as
Python, and refuses to save a condition on Service Ticket it cannot read."""

import re
from functools import lru_cache

import frappe
from frappe import _
from frappe.model import no_value_fields, numeric_fieldtypes, table_fields
from frappe.utils import cstr, escape_html, strip_html

TICKET = "Service Ticket"

_STRING = re.compile(r"""("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')""")
_INCLUDES = re.compile(r"(\[[^\[\]]*\])\s*\.\s*includes\(\s*([^()]*?)\s*\)")
# JavaScript's words and operators as Python's, applied outside string literals in this order
_JS_TO_PYTHON = (
	(re.compile(r"==="), "=="),
	(re.compile(r"!=="), "!="),
	(re.compile(r"&&"), " and "),
	(re.compile(r"\|\|"), " or "),
	(re.compile(r"!(?!=)"), " not "),
	(re.compile(r"\btrue\b"), "True"),
	(re.compile(r"\bfalse\b"), "False"),
	(re.compile(r"\b(?:null|undefined)\b"), "None"),
)


class UnreadableConditionError(frappe.ValidationError):
	pass


@lru_cache(maxsize=256)
def python_of(expression: str) -> str:
	"""The JavaScript of an `eval:` condition as a Python expression."""
	code = _INCLUDES.sub(r"in_list(\1, \2)", expression.strip()[len("eval:") :])
	parts = _STRING.split(code)
	for i in range(0, len(parts), 2):  # the even parts are outside string literals
		for pattern, replacement in _JS_TO_PYTHON:
			parts[i] = pattern.sub(replacement, parts[i])
	return "".join(parts).strip()


def holds(expression: str | None, values: dict) -> bool:
	"""Whether a Depends On condition holds for a document's `values` (its as_dict), as the desk
	form decides it: `eval:` code, or the name of a field that must be set."""
	expression = (expression or "").strip()
	if not expression:
		return False
	doc = values if isinstance(values, frappe._dict) else frappe._dict(values)
	if not expression.startswith("eval:"):
		return bool(doc.get(expression))
	return bool(
		frappe.safe_eval(
			python_of(expression),
			{"in_list": lambda items, item: item in (items or [])},
			{"doc": doc},
		)
	)


def has_value(doc, df) -> bool:
	"""Whether a field is filled, as Frappe's own mandatory check reads it."""
	value = doc.get(df.fieldname)
	if value in (None, "", []):
		return False
	text = cstr(value)
	if df.fieldtype == "Text Editor" and "<img" in text:
		return True
	return bool(strip_html(text).strip()) if isinstance(value, str) else True


def conditionally_mandatory(meta) -> list:
	return [
		df
		for df in meta.fields
		if df.mandatory_depends_on and not df.reqd and df.fieldtype not in no_value_fields
	]


def check_mandatory_fields(ticket):
	"""Refuse a save that leaves empty a field the ticket's *Mandatory Depends On* requires."""
	if (
		ticket.flags.ignore_mandatory
		or ticket.flags.app_action
		or ticket.flags.customer_request
		or frappe.flags.in_patch
		or frappe.flags.in_migrate
		or frappe.flags.in_install
		or (not ticket.is_new() and ticket.state_changed())
	):
		return
	fields = conditionally_mandatory(ticket.meta)
	if not fields:
		return
	values = frappe._dict(ticket.as_dict())
	missing = [df for df in fields if not has_value(ticket, df) and _holds_or_not(df, values)]
	if missing:
		frappe.throw(
			_("A ticket of type {0} needs: {1}").format(
				frappe.bold(_(ticket.ticket_type or "")),
				", ".join(frappe.bold(_(df.label or df.fieldname, context=TICKET)) for df in missing),
			),
			frappe.MandatoryError,
			title=_("Missing Fields"),
		)


def _holds_or_not(df, values) -> bool:
	"""A condition saved before it could be checked (by a script, or an older release) and that
	the server cannot read does not block the save: the desk form still asks for the field."""
	try:
		return holds(df.mandatory_depends_on, values)
	except Exception:
		return False


# --- conditions saved in Customize Form ----------------------------------------------------------


def check_condition(expression: str | None, label: str):
	"""Refuse a Mandatory Depends On of Service Ticket that the server cannot read."""
	if not (expression or "").strip():
		return
	sample = frappe._dict({df.fieldname: _empty(df) for df in frappe.get_meta(TICKET).fields})
	try:
		holds(expression, sample)
	except Exception as e:
		frappe.throw(
			_(
				"The server cannot read the Mandatory Depends On of {0} ({1}): write it as {2}, with ==, !=, <, >, &&, ||, !, true, false, null and [...].includes(...), or as the name of a field"
			).format(
				frappe.bold(label),
				frappe.bold(escape_html(cstr(e)) or type(e).__name__),
				'eval:doc.ticket_type=="Installation"',
			),
			UnreadableConditionError,
		)


def _empty(df):
	"""A field of a new ticket as as_dict gives it: numbers 0, tables [], everything else None."""
	if df.fieldtype in numeric_fieldtypes:
		return 0
	return [] if df.fieldtype in table_fields else None


def check_custom_field(doc, method=None):
	"""Custom Field validate (Customize Form saves new and changed custom fields this way)."""
	if doc.dt == TICKET and doc.mandatory_depends_on:
		check_condition(doc.mandatory_depends_on, doc.label or doc.fieldname)


def check_property_setter(doc, method=None):
	"""Property Setter validate (Customize Form keeps changes of standard fields this way)."""
	if doc.doc_type == TICKET and doc.property == "mandatory_depends_on" and doc.value:
		check_condition(doc.value, doc.field_name)
