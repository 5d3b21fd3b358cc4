from aftersales_app.setup.returns import make_returns_warehouse


def execute():
	"""Sites made before returns and exchanges: their returns warehouse (kept when set)."""
	make_returns_warehouse()
