"""Bad input over HTTP, as every role: every whitelisted method of the app and every portal page,
called with missing, empty, over-long, wrongly typed, JSON-shaped, negative, huge and unknown
arguments. No answer is a server error (HTTP 5xx), and where the answer is an error no row of the
app's tables changed. The test prints how many requests it made."""

import importlib
import inspect
import json
import pkgutil

import pytest
import requests

import frappe

import aftersales_app.api
from aftersales_app.core import guest_limits
from aftersales_app.tests import world

ROLES = {
	"technician": world.TECH,
	"agent": world.AGENT,
	"finance": world.FINANCE,
	"customer": world.PORTAL_USER,
	"guest": None,
}
TABLES = (
	"Service Ticket",
	"Service Visit",
	"Service Payment",
	"Service Contact Log",
	"Service Ticket Status Log",
	"Sales Invoice",
	"Payment Entry",
	"Stock Entry",
	"File",
)
BAD_VALUES = [
	"",
	"ST-19990101-0001",
	"x" * 20000,
	'{"name": ["like", "%"]}',
	"[1, 2]",
	"-1",
	"99999999999999999999",
	"<script>1</script>",
	"null",
]
BAD_JSON = [None, {"name": ["like", "%"]}, [1, 2], -1, 10**20, 1.5, True]
FULL_ROLES = ("agent", "customer", "guest")
SAMPLE = [BAD_VALUES[1], BAD_VALUES[2], BAD_VALUES[3], BAD_VALUES[7]]  # a name, long, JSON, markup
JSON_SAMPLE = [BAD_JSON[1], BAD_JSON[2], BAD_JSON[4]]  # a filter, a list, a huge number


def app_methods() -> list:
	"""(dotted path, function) of every whitelisted method the app defines."""
	for module in pkgutil.iter_modules(aftersales_app.api.__path__):
		importlib.import_module(f"aftersales_app.api.{module.name}")
	out = []
	for fn in frappe.whitelisted:
		module = getattr(fn, "__module__", "")
		if module.startswith("aftersales_app"):
			out.append((f"{module}.{fn.__name__}", fn))
	return sorted(out, key=lambda x: x[0])


def params_of(fn) -> list[str]:
	return [
		p.name
		for p in inspect.signature(fn).parameters.values()
		if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
	]


def exception_of(answer) -> str:
	try:
		return (answer.json().get("exception") or "")[:160]
	except ValueError:
		return answer.text[-160:]


def fingerprint() -> tuple:
	frappe.db.rollback()
	out = []
	for doctype in TABLES:
		table = frappe.qb.DocType(doctype)
		out.append(
			tuple(
				frappe.qb.from_(table)
				.select(frappe.qb.functions("count", table.name), frappe.qb.functions("max", table.modified))
				.run()[0]
			)
		)
	return tuple(out)


def test_bad_input_never_makes_a_server_error(api_url, api_headers, report):
	methods = app_methods()
	assert len(methods) > 15, methods
	headers = {role: (api_headers(user) if user else {}) for role, user in ROLES.items()}
	made, errors, server_errors, changed = 0, 0, [], []
	before = fingerprint()
	for role in ROLES:
		for path, fn in methods:
			params = params_of(fn)
			# every bad value as the broadest roles (customer service, the portal's customer, a
			# guest); the narrower staff roles, whose calls mostly stop at the same permission
			# checks, with a sample of each kind
			values, json_values = (BAD_VALUES, BAD_JSON) if role in FULL_ROLES else (SAMPLE, JSON_SAMPLE)
			cases = [("form", {})]
			for param in params:
				cases += [("form", {param: value}) for value in values]
				cases += [("json", {param: value}) for value in json_values]
			cases.append(("form", {p: BAD_VALUES[1] for p in params}))
			for kind, args in cases:
				if path.endswith("lookup_ticket"):
					guest_limits.reset()
				url = f"{api_url}/api/method/{path}"
				if kind == "json":
					answer = requests.post(url, json=args, headers=headers[role], timeout=60)
				else:
					answer = requests.post(url, data=args, headers=headers[role], timeout=60)
				made += 1
				if answer.status_code >= 500:
					server_errors.append((path, kind, tuple(sorted(args)), exception_of(answer)))
				if answer.status_code >= 400:
					errors += 1
					after = fingerprint()
					if after != before:
						changed.append((role, path, kind, {k: str(v)[:40] for k, v in args.items()}))
						before = after
				else:
					before = fingerprint()
	guest_limits.reset()
	report(
		f"fuzz: {made} requests to {len(methods)} methods, {errors} refused, {len(server_errors)} server errors"
	)
	assert not server_errors, sorted(set(server_errors))[:40]
	assert not changed, changed[:10]


@pytest.mark.parametrize("role", list(ROLES))
def test_portal_pages_answer_bad_input_without_a_server_error(api_url, api_headers, role):
	headers = api_headers(ROLES[role]) if ROLES[role] else {}
	pages = [
		"/service-tickets",
		"/service-tickets?status=%00&search=" + "x" * 5000,
		"/service-tickets?status[]=1&page=-1",
		"/service-tickets/ST-19990101-0001",
		"/service-tickets/%3Cscript%3E",
		"/service-tickets/" + "x" * 500,
		"/service-tickets/new?serial_no=%27",
		"/ticket-lookup?ticket=%3Cscript%3E" + "x" * 500,
		"/ticket-lookup?ticket[]=1",
	]
	for page in pages:
		answer = requests.get(f"{api_url}{page}", headers=headers, timeout=60, allow_redirects=False)
		assert answer.status_code < 500, (role, page, answer.status_code, answer.text[-300:])
		assert "<script>xxx" not in answer.text, page  # what the address carries is not echoed as markup
