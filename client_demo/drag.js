// Drag to reorder the items of a vertical list, with Pointer Events (touch, pen and mouse).
//
// A touch or pen drags an item by its handle only (so the rest of the list still scrolls the
// page); a mouse also by the item itself, once it has moved a few pixels (a plain click stays a
// click). Buttons inside an item never start a drag. The held item follows the pointer and
// trades places with a neighbour whose middle it passes; near the top or bottom edge the page
// scrolls while the item is held there. Escape or a cancelled pointer puts the order back.
// Plain ES module, no dependencies.

const START_PX = 6; // a mouse drag from the item's body starts after this much movement
const EDGE_PX = 40; // autoscroll zone inside the edges
const MAX_SPEED_PX = 14; // autoscroll step per frame

/**
 * Make the items of `list` (its children matching `item`, each with a `data-item` id)
 * draggable. Options:
 *   item       selector of the items (default "[data-item]")
 *   handle     selector of an item's drag handle
 *   canStart() false refuses to start a drag (e.g. while the game is paused)
 *   edges()    {top, bottom}: the viewport band outside of which the page autoscrolls
 *   onMove(ids)             the order on the screen changed during the drag
 *   onEnd({id, from, ids, cancelled})  the drag ended; ids = the order now (the original
 *                           one when cancelled); from = the item's index before the drag
 * Returns {dragging()}.
 */
export function sortable(list, options) {
  const opts = {
    item: "[data-item]", handle: null, canStart: () => true,
    edges: () => ({ top: 0, bottom: window.innerHeight }), onMove: () => {}, onEnd: () => {},
    ...options,
  };
  let drag = null; // {id, el, pointerId, y0, lastY, scroll0, top0, orig, started, raf}

  const ids = () => [...list.children].map((x) => x.dataset.item);

  // The item's top goes where the pointer says (in list coordinates, so that a scroll during
  // the drag counts); it trades places with a neighbour whose middle it passes.
  const follow = () => {
    const { el } = drag;
    const max = list.offsetHeight - el.offsetHeight;
    const target = Math.min(max + 8, Math.max(-8,
      drag.top0 + (drag.lastY - drag.y0) + (window.scrollY - drag.scroll0)));
    let moved = false;
    for (;;) {
      const prev = el.previousElementSibling;
      const next = el.nextElementSibling;
      // the neighbours move, never the held item: it keeps its pointer capture
      if (prev && target < prev.offsetTop + prev.offsetHeight / 2) list.insertBefore(prev, el.nextSibling);
      else if (next && target + el.offsetHeight > next.offsetTop + next.offsetHeight / 2) list.insertBefore(next, el);
      else break;
      moved = true;
    }
    if (moved) opts.onMove(ids());
    el.style.transform = `translateY(${target - el.offsetTop}px)`;
  };

  const autoScroll = () => {
    if (!drag || !drag.started) return;
    if (!drag.el.isConnected) {
      stop();
      return;
    }
    const { top, bottom } = opts.edges();
    const y = drag.lastY;
    let v = 0;
    if (y < top + EDGE_PX && y < drag.y0) v = -Math.min(MAX_SPEED_PX, Math.ceil((top + EDGE_PX - y) / 3));
    else if (y > bottom - EDGE_PX && y > drag.y0) v = Math.min(MAX_SPEED_PX, Math.ceil((y - bottom + EDGE_PX) / 3));
    if (v) {
      const before = window.scrollY;
      window.scrollBy(0, v);
      if (window.scrollY !== before) follow();
    }
    drag.raf = requestAnimationFrame(autoScroll);
  };

  const onKey = (ev) => {
    if (ev.key === "Escape" && drag) {
      ev.preventDefault();
      finish(false);
    }
  };

  const begin = () => {
    drag.started = true;
    drag.el.classList.add("dragging");
    list.classList.add("drag-on");
    document.body.classList.add("list-dragging");
    drag.raf = requestAnimationFrame(autoScroll);
  };

  // Forget the drag (listeners, capture, looks); returns it.
  const stop = () => {
    const g = drag;
    drag = null;
    if (!g) return null;
    document.removeEventListener("keydown", onKey, true);
    if (g.raf) cancelAnimationFrame(g.raf);
    document.body.classList.remove("list-dragging");
    try {
      if (g.el.hasPointerCapture(g.pointerId)) g.el.releasePointerCapture(g.pointerId);
    } catch (e) { /* the pointer is gone already */ }
    g.el.classList.remove("dragging");
    g.el.style.transform = "";
    list.classList.remove("drag-on");
    return g;
  };

  // Drop (keep = true) or cancel (keep = false: the order before the drag comes back).
  const finish = (keep) => {
    const g = stop();
    if (!g || !g.started || !list.isConnected) return;
    if (!keep) {
      const byId = new Map([...list.children].map((x) => [x.dataset.item, x]));
      for (const id of g.orig) list.append(byId.get(id));
    }
    opts.onEnd({ id: g.id, from: g.orig.indexOf(g.id), ids: keep ? ids() : g.orig, cancelled: !keep });
  };

  const onPointerDown = (ev) => {
    if (drag || !ev.isPrimary) return;
    if (ev.pointerType === "mouse" && ev.button !== 0) return;
    const el = ev.target.closest(opts.item);
    if (!el || el.parentElement !== list) return;
    const onHandle = Boolean(opts.handle && ev.target.closest(opts.handle));
    if (!onHandle && (ev.pointerType !== "mouse" || ev.target.closest("button"))) return;
    if (!opts.canStart()) return;
    ev.preventDefault(); // no text selection, no emulated mouse events
    drag = {
      id: el.dataset.item, el, pointerId: ev.pointerId, y0: ev.clientY, lastY: ev.clientY,
      scroll0: window.scrollY, top0: el.offsetTop, orig: ids(), started: false, raf: 0,
    };
    try {
      el.setPointerCapture(ev.pointerId);
    } catch (e) { /* not an active pointer (synthetic event): the drag still follows it */ }
    document.addEventListener("keydown", onKey, true);
    if (onHandle) begin();
  };

  const onPointerMove = (ev) => {
    if (!drag || ev.pointerId !== drag.pointerId) return;
    ev.preventDefault();
    drag.lastY = ev.clientY;
    if (!drag.started) {
      if (Math.abs(ev.clientY - drag.y0) < START_PX) return;
      begin();
    }
    follow();
  };

  const onPointerEnd = (ev) => {
    if (!drag || ev.pointerId !== drag.pointerId) return;
    if (ev.type === "pointercancel") finish(false);
    else if (drag.started) finish(true);
    else stop(); // a plain click on the item
  };

  list.addEventListener("pointerdown", onPointerDown);
  list.addEventListener("pointermove", onPointerMove);
  list.addEventListener("pointerup", onPointerEnd);
  list.addEventListener("pointercancel", onPointerEnd);
  list.addEventListener("lostpointercapture", onPointerEnd);
  return { dragging: () => Boolean(drag) };
}
