"""Frappe's counting and looking-up methods, within the row rules (override_whitelisted_methods).

Frappe v15 answers some of its whitelisted reads without the rules every list obeys (the role's
right on the DocType, permission_query_conditions, User Permissions, shares):

- `frappe.client.get_count` counts with `frappe.db.count`: no permission at all, so a filter on
  another customer's ticket (`{"name": …, "contact_phone": ["like", "138%"]}`) answers 1 or 0 and
  spells the phone out digit by digit;
- `frappe.desk.listview.get_group_by_count` for the sidebar's "Assigned To" counts with a query
  of its own, without any check;
- `frappe.desk.search.search_link` / `search_widget` with `ignore_user_permissions=1` drop every
  rule of the list, not only User Permissions;
- `frappe.client.validate_link` says whether any document of that name exists;
- `frappe.desk.notifications.get_open_count` (a form's Connections) counts linked documents with
  `frappe.get_all`.

Each is replaced by the same method answering through `frappe.get_list`, for every DocType (as
Frappe's own `frappe.desk.reportview.get_count` does).
"""

from pypika.terms import Term

import frappe
from frappe import _
from frappe.desk import listview, notifications, search
from frappe.desk.reportview import validate_args
from frappe.model import is_default_field
from frappe.model.base_document import get_controller
from frappe.model.db_query import check_parent_permission
from frappe.model.utils import is_virtual_doctype
from frappe.query_builder import Order
from frappe.query_builder.functions import Count
from frappe.utils import cint, get_safe_filters
from frappe.utils.data import sbool

from aftersales_app.api import endpoint


def _doctype_arg(doctype) -> str:
	"""The DocType a read names: a string naming a DocType of the site, else a clear refusal (Frappe
	answers a wrong name with an import error, a server error)."""
	if not isinstance(doctype, str) or not doctype or not frappe.db.exists("DocType", doctype):
		frappe.throw(
			_("DocType {0} not found").format(frappe.bold(str(doctype)[:140])), frappe.DoesNotExistError
		)
	return doctype


def _json_arg(value, label: str, kinds=(dict, list), rows=True):
	"""A filters-like argument as JSON of the expected shape (None stays None), else a clear refusal."""
	if value is None or value == "":
		return None
	if isinstance(value, str):
		try:
			value = frappe.parse_json(value)
		except ValueError:
			value = frappe  # not JSON: refused below
	if not isinstance(value, kinds):
		frappe.throw(_("{0} is not valid").format(label), frappe.ValidationError)
	if rows and isinstance(value, list) and any(not isinstance(row, list | tuple | dict) for row in value):
		frappe.throw(_("{0} is not valid").format(label), frappe.ValidationError)
	return value


@endpoint()
def get_count(
	doctype: str, filters=None, debug=False, cache=False, distinct=False, parent: str | None = None
) -> int:
	"""`frappe.client.get_count` over the rows the user may read: the DocType's read right, its
	row rules and the user's User Permissions, as `frappe.client.get_list` applies them (a child
	table needs its `parent` DocType, as there). `debug` and `cache` are accepted and ignored: a
	count is per user, and the query is not shown."""
	_doctype_arg(doctype)
	if frappe.is_table(doctype):
		check_parent_permission(parent, doctype)
	args = frappe._dict(doctype=doctype, filters=get_safe_filters(_json_arg(filters, _("Filters"))))
	validate_args(args)
	if is_virtual_doctype(doctype):
		frappe.has_permission(doctype, "read", throw=True)
		return get_controller(doctype).get_count(args)
	name = f"{'distinct ' if sbool(distinct) else ''}`tab{doctype}`.`name`"
	rows = frappe.get_list(
		doctype,
		filters=args.filters,
		fields=[f"count({name}) as total_count"],
		parent_doctype=parent,
		order_by=None,
		limit_page_length=0,
	)
	return cint(rows[0].total_count) if rows else 0


@endpoint()
def get_group_by_count(doctype: str, current_filters: str, field: str) -> list[dict]:
	"""The list sidebar's counts by a field, over the rows the user may read. Frappe counts
	"Assigned To" with a query of its own (no permission, and ToDos of any DocType whose names
	match); here it counts the open ToDos of the readable rows only."""
	_doctype_arg(doctype)
	current_filters = _json_arg(current_filters, _("Filters")) or {}
	if not isinstance(field, str) or not (
		field == "assigned_to" or frappe.get_meta(doctype).has_field(field) or is_default_field(field)
	):
		frappe.throw(_("{0} is not valid").format(_("Field")))
	if field != "assigned_to":
		return listview.get_group_by_count(doctype, frappe.as_json(current_filters), field)
	# the names of the readable rows as Frappe's own list query, permissions applied, values escaped
	readable = frappe.get_list(doctype, filters=current_filters, fields=["name"], order_by=None, run=0)
	todo, user = frappe.qb.DocType("ToDo"), frappe.qb.DocType("User")
	count = Count("*").as_("count")
	return (
		frappe.qb.from_(todo)
		.join(user)
		.on(user.name == todo.allocated_to)
		.select(todo.allocated_to.as_("name"), count)
		.where(
			(todo.status != "Cancelled")
			& (user.user_type == "System User")
			& (todo.reference_type == doctype)
			& todo.reference_name.isin(Query(readable))
		)
		.groupby(todo.allocated_to)
		.orderby(count, order=Order.desc)
		.limit(50)
		.run(as_dict=True)
	)


