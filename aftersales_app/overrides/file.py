"""Frappe's File, with the app's rule for private files of its documents on the download path too.

A private file is served by `download_private_file`, which asks `File.is_downloadable`, and that
calls Frappe's own File rule directly instead of `frappe.has_permission` (so the app's
has_permission hook on File is not asked there): a portal customer, who may read their ticket,
would download the staff's internal files of it."""

from frappe.core.doctype.file.file import File

from aftersales_app.core.permissions import has_file_permission


class AfterSalesFile(File):
	def is_downloadable(self):
		return super().is_downloadable() and has_file_permission(self, "read") is not False
