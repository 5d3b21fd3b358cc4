"""Customer imports (客户导入) through Frappe's Data Import, run by a Service Agent: the repository's
1 000-customer sample goes in cleanly (customers, contacts, addresses, serial numbers, each linked);
a file with bad rows goes in but for them, each reported with its row numbers and reason, and
nothing of a refused customer is written; technicians cannot import."""

import io
from pathlib import Path

import pytest

import frappe

from aftersales_app.tests import world
from aftersales_app.tests.data.make_customer_sample import rows as sample_rows
from aftersales_app.tests.data.make_customer_sample import write
from aftersales_app.tests.utils import as_user, make_user

SAMPLE = Path(__file__).parent / "data" / "customers_1000.xlsx"
# an agent who may also edit serial numbers (Stock Manager): the one to import warranty dates
SERIAL_KEEPER = "import.serials@aftersales-tests.example.com"


def without_warranty(data) -> list[list]:
	"""Rows as an agent imports them: warranty dates (the last column) are set by those who may
	edit serial numbers (aftersales_app.customer_care.customer_import)."""
	return [[*row[:-1], None] for row in data]


def upload(content: bytes, user: str) -> str:
	def make():
		return (
			frappe.get_doc(
				{
					"doctype": "File",
					"file_name": f"customers-{frappe.generate_hash(length=6)}.xlsx",
					"content": content,
					"is_private": 1,
				}
			)
			.insert()
			.file_url
		)

	return as_user(user, make)


def run_import(file_url: str, user: str):
	"""Data Import as `user`, with the desk's own calls (the import runs at once in tests)."""

	def start():
		data_import = frappe.get_doc(
			{
				"doctype": "Data Import",
				"reference_doctype": "Imported Customer",
				"import_type": "Insert New Records",
				"import_file": file_url,
			}
		).insert()
		frappe.db.commit()
		from frappe.core.doctype.data_import.data_import import form_start_import

		form_start_import(data_import.name)
		return data_import.name

	return frappe.get_doc("Data Import", as_user(user, start))


def failures(data_import) -> list:
	return [
		frappe._dict(rows=frappe.parse_json(log.row_indexes), messages=str(frappe.parse_json(log.messages)))
		for log in frappe.get_all(
			"Data Import Log",
			filters={"data_import": data_import.name, "success": 0},
			fields=["row_indexes", "messages"],
			order_by="log_index",
		)
	]


def remove_imported(like: str, serial_like: str):
	"""The import commits each customer: take everything it made away again, in bulk."""
	customers = frappe.get_all("Customer", filters={"name": ("like", like)}, pluck="name")
	links = frappe.get_all(
		"Dynamic Link",
		filters={"link_doctype": "Customer", "link_name": ("in", customers or [""])},
		fields=["parent", "parenttype"],
	)
	for doctype in ("Contact", "Address"):
		names = [link.parent for link in links if link.parenttype == doctype] or [""]
		frappe.db.delete(doctype, {"name": ("in", names)})
		for child in ("Contact Email", "Contact Phone", "Dynamic Link"):
			frappe.db.delete(child, {"parent": ("in", names), "parenttype": doctype})
	frappe.db.delete("Serial No", {"name": ("like", serial_like)})
	imported = frappe.get_all("Imported Customer", filters={"customer_name": ("like", like)}, pluck="name")
	for table in ("Imported Customer Contact", "Imported Customer Address", "Imported Customer Serial"):
		frappe.db.delete(table, {"parent": ("in", imported or [""])})
	frappe.db.delete("Imported Customer", {"name": ("in", imported or [""])})
	frappe.db.delete("Customer", {"name": ("in", customers or [""])})
	frappe.db.commit()


def test_the_1000_customer_sample_imports_cleanly_as_an_agent(report):
	expected = list(sample_rows())
	names = [row[0] for row in expected if row[0]]
	contacts = sum(1 for row in expected if row[3])
	addresses = sum(1 for row in expected if row[11])
	serials = sum(1 for row in expected if row[17])
	try:
		# the sample carries warranty dates: an agent who may also edit serial numbers imports it
		make_user(SERIAL_KEEPER, ["Service Agent", "Stock Manager"])
		data_import = run_import(upload(SAMPLE.read_bytes(), SERIAL_KEEPER), SERIAL_KEEPER)
		assert data_import.status == "Success", failures(data_import)[:3]
		assert frappe.db.count("Customer", {"name": ("in", names)}) == len(names) == 1000
		linked = frappe.get_all(
			"Dynamic Link",
			filters={"link_doctype": "Customer", "link_name": ("in", names)},
			fields=["parenttype", "count(*) as n"],
			group_by="parenttype",
		)
		assert {row.parenttype: row.n for row in linked} == {"Contact": contacts, "Address": addresses}
		assert frappe.db.count("Serial No", {"customer": ("in", names)}) == serials
		# each customer knows its primary contact and address; a serial its check-up
		first = frappe.db.get_value(
			"Customer",
			names[0],
			["customer_primary_contact", "customer_primary_address", "mobile_no"],
			as_dict=True,
		)
		assert first.customer_primary_contact and first.customer_primary_address
		assert first.mobile_no == expected[0][5]
		serial = next(row for row in expected if row[17])
		assert frappe.db.get_value(
			"Serial No", serial[17], ["item_code", "aftersales_in_service_since", "aftersales_next_check_up"]
		)[0:2] == (serial[18], serial[19])
		report(
			f"customer import: 1000 customers, {contacts} contacts, {addresses} addresses, "
			f"{serials} serial numbers in one Data Import"
		)
	finally:
		remove_imported("导入%", "IMP%")


