/* Partner portal: on a phone the menu is one scrolling row; bring the current page's item into
   view (otherwise "상품" or "정산" sits off screen and the seller cannot see where they are). */
(function () {
  "use strict";
  var nav = document.querySelector(".partner-nav");
  var current = nav && nav.querySelector("a[aria-current='page']");
  if (!current || nav.scrollWidth <= nav.clientWidth) return;
  nav.scrollLeft = Math.max(0, current.offsetLeft - (nav.clientWidth - current.offsetWidth) / 2);
})();
