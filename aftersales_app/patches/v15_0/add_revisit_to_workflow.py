# the shipped close action before revisits were records
OLD_CONDITIONS = {("待回访", "回访完成", "已关闭"): None}


def execute():
	"""Revisits as records: the close action of the shipped workflow asks for a solved revisit, and
	an unsolved one sends the ticket back to its technician (回访未解决)."""
	from aftersales_app.tickets.setup.workflow import add_shipped_transitions

	add_shipped_transitions(OLD_CONDITIONS, actions={"回访未解决"})
