# What the shipped workflow said before charging came: rows still saying it are updated, rows an
# admin changed are left alone.
OLD_CONDITIONS = {
	("待确认", "确认解决", "待回款"): "doc.billable",
	("待确认", "确认解决", "待回访"): "not doc.billable",
	("待财务确认", "确认回款", "待回访"): None,
	("待财务确认", "退回回款", "待回款"): None,
}


def execute():
	"""The payment steps of the shipped workflow on sites that installed it before charging:
	finance may submit a payment and reverse one (冲销回款), and the money conditions."""
	from aftersales_app.tickets.setup.workflow import add_shipped_transitions

	add_shipped_transitions(OLD_CONDITIONS)