class Query(Term):
	"""A query Frappe built (`frappe.get_list(..., run=0)`) as a subquery of frappe.qb."""

	def __init__(self, sql: str):
		super().__init__()
		self.sql = sql

	def get_sql(self, **kwargs) -> str:
		return f"({self.sql})"


def _ignores_user_permissions(doctype: str, ignore_user_permissions) -> bool:
	"""Frappe lets a link field whose User Permissions are ignored search with no permission at
	all; a DocType with row rules keeps them."""
	if not sbool(ignore_user_permissions):
		return False
	return not (frappe.get_hooks("permission_query_conditions") or {}).get(doctype)


@endpoint()
def search_link(
	doctype: str,
	txt: str,
	query: str | None = None,
	filters: str | dict | list | None = None,
	page_length: int = 10,
	searchfield: str | None = None,
	reference_doctype: str | None = None,
	ignore_user_permissions: bool = False,
) -> list:
	"""Link search (the desk's link fields), within the row rules of the DocType searched."""
	_doctype_arg(doctype)
	filters = _json_arg(filters, _("Filters"))
	return search.search_link(
		doctype,
		txt,
		query=query,
		filters=filters,
		page_length=page_length,
		searchfield=searchfield,
		reference_doctype=reference_doctype,
		ignore_user_permissions=_ignores_user_permissions(doctype, ignore_user_permissions),
	)


@endpoint()
def search_widget(
	doctype: str,
	txt: str,
	query: str | None = None,
	searchfield: str | None = None,
	start: int = 0,
	page_length: int = 10,
	filters: str | None | dict | list = None,
	filter_fields=None,
	as_dict: bool = False,
	reference_doctype: str | None = None,
	ignore_user_permissions: bool = False,
):
	"""The search box, within the row rules of the DocType searched."""
	_doctype_arg(doctype)
	filters = _json_arg(filters, _("Filters"))
	return search.search_widget(
		doctype,
		txt,
		query=query,
		searchfield=searchfield,
		start=start,
		page_length=page_length,
		filters=filters,
		filter_fields=filter_fields,
		as_dict=as_dict,
		reference_doctype=reference_doctype,
		ignore_user_permissions=_ignores_user_permissions(doctype, ignore_user_permissions),
	)


@endpoint()
def validate_link(doctype: str, docname: str, fields=None):
	"""A link's value checked as Frappe does, except that a document of a DocType with row rules
	the user may not read is answered as missing (Frappe says it exists)."""
	from frappe.client import validate_link as frappe_validate_link

	_doctype_arg(doctype)
	fields = _json_arg(fields, _("Fields"), kinds=(list,), rows=False)
	values = frappe_validate_link(doctype, docname, fields)
	if (
		values.get("name")
		and isinstance(doctype, str)
		and (frappe.get_hooks("permission_query_conditions") or {}).get(doctype)
		and not frappe.get_meta(doctype).istable
		and not frappe.get_list(doctype, filters={"name": values.name}, pluck="name", limit=1)
	):
		return frappe._dict()
	return values


@endpoint()
@frappe.read_only()
def get_open_count(doctype: str, name: str, items=None):
	"""A form's Connections counts, each over the linked documents the user may read (Frappe
	counts every one)."""
	_doctype_arg(doctype)
	items = _json_arg(items, _("Items"), kinds=(list,), rows=False)
	out = notifications.get_open_count(doctype, name, items)
	counts = out.get("count") if isinstance(out, dict) else None
	if not counts:
		return out
	links = frappe.get_meta(doctype).get_dashboard_data()
	for found in counts.get("external_links_found", []):
		fieldname = links.get("non_standard_fieldnames", {}).get(found["doctype"], links.get("fieldname"))
		filters = {fieldname: name}
		if dynamic := notifications.get_dynamic_link_filters(found["doctype"], links, fieldname):
			filters.update(dynamic)
		found["count"] = _readable_count(found["doctype"], filters)
		if open_filters := notifications.get_filters_for(found["doctype"]):
			found["open_count"] = _readable_count(found["doctype"], {**filters, **open_filters})
	return out


def _readable_count(doctype: str, filters: dict) -> int:
	if not frappe.has_permission(doctype, "read"):
		return 0
	return len(
		frappe.get_list(
			doctype,
			filters=filters,
			pluck="name",
			limit=100,
			distinct=True,
			ignore_ifnull=True,
			order_by=None,
		)
	)
