// The main navigation scrolls sideways on a narrow screen: mark the side(s) that have more sections, so the CSS
// fades that edge and the user sees the row goes on.
(function () {
  var nav = document.querySelector(".topbar .nav");
  if (!nav) return;
  function mark() {
    var end = nav.scrollWidth - nav.clientWidth;
    nav.classList.toggle("more-left", end > 1 && nav.scrollLeft > 1);
    nav.classList.toggle("more-right", end > 1 && nav.scrollLeft < end - 1);
  }
  nav.addEventListener("scroll", mark, { passive: true });
  window.addEventListener("resize", mark);
  mark();
})();
