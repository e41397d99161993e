// "Select all on this page" for bulk approval; without JS each checkbox still works on its own.
(function () {
  var box = document.querySelector("[data-select-all]");
  if (!box) { return; }
  var all = box.querySelector("input[type=checkbox]");
  var name = box.getAttribute("data-select-all");
  var items = function () { return document.querySelectorAll("input[type=checkbox][name='" + name + "']"); };
  box.hidden = false;
  all.addEventListener("change", function () {
    items().forEach(function (item) { item.checked = all.checked; });
  });
  document.addEventListener("change", function (event) {
    if (event.target.name !== name) { return; }
    var boxes = Array.prototype.slice.call(items());
    all.checked = boxes.length > 0 && boxes.every(function (item) { return item.checked; });
  });
})();
