// Building blocks the pages share. Text only ever goes in as textContent: notice text is
// untrusted.
"use strict";

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
}
