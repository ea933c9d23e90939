// Big Care's own script. The Content-Security-Policy allows no inline script or handler, so
// behaviour that templates once wrote as onchange="…" is attached here.
"use strict";

// A <select data-autosubmit> submits its form when changed (language, centre, map figure);
// each such form keeps a <noscript> button for browsers without JavaScript.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.requestSubmit();
  }
});