def test_bad_rows_are_reported_with_their_reasons_and_nothing_of_them_is_written():
	data = without_warranty(sample_rows(count=6, seed=99))
	starts = [i for i, row in enumerate(data) if row[0]]
	names = [data[i][0] for i in starts]
	# 2: a customer that exists; 3: a serial number of another customer; 4: a bad e-mail;
	# 5: in service in the future; 6: a serial number listed twice
	data[starts[1]][0] = world.CUSTOMER
	data[starts[2]][17:19] = [world.SERIAL_IN, world.PRODUCT]
	data[starts[3]][6] = "not-an-email"
	data[starts[4]][17:20] = [
		"IMPBAD-000001",
		world.PRODUCT,
		frappe.utils.add_days(frappe.utils.nowdate(), 30),
	]
	data.insert(starts[5] + 1, [None] * 17 + ["IMPBAD-000002", world.PRODUCT, None, None])
	data[starts[5]][17:20] = ["IMPBAD-000002", world.PRODUCT, None]
	buffer = io.BytesIO()
	write(buffer, data)
	emails = [row[6] for row in data if row[6]]
	owner_before = frappe.db.get_value("Serial No", world.SERIAL_IN, "customer")
	try:
		data_import = run_import(upload(buffer.getvalue(), world.AGENT), world.AGENT)
		frappe.db.rollback()
		assert data_import.reload().status == "Partial Success"
		failed = failures(data_import)
		assert len(failed) == 5
		row_numbers = [start + 2 for start in starts]  # the header is row 1
		assert [f.rows[0] for f in failed] == row_numbers[1:]
		reasons = [f.messages for f in failed]
		assert world.CUSTOMER in reasons[0] and ("exists" in reasons[0] or "已存在" in reasons[0])
		assert world.SERIAL_IN in reasons[1] and world.CUSTOMER in reasons[1]
		assert "not-an-email" in reasons[2]
		assert "IMPBAD-000001" in reasons[3]
		assert "IMPBAD-000002" in reasons[4]
		# the first customer went in, nothing of the refused ones did
		assert frappe.db.exists("Customer", names[0])
		assert not frappe.db.exists("Customer", {"name": ("in", names[1:])})
		assert frappe.db.get_value("Serial No", world.SERIAL_IN, "customer") == owner_before
		assert not frappe.db.exists("Serial No", {"name": ("like", "IMPBAD-%")})
		refused_emails = [e for e in emails if not e.startswith(f"import.{1:04d}.")]
		assert not frappe.db.exists("Contact Email", {"email_id": ("in", refused_emails)})
		assert frappe.db.count("Imported Customer", {"customer_name": ("in", names)}) == 1
	finally:
		remove_imported("导入%", "IMP%")


def test_technicians_cannot_import_customers():
	with pytest.raises(frappe.PermissionError):
		as_user(
			world.TECH,
			lambda: frappe.get_doc(
				{
					"doctype": "Data Import",
					"reference_doctype": "Imported Customer",
					"import_type": "Insert New Records",
				}
			).insert(),
		)
	with pytest.raises(frappe.PermissionError):
		as_user(
			world.TECH,
			lambda: frappe.get_doc(
				{"doctype": "Imported Customer", "customer_name": "技师导入客户"}
			).insert(),
		)


@pytest.mark.demo
def test_the_shipped_template_imports_on_the_demo():
	"""The template's examples name the demo's products: marked `demo`, so it runs after the rest."""
	from aftersales_app.demo import data as demo

	demo.load()
	template = Path(
		frappe.get_app_path("aftersales_app", "public", "templates", "customer_import_template.xlsx")
	)
	# the template carries warranty dates: imported by someone who may set them
	make_user(SERIAL_KEEPER, ["Service Agent", "Stock Manager"])
	try:
		data_import = run_import(upload(template.read_bytes(), SERIAL_KEEPER), SERIAL_KEEPER)
		assert data_import.status == "Success", failures(data_import)
		assert frappe.db.get_value("Serial No", "AS-AC-EX0001", "customer") == "上海示例酒店管理有限公司"
	finally:
		remove_imported("上海示例酒店管理有限公司", "AS-%-EX0001")
		remove_imported("张伟", "AS-%-EX0001")
