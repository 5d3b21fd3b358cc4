"""The app's whitelisted endpoints, one module per domain. Each is declared with `endpoint`, which
whitelists it as `frappe.whitelist` does and answers a call without a required argument with a
clear, translated message (HTTP 417) instead of Python's TypeError (HTTP 500)."""

import inspect
from functools import wraps

import frappe
from frappe import _


def endpoint(methods: list[str] | None = None, allow_guest: bool = False):
	"""`frappe.whitelist(methods=…, allow_guest=…)` plus the check of required arguments."""

	def decorator(fn):
		required = [
			p.name
			for p in inspect.signature(fn).parameters.values()
			if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
		]

		@wraps(fn)
		def wrapper(*args, **kwargs):
			given = set(required[: len(args)]) | {k for k, v in kwargs.items() if v is not None}
			missing = [name for name in required if name not in given]
			if missing:
				frappe.throw(
					_("Missing value for {0}").format(", ".join(frappe.bold(m) for m in missing)),
					frappe.MandatoryError,
					title=_("Missing Value"),
				)
			return fn(*args, **kwargs)

		return frappe.whitelist(allow_guest=allow_guest, methods=methods)(wrapper)

	return decorator
