"""The project's own checks for Frappe pitfalls, run by scripts/lint.sh before the tests.

- string-built SQL: `frappe.db.sql(` anywhere in the app (frappe.qb or frappe.get_list instead);
- `frappe.db.commit()` without a comment on its line or the line above saying why (a request
  commits at its end; one that commits earlier must say so);
- `frappe.get_all(` on a portal or API path without a comment within the three lines above saying
  why permissions are not applied (frappe.get_list applies them);
- an import cycle among the app's modules, counting imports inside functions too (a cycle hidden
  in a function body is still a cycle: break it by moving the shared piece down, or by naming
  the other side by its dotted path for frappe.get_attr);
- an import across the layers: `core` (shared infrastructure) imports no domain and nothing
  above it; a domain (one Frappe module: tickets, field_service, billing, returns,
  customer_care, knowledge, notifications) imports of another domain only what it exposes, the
  flow modules at the top of its folder, never its DocType controllers, reports, pages or
  set-up (`aftersales_app.billing.charging`, not `aftersales_app.billing.doctype.…`);
- an import of the app's own modules inside a function without a comment on its line or the
  line above saying why (Frappe's load order, a test's connection): imports belong at the top,
  where the cycle check and a reader see them.

Prints one line per finding and exits 1 when there is any.
"""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "aftersales_app"
SKIP = ("tests", "patches", "demo")
DOMAINS = ("tickets", "field_service", "billing", "returns", "customer_care", "knowledge", "notifications")
CORE = "core"
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


def module_name(relative: str) -> str:
	parts = ["aftersales_app", *relative.removesuffix(".py").split("/")]
	return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(files) -> dict[str, set[str]]:
	"""module → the app's modules it imports (at the top or in a function); `files` is
	(source, relative path) pairs. Importing a package's submodule runs the package first: that
	counts as importing the package too, unless the importer lives in it (Python runs a package
	before any of its own modules)."""
	sources = {module_name(relative): source for source, relative in files}
	graph = {module: set() for module in sources}

	def known(name: str) -> str | None:
		while name and name not in sources:
			name = name.rpartition(".")[0]
		return name or None

	for module, source in sources.items():
		for node in ast.walk(ast.parse(source)):
			if isinstance(node, ast.Import):
				names = [alias.name for alias in node.names]
			elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
				names = [f"{node.module}.{alias.name}" for alias in node.names]
			else:
				continue
			for name in names:
				target = known(name) if name.startswith("aftersales_app.") else None
				while target and target != "aftersales_app" and not module.startswith(target + "."):
					if target != module:
						graph[module].add(target)
					target = known(target.rpartition(".")[0])
	return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
	"""The groups of modules that import each other, round and round (Tarjan's strongly connected
	components of more than one module)."""
	index, low, stack, on_stack, found = {}, {}, [], set(), []

	def visit(module: str):
		index[module] = low[module] = len(index)
		stack.append(module)
		on_stack.add(module)
		for other in sorted(graph.get(module, ())):
			if other not in index:
				visit(other)
				low[module] = min(low[module], low[other])
			elif other in on_stack:
				low[module] = min(low[module], index[other])
		if low[module] == index[module]:
			group = []
			while True:
				other = stack.pop()
				on_stack.discard(other)
				group.append(other)
				if other == module:
					break
			if len(group) > 1:
				found.append(sorted(group))

	sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph) + 100))
	for module in sorted(graph):
		if module not in index:
			visit(module)
	return found


def cycle_findings(files) -> list[str]:
	return [f"import cycle: {' → '.join(group)}" for group in cycles(import_graph(files))]


def layer_findings(files) -> list[str]:
	"""Imports that cross the layers the wrong way (see the module's docstring)."""
	out = []
	for module, targets in sorted(import_graph(files).items()):
		home = module.split(".")[1] if module.count(".") else ""
		for target in sorted(targets):
			parts = target.split(".")
			there = parts[1] if len(parts) > 1 else ""
			if there == home or there not in (*DOMAINS, CORE):
				continue
			if any(other.startswith(target + ".") for other in targets):
				continue  # the package of a module imported: that module's finding says it
			if home == CORE:
				out.append(f"layers: {module} (core) imports {target}")
			elif home in DOMAINS and there in DOMAINS and (len(parts) > 3 or parts[2:3] == ["setup"]):
				out.append(f"layers: {module} imports {target}, inside the {there} domain")
	return out


def hidden_import_findings(source: str, relative: str) -> list[str]:
	"""The app's imports inside a function body with no comment saying why."""
	lines = source.splitlines()
	out = []
	for function in ast.walk(ast.parse(source)):
		if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
			continue
		for node in ast.walk(function):
			if isinstance(node, ast.ImportFrom):
				names = [node.module or ""]
			elif isinstance(node, ast.Import):
				names = [alias.name for alias in node.names]
			else:
				continue
			if not any(n.split(".")[0] == "aftersales_app" for n in names):
				continue
			first = node.lineno - 1  # a comment above a group of imports speaks for the group
			while first > 0 and lines[first - 1].strip().startswith(("from ", "import ")):
				first -= 1
			if not commented(lines, node.lineno - 1, node.lineno - first):
				out.append(
					f"aftersales_app/{relative}:{node.lineno}: an import inside a function without a comment saying why"
				)
	return out


def findings() -> list[str]:
	sources = [
		(path.read_text(encoding="utf-8"), relative)
		for path, relative in python_files()
		if not path.name.startswith("test_")
	]
	out = cycle_findings(sources) + layer_findings(sources)
	for path, relative in python_files():
		if not path.name.startswith("test_"):
			out += hidden_import_findings(path.read_text(encoding="utf-8"), relative)
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
