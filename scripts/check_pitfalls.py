"""The project's own checks for Frappe pitfalls, run by scripts/lint.sh before the tests.

- string-built SQL: `frappe.db.sql(` anywhere in the app (frappe.qb or frappe.get_list instead);
- `frappe.db.commit()` without a comment on its line or the line above saying why (a request
  commits at its end; one that commits earlier must say so);
- `frappe.get_all(` on a portal or API path without a comment within the three lines above saying
  why permissions are not applied (frappe.get_list applies them).

Prints one line per finding and exits 1 when there is any.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "aftersales_app"
SKIP = ("tests", "patches", "demo")
REQUEST_PATHS = ("api/", "www/", "templates/pages/", "portal/")


def python_files():
	for path in sorted(PACKAGE.rglob("*.py")):
		relative = path.relative_to(PACKAGE).as_posix()
		if relative.split("/")[0] in SKIP:
			continue
		yield path, relative


def commented(lines: list[str], index: int, above: int) -> bool:
	"""A `#` comment on line `index` or on one of the `above` lines before it."""
	for line in lines[max(0, index - above) : index + 1]:
		if re.search(r"(^|\s)#\s*\S", line):
			return True
	return False


def findings() -> list[str]:
	out = []
	for path, relative in python_files():
		lines = path.read_text(encoding="utf-8").splitlines()
		for i, line in enumerate(lines):
			where = f"aftersales_app/{relative}:{i + 1}"
			if "frappe.db.sql(" in line:
				out.append(f"{where}: string-built SQL (use frappe.qb or frappe.get_list)")
			if "frappe.db.commit()" in line and not commented(lines, i, 1):
				out.append(f"{where}: frappe.db.commit() without a comment saying why")
			if (
				"frappe.get_all(" in line
				and relative.startswith(REQUEST_PATHS)
				and not commented(lines, i, 3)
			):
				out.append(f"{where}: frappe.get_all on a request path without a comment saying why")
	return out


if __name__ == "__main__":
	found = findings()
	for line in found:
		print(line)
	print(f"pitfalls: {len(found)} finding(s)")
	sys.exit(1 if found else 0)
