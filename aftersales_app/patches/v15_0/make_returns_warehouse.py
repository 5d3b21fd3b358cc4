from aftersales_app.returns.setup import make_returns_warehouse


def execute():
	"""Sites made before returns and exchanges: their returns warehouse (kept when set)."""
	make_returns_warehouse()
