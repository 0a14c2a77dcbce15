// The page's words come from the app's message catalogue (view_state → strings): the HTML
// holds keys only (data-i18n), never text.
"use strict";
let svetoforStrings = {};

function svetoforText(key) {
  return Object.prototype.hasOwnProperty.call(svetoforStrings, key) ? svetoforStrings[key] : key;
}

function svetoforApplyStrings(state) {
  if (!state || !state.strings) return;
  svetoforStrings = state.strings;
  if (state.lang) document.documentElement.lang = state.lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = svetoforText(el.dataset.i18n);
}
