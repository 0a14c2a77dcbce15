// Placeholder settings page: only its words.
"use strict";
window.__TAURI__.core.invoke("view_state").then(svetoforApplyStrings);
