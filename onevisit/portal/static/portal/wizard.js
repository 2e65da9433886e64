// Upload progress for the application wizard: htmx reports XHR progress on the form that sent it.
document.addEventListener("htmx:xhr:progress", function (evt) {
  var form = evt.target.closest("form");
  var bar = form && form.querySelector("progress");
  if (bar && evt.detail.lengthComputable) {
    bar.hidden = false;
    bar.value = Math.round((evt.detail.loaded / evt.detail.total) * 100);
    bar.textContent = bar.value + "%";
  }
});
document.addEventListener("htmx:beforeRequest", function (evt) {
  var bar = evt.target.querySelector && evt.target.querySelector("progress");
  if (bar) { bar.hidden = false; bar.value = 0; }
});
