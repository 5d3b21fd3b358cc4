from aftersales_app.install import make_kanban_board


def execute():
	make_kanban_board()
