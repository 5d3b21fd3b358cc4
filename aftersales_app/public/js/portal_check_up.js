// The check-up offer (/check-up): the customer accepts or declines, through the link's token or signed in.
(function () {
	const portal = window.aftersales_portal;
	const root = document.getElementById("as-check-up");
	const message = document.getElementById("as-message");
	if (!root) return;

	root.querySelectorAll(".as-offer").forEach((card) => {
		const answer = async (accept) => {
			card.querySelectorAll("button").forEach((b) => (b.disabled = true));
			try {
				const args = root.dataset.token
					? { token: root.dataset.token }
					: { reminder: card.dataset.reminder };
				const result = await portal.call("aftersales_app.api.portal.answer_check_up", {
					...args,
					accept: accept ? 1 : 0,
				});
				card.hidden = true;
				portal.show(message, result.thanks, "ok");
			} catch (e) {
				portal.show(message, e.message);
				card.querySelectorAll("button").forEach((b) => (b.disabled = false));
			}
		};
		card.querySelector(".as-accept").addEventListener("click", () => answer(true));
		card.querySelector(".as-decline").addEventListener("click", () => answer(false));
	});
})();
