"""What the app's reports share: the columns of a ticket they show alike (one definition each), and
a column built in one line. Report filters shared on the desk: aftersales.date_range_filters()."""

from frappe import _

# fieldname: label, fieldtype, options, width
TICKET_COLUMNS = {
	"name": ("Service Ticket", "Link", "Service Ticket", 170),
	"subject": ("Subject", "Data", None, 200),
	"customer_name": ("Customer Name", "Data", None, 180),
	"workflow_state": ("Workflow State", "Link", "Workflow State", 130),
	"responsible_agent": ("Responsible Agent", "Link", "User", 200),
	"assigned_technician": ("Assigned Technician", "Link", "Service Technician", 180),
	"state_since": ("In State Since", "Datetime", None, 160),
}


def column(fieldname: str, label: str, fieldtype: str = "Data", options: str | None = None, width: int = 120):
	"""A report column; `label` is the English source, translated here."""
	return {
		"fieldname": fieldname,
		"label": _(label),
		"fieldtype": fieldtype,
		"options": options,
		"width": width,
	}


def ticket_columns(*fieldnames: str) -> list[dict]:
	return [column(name, *TICKET_COLUMNS[name]) for name in fieldnames]
