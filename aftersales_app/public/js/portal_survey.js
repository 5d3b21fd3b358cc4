// The satisfaction survey (/survey): the customer's answer, through the link's token or signed in.
(function () {
	const portal = window.aftersales_portal;
	const root = document.getElementById("as-survey");
	const form = document.getElementById("as-survey-form");
	const message = document.getElementById("as-message");
	if (!form) return;

	const picked = (name) => {
		const input = form.querySelector(`input[name="${name}"]:checked`);
		return input ? input.value : null;
	};

	form.addEventListener("submit", async (event) => {
		event.preventDefault();
		const answers = {
			response_speed: picked("response_speed"),
			problem_solving: picked("problem_solving"),
			attitude: picked("attitude"),
			overall: picked("overall"),
			recommend: form.recommend.value.trim(),
			comment: form.comment.value.trim(),
		};
		if (Object.entries(answers).some(([key, value]) => key !== "comment" && !value)) {
			portal.show(message, portal.t("need_answers"));
			return;
		}
		const button = document.getElementById("as-survey-submit");
		button.disabled = true;
		try {
			const args = root.dataset.token ? { token: root.dataset.token } : { ticket: root.dataset.ticket };
			const result = await portal.call("aftersales_app.api.portal.answer_survey", {
				...args,
				...answers,
			});
			form.hidden = true;
			portal.show(message, result.thanks, "ok");
		} catch (e) {
			portal.show(message, e.message);
			button.disabled = false;
		}
	});
})();
