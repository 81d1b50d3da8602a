// Two-tap buttons: the first tap arms the button (it then says what the second tap does),
// the second one acts; an armed button disarms itself after a few seconds. A stray tap on a
// projected screen must not end a game or throw a student out.

export const ARM_MS = 4000;

/**
 * Make `button` a two-tap button. idle/armed: {text, label} (label: the aria-label).
 * run() is called on the second tap. Returns {disarm}.
 */
export function twoTap(button, { idle, armed, run, ms = ARM_MS }) {
  let timer = null;
  const show = (look) => {
    button.textContent = look.text;
    if (look.label) button.setAttribute("aria-label", look.label);
    else button.removeAttribute("aria-label");
  };
  const disarm = () => {
    clearTimeout(timer);
    timer = null;
    delete button.dataset.armed;
    button.classList.remove("armed");
    show(idle);
  };
  button.addEventListener("click", () => {
    if (button.dataset.armed) {
      disarm();
      run();
      return;
    }
    button.dataset.armed = "1";
    button.classList.add("armed");
    show(armed);
    timer = setTimeout(disarm, ms);
  });
  show(idle);
  return { disarm };
}
